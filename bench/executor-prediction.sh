#!/usr/bin/env bash
# Executor prediction benchmark: profile this machine, plan the small gpt (4 layers, hidden 64,
# 4 heads, seq 32, vocab 64) on 2 local workers as a 2-stage fp32 1F1B pipeline, train it with --compare
# and print predicted / measured step time (target: within 10%) and, per device, predicted and measured
# peak memory (target: never under-predicted); also the pure profile prediction (roofline + kernel launches)
# over measured. Uses a private MODELPAR_HOME so ~/.modelpar is untouched; prints the load average first.
# Usage: bench/executor-prediction.sh [steps] (default 150: the measured step is the median of the second
# half, after the JIT has compiled the kernels' Java paths; the kernel-timed prediction samples between those steps)
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/executor-env.sh
model="gpt:layers=4,hidden=64,heads=4,seq=32,vocab=64"
./modelpar profile --devices 2 --out "$work/local.json" > "$work/profile.txt"
./modelpar plan --model "$model" --cluster local:2 --global-batch 16 --pp 2 --dp 1 --tp 1 --microbatches 4 \
  --schedule 1f1b --precision fp32 --optimizer adam --out "$work/plan.json" > /dev/null
./modelpar train --plan "$work/plan.json" --model "$model" --cluster local:2 --steps "${1:-150}" --compare --json \
  > "$work/train.json"
python3 - "$work/train.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
p, m = r["predictedStepSeconds"], r["measuredStepSeconds"]
print(f"BENCH executor-prediction: predicted {p*1e3:.1f} ms, measured {m*1e3:.1f} ms, predicted/measured {p/m:.3f} "
      f"(target 0.90..1.10); roofline-only {r['rooflinePredictedStepSeconds']*1e3:.1f} ms, "
      f"roofline/measured {r['rooflinePredictedStepSeconds']/m:.3f}")
for d, mb in r["peakMemoryBytes"].items():
    pb = r["predictedPeakMemoryBytes"][d]
    print(f"BENCH executor-memory {d}: predicted {pb} B, measured {mb} B, predicted/measured {pb/mb:.3f} "
          f"({'ok' if pb >= mb else 'UNDER-PREDICTED'})")
c = r["compare"]
print(f"BENCH executor-prediction: host capacity measured in the run {c.get('hostCapacity', float('nan')):.2f}; compute-stream "
      "ms per step predicted/measured " + ", ".join(f"{d} {b['predicted']*1e3:.1f}/{b['measured']*1e3:.1f}"
                                                   for d, b in c["computeSeconds"].items()))
for g in c["worstInstructions"]:
    print(f"  {g['device']} #{g['index']} {g['name']}: predicted {g['predictedSeconds']*1e3:.2f} ms, measured {g['measuredSeconds']*1e3:.2f} ms")
PY
steal_report executor-prediction
