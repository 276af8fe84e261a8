#!/usr/bin/env bash
# Search time of the two large targets through the CLI, JVM start included: GPT-3 175B on dgx-a100:192 (1,536 GPUs,
# batch 1536; target 60 s) and a 10,000-op random layered DAG on dgx-a100:8 (64 GPUs, batch 512; target 60 s). Each
# `./modelpar plan` runs in its own JVM, timed by /usr/bin/time (wall seconds, and CPU seconds of all threads, which a
# shared machine inflates less); the load average is printed with every run.
# With BEFORE=/path/to/launcher (another build's `modelpar`), each plan is also made by it right before, under the same
# load, and the plan JSON compared byte for byte. With C2=1 each plan is also made with the C2 compiler back on
# (MODELPAR_JAVA_OPTS=-XX:TieredStopAtLevel=4; the launcher runs `plan` on C1 alone), and BEFORE's with C1 alone,
# to separate the JIT from the code. REPS=N repeats the whole set (default 1).  Usage: bench/solver/big-graphs.sh
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
mp="$root/modelpar"
dir="$(mktemp -d)"
"$mp" models > /dev/null   # builds the CLI if needed, outside the timings

run() {   # LABEL LAUNCHER JAVA_OPTS ARGS...: prints wall, CPU and load; the plan goes to $dir/LABEL.json
  local label="$1" launcher="$2" opts="$3" rc=0 load
  shift 3
  load=$(cut -d' ' -f1-3 /proc/loadavg)
  MODELPAR_JAVA_OPTS="$opts" /usr/bin/time -f "%e %U %S" -o "$dir/t" "$launcher" plan "$@" --seed 1 --json \
    > "$dir/$label.json" 2> "$dir/err" || rc=$?
  [ "$rc" -eq 0 ] || { tail -3 "$dir/err" >&2; echo "BENCH big-graph $label failed (exit $rc)"; return; }
  tail -1 "$dir/t" | awk -v l="$label" -v load="$load" '{printf "BENCH big-graph %-26s %7.2f s wall (ratio to 60 s %.3f), %6.2f s CPU, load %s\n", l, $1, $1 / 60, $2 + $3, load}'
}

same() { cmp -s "$dir/$1.json" "$dir/$2.json" && echo "  $1 and $2: same plan" || echo "  $1 and $2: PLAN DIFFERS"; }

echo "big graphs; $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
gpt3=(--model gpt3-175b --cluster dgx-a100:192 --global-batch 1536)
dag=(--model dag:ops=10000,seed=1 --cluster dgx-a100:8 --global-batch 512)
for r in $(seq "${REPS:-1}"); do
  for g in gpt3 dag; do
    declare -n args="$g"
    if [ -n "${BEFORE:-}" ]; then
      run "$g-before-r$r" "$BEFORE" "" "${args[@]}"
    fi
    run "$g-r$r" "$mp" "" "${args[@]}"
    if [ -n "${C2:-}" ]; then
      run "$g-c2-r$r" "$mp" "-XX:TieredStopAtLevel=4" "${args[@]}"
      [ -z "${BEFORE:-}" ] || run "$g-before-c1-r$r" "$BEFORE" "-XX:TieredStopAtLevel=1" "${args[@]}"
    fi
    [ -z "${BEFORE:-}" ] || same "$g-before-r$r" "$g-r$r"
    [ -z "${C2:-}" ] || same "$g-c2-r$r" "$g-r$r"
  done
done
echo "load average now $(cut -d' ' -f1-3 /proc/loadavg)"
