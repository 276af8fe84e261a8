#!/usr/bin/env bash
# Prediction matrix: 21 plans of the small gpt (4 layers, hidden 64, 4 heads, seq 32, vocab 64), the mlp
# (4 x 256) and moe-tiny (the gpt with 4 experts per layer, top-2) on 1, 2 and 4 local workers (4 on this 2-core machine: more workers than cores), pipeline, data and
# tensor parallel and combinations, expert parallel, GPipe, 1F1B, interleaved 1F1B and ZB-H1, recomputation on and off, threads and processes,
# fp32 and (one row) bf16. Each plan is
# planned with its degrees fixed, trained with --compare and printed as one row: predicted/measured step time
# (target 0.90..1.10) and predicted/measured peak memory of every device (target 1.00..1.15, never below 1); for plans
# with collectives, the mean ring step the run timed (what the prediction's ring steps wait) and the measured link latency;
# where workers share the host, the host capacity and background cores the prediction was simulated at, and for
# worker processes the CPU their transports spent a byte.
# A fresh profile of this machine per run, in a private MODELPAR_HOME; prints the load average first and last and
# where each row's `train --json` result is kept. A plan whose run fails prints its one-line error as its row.
# Usage: bench/executor-matrix.sh [steps] [label] (steps default 60; the measured step is the median of the second half;
# with a label, only the plans whose label contains it). MATRIX_SET=holdout runs 9 other plans instead, which the
# prediction is not tuned on (data parallel on 2 and 4 threads, tensor 4 and tensor x data on 4 threads, pipelines and
# tensor parallel on processes, 8 micro-batches with recomputation), read as the 21 are.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/executor-env.sh
steps="${1:-60}"
only="${2:-}"
./modelpar profile --devices 4 > "$work/profile.txt"
gpt="gpt:layers=4,hidden=64,heads=4,seq=32,vocab=64"
mlp="mlp:layers=4,width=256"
moe="moe-tiny"
# label | model | workers | plan degrees | recompute | worker mode [| precision, default fp32]
rows=(
  "gpt 1 worker|$gpt|1|--pp 1 --tp 1 --dp 1 --microbatches 1 --schedule gpipe|off|threads"
  "gpt pp2 1f1b m4|$gpt|2|--pp 2 --tp 1 --dp 1 --microbatches 4 --schedule 1f1b|off|threads"
  "gpt pp2 gpipe m4|$gpt|2|--pp 2 --tp 1 --dp 1 --microbatches 4 --schedule gpipe|off|threads"
  "gpt pp2 1f1b m4 recompute|$gpt|2|--pp 2 --tp 1 --dp 1 --microbatches 4 --schedule 1f1b|on|threads"
  "gpt pp2 interleaved v2 m4|$gpt|2|--pp 2 --tp 1 --dp 1 --microbatches 4 --schedule interleaved --virtual-stages 2|off|threads"
  "gpt pp2 zb-h1 m4|$gpt|2|--pp 2 --tp 1 --dp 1 --microbatches 4 --schedule zb-h1|off|threads"
  "gpt dp2|$gpt|2|--pp 1 --tp 1 --dp 2 --microbatches 1 --schedule gpipe|off|threads"
  "gpt tp2|$gpt|2|--pp 1 --tp 2 --dp 1 --microbatches 1 --schedule gpipe|off|threads"
  "gpt pp2 1f1b m4 processes|$gpt|2|--pp 2 --tp 1 --dp 1 --microbatches 4 --schedule 1f1b|off|processes"
  "gpt tp2 processes|$gpt|2|--pp 1 --tp 2 --dp 1 --microbatches 1 --schedule gpipe|off|processes"
  "gpt pp4 1f1b m8 (4 workers)|$gpt|4|--pp 4 --tp 1 --dp 1 --microbatches 8 --schedule 1f1b|off|threads"
  "gpt pp2 dp2 1f1b m4 (4 workers)|$gpt|4|--pp 2 --tp 1 --dp 2 --microbatches 4 --schedule 1f1b|off|threads"
  "gpt pp2 tp2 gpipe m4 (4 workers)|$gpt|4|--pp 2 --tp 2 --dp 1 --microbatches 4 --schedule gpipe|off|threads"
  "mlp 1 worker|$mlp|1|--pp 1 --tp 1 --dp 1 --microbatches 1 --schedule gpipe|off|threads"
  "mlp pp2 1f1b m4|$mlp|2|--pp 2 --tp 1 --dp 1 --microbatches 4 --schedule 1f1b|off|threads"
  "mlp tp2|$mlp|2|--pp 1 --tp 2 --dp 1 --microbatches 1 --schedule gpipe|off|threads"
  "mlp dp2 processes|$mlp|2|--pp 1 --tp 1 --dp 2 --microbatches 1 --schedule gpipe|off|processes"
  "mlp pp4 gpipe m4 recompute (4 workers)|$mlp|4|--pp 4 --tp 1 --dp 1 --microbatches 4 --schedule gpipe|on|threads"
  "moe dp2|$moe|2|--pp 1 --tp 1 --dp 2 --expert-parallel 1 --microbatches 1 --schedule gpipe|off|threads"
  "moe dp2 ep2|$moe|2|--pp 1 --tp 1 --dp 2 --expert-parallel 2 --microbatches 1 --schedule gpipe|off|threads"
  "gpt tp2 bf16|$gpt|2|--pp 1 --tp 2 --dp 1 --microbatches 1 --schedule gpipe|off|threads|bf16"
)
if [[ "${MATRIX_SET:-}" == holdout ]]; then
  rows=(
    "mlp dp2|$mlp|2|--pp 1 --tp 1 --dp 2 --microbatches 1 --schedule gpipe|off|threads"
    "mlp pp2 gpipe m4 processes|$mlp|2|--pp 2 --tp 1 --dp 1 --microbatches 4 --schedule gpipe|off|processes"
    "gpt pp2 1f1b m8 recompute|$gpt|2|--pp 2 --tp 1 --dp 1 --microbatches 8 --schedule 1f1b|on|threads"
    "gpt tp2 dp2 (4 workers)|$gpt|4|--pp 1 --tp 2 --dp 2 --microbatches 1 --schedule gpipe|off|threads"
    "mlp dp4 (4 workers)|$mlp|4|--pp 1 --tp 1 --dp 4 --microbatches 1 --schedule gpipe|off|threads"
    "gpt pp2 interleaved v2 m4 processes|$gpt|2|--pp 2 --tp 1 --dp 1 --microbatches 4 --schedule interleaved --virtual-stages 2|off|processes"
    "gpt pp4 1f1b m4 processes (4 workers)|$gpt|4|--pp 4 --tp 1 --dp 1 --microbatches 4 --schedule 1f1b|off|processes"
    "mlp tp2 processes|$mlp|2|--pp 1 --tp 2 --dp 1 --microbatches 1 --schedule gpipe|off|processes"
    "gpt tp4 (4 workers)|$gpt|4|--pp 1 --tp 4 --dp 1 --microbatches 1 --schedule gpipe|off|threads"
  )
