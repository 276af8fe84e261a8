#!/usr/bin/env bash
# The worker processes' JIT: the same plans on two worker processes with C1 alone (the default: the launcher runs
# such a train on C1 and LocalWorkers starts the workers so) and with C2 (MODELPAR_JAVA_OPTS=-XX:TieredStopAtLevel=4,
# for the train JVM, whose calibration times the kernels, and the workers, which inherit it), alternated in rounds
# (C2, C1, C2, C1, ...). Plans: the small gpt's 2-stage 1F1B pipeline and the mlp's data parallelism at ZeRO stage 0
# (the matrix's rows of the same shapes). Per run: warm-up steps, measured step (median of the second half) and
# predicted/measured; last, per plan, the median over rounds of C2's measured step over C1's (above 1: C1 alone is
# faster) and of each side's predicted/measured.
# Usage: bench/executor-jit.sh [steps] [rounds] (default 100 steps, 3 rounds; about 6 minutes on 2 cores).
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/executor-env.sh
steps="${1:-100}"
rounds="${2:-3}"
./modelpar profile --devices 2 > "$work/profile.txt"
gpt="gpt:layers=4,hidden=64,heads=4,seq=32,vocab=64"
mlp="mlp:layers=4,width=256"
plans=("gpt-pp2|$gpt|--pp 2 --tp 1 --dp 1 --microbatches 4 --schedule 1f1b"
       "mlp-dp2|$mlp|--pp 1 --tp 1 --dp 2 --microbatches 1 --schedule gpipe --zero-stage 0")
for p in "${plans[@]}"; do
  IFS='|' read -r name model degrees <<< "$p"
  # shellcheck disable=SC2086
  ./modelpar plan --model "$model" --cluster local:2 --global-batch 16 $degrees --precision fp32 --optimizer adam \
    --out "$work/$name.json" > /dev/null
done
for r in $(seq 1 "$rounds"); do
  for jit in c2 c1; do
    opts=""
    [ "$jit" = c2 ] && opts="-XX:TieredStopAtLevel=4"
    for p in "${plans[@]}"; do
      IFS='|' read -r name model degrees <<< "$p"
      MODELPAR_JAVA_OPTS="$opts" ./modelpar train --plan "$work/$name.json" --model "$model" --cluster local:2 \
        --steps "$steps" --compare --json --workers processes > "$work/$name-$jit-$r.json"
      python3 - "$work/$name-$jit-$r.json" "$name" "$jit" "$r" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
p, m = r["predictedStepSeconds"], r["measuredStepSeconds"]
print(f"BENCH jit {sys.argv[2]:8s} {sys.argv[3]} round {sys.argv[4]}: warm-up {r['compare']['warmUpSteps']:3d} steps, "
      f"step measured {m*1e3:6.2f} ms, predicted/measured {p/m:5.3f}")
PY
    done
  done
done
python3 - "$work" "$rounds" <<'PY'
import json, statistics, sys
work, rounds = sys.argv[1], int(sys.argv[2])
for name in ("gpt-pp2", "mlp-dp2"):
    def run(jit, r):
        j = json.load(open(f"{work}/{name}-{jit}-{r}.json"))
        return j["measuredStepSeconds"], j["predictedStepSeconds"] / j["measuredStepSeconds"]
    c1 = [run("c1", r) for r in range(1, rounds + 1)]
    c2 = [run("c2", r) for r in range(1, rounds + 1)]
    speed = statistics.median(b[0] / a[0] for a, b in zip(c1, c2))
    print(f"BENCH jit {name}: C2 step / C1 step {speed:.3f} (median of {rounds} rounds); predicted/measured "
          f"C1 {statistics.median(a[1] for a in c1):.3f}, C2 {statistics.median(b[1] for b in c2):.3f}")
PY
echo "BENCH load: $(cut -d' ' -f1-3 /proc/loadavg)"
steal_report executor-jit