fi
for row in "${rows[@]}"; do
  IFS='|' read -r label model workers degrees recompute mode precision <<< "$row"
  [[ "$label" == *"$only"* ]] || continue
  # shellcheck disable=SC2086
  ./modelpar plan --model "$model" --cluster "local:$workers" --global-batch 16 $degrees --precision "${precision:-fp32}" \
    --optimizer adam --out "$work/plan.json" > /dev/null
  python3 - "$work/plan.json" "$recompute" <<'PY'
import json, sys
path, recompute = sys.argv[1], sys.argv[2] == "on"
plan = json.load(open(path))
stages = plan["plan"]["stages"] if "plan" in plan else plan["stages"]
for s in stages:
    s["recompute"] = recompute
json.dump(plan, open(path, "w"))
PY
  if ! ./modelpar train --plan "$work/plan.json" --model "$model" --cluster "local:$workers" --steps "$steps" --compare \
    --json --workers "$mode" > "$work/train.json" 2> "$work/train.err"; then
    # a failed run is a row of its own (its one-line error), and the other plans still run
    printf 'BENCH matrix %-40s FAILED: %s\n' "$label" "$(tail -1 "$work/train.err")"
    continue
  fi
  # each row's full result stays in the work folder (printed last) for a row worth a closer look
  cp "$work/train.json" "$work/row-$(tr -c 'a-z0-9\n' '-' <<< "$label").json"
  python3 - "$work/train.json" "$label" <<'PY'
import json, sys
r, label = json.load(open(sys.argv[1])), sys.argv[2]
p, m = r["predictedStepSeconds"], r["measuredStepSeconds"]
mem = [r["predictedPeakMemoryBytes"][d] / b for d, b in r["peakMemoryBytes"].items()]
flag = "" if 0.9 <= p / m <= 1.1 and 1 <= min(mem) and max(mem) <= 1.15 else "  OUT OF TARGET"
ring = r.get("compare", {}).get("ringSteps")
link = r.get("compare", {}).get("link")
steps = f"; ring step {ring['meanSeconds']*1e6:.0f} us" if ring else ""
steps += f", link latency {link['latencySeconds']*1e6:.0f} us" if ring and link else ""
host = r.get("compare", {}).get("hostCapacity")
steps += f"; host capacity {host:.2f}, background {r['compare'].get('backgroundCores', 0):.2f} cores" if host else ""
transport = r.get("compare", {}).get("transportCpuSecondsPerByte")
steps += f", transport {transport*1e9:.2f} ns/byte" if transport else ""
print(f"BENCH matrix {label:40s} step predicted {p*1e3:7.1f} ms measured {m*1e3:7.1f} ms ratio {p/m:5.3f}; "
      f"memory predicted/measured {min(mem):.3f}..{max(mem):.3f}{steps}{flag}")
PY
done
echo "BENCH load: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "BENCH rows' results: $work/row-*.json"
steal_report executor-matrix
