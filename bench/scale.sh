#!/usr/bin/env bash
# Scale benchmark: a seeded random layered DAG of N ops (default 100,000) through
# graph -> plan -> simulate with the default JVM heap, each step a separate `./modelpar` JVM timed by
# /usr/bin/time -v (wall seconds, peak RSS). The same pipeline on a DAG of N/10 ops (default 10,000) runs
# first in the same invocation as the baseline; the last column is the N-op figure over the baseline's.
# The baseline's plan also runs twice, in two JVMs, and must give byte-identical plan files.
# Usage: bench/scale.sh [OPS] [CLUSTER]      (work files in $SCALE_DIR, default a fresh temp dir)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
ops="${1:-100000}"
cluster="${2:-dgx-a100}"
base=$((ops / 10))
dir="${SCALE_DIR:-$(mktemp -d)}"
mkdir -p "$dir"
mp="$root/modelpar"
"$mp" models > /dev/null   # builds the CLI if needed, outside the timings

# run NAME ARGS...: runs ./modelpar ARGS, records "NAME wall_s rss_mib cpu_s" in $dir/figures
run() {
  local name="$1"
  shift
  /usr/bin/time -v -o "$dir/$name.time" "$mp" "$@" > "$dir/$name.out" 2> "$dir/$name.err" \
    || { echo "scale: '$name' failed (modelpar $*):" >&2; tail -5 "$dir/$name.err" >&2; exit 1; }
  local wall rss cpu
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; print s}' "$dir/$name.time")
  rss=$(awk -F': ' '/Maximum resident set size/ {printf "%.0f", $2 / 1024}' "$dir/$name.time")
  cpu=$(awk -F': ' '/User time|System time/ {s += $2} END {print s}' "$dir/$name.time")
  echo "$name $wall $rss $cpu" >> "$dir/figures"
}

pipeline() {
  local n="$1"
  local spec="dag:ops=$n,seed=1"
  run "graph-$n" graph --model "$spec" --out "$dir/g$n.json"
  run "plan-$n" plan --graph "$dir/g$n.json" --cluster "$cluster" --global-batch 64 --seed 1 \
    --out "$dir/p$n.json"
  run "simulate-$n" simulate --plan "$dir/p$n.json" --graph "$dir/g$n.json" --json --trace "$dir/t$n.json"
  run "simulate-pp16-$n" simulate --graph "$dir/g$n.json" --cluster "$cluster:2" --pp 16 --microbatches 32 \
    --micro-batch-size 2 --json
}

: > "$dir/figures"
pipeline "$base"
run "plan-again-$base" plan --graph "$dir/g$base.json" --cluster "$cluster" --global-batch 64 --seed 1 \
  --out "$dir/p$base-again.json"
if cmp -s "$dir/p$base.json" "$dir/p$base-again.json"; then
  determinism="byte-identical"
else
  determinism="DIFFERENT"
fi
pipeline "$ops"

heap=$(java -XX:+PrintFlagsFinal -version 2>/dev/null | awk '/ MaxHeapSize / {printf "%.1f GiB", $4 / 2^30}')
echo "scale: DAG of $ops ops vs $base ops (dag:ops=N,seed=1), cluster $cluster; default max heap $heap;"
echo "$(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg); work files in $dir"
echo "columns: wall seconds, CPU seconds (user + sys, all threads), peak RSS MiB; for $base ops, for $ops ops, ratios"
printf "%-14s %8s %8s %8s | %8s %8s %8s | %7s %7s %7s\n" step wall cpu rss wall cpu rss "wall x" "cpu x" "rss x"
for step in graph plan simulate simulate-pp16; do
  read -r _ w0 r0 c0 < <(grep "^$step-$base " "$dir/figures")
  read -r _ w1 r1 c1 < <(grep "^$step-$ops " "$dir/figures")
  awk -v s="$step" -v w0="$w0" -v r0="$r0" -v c0="$c0" -v w1="$w1" -v r1="$r1" -v c1="$c1" \
    'BEGIN {printf "%-14s %8.2f %8.2f %8d | %8.2f %8.2f %8d | %7.2f %7.2f %7.2f\n", s, w0, c0, r0, w1, c1, r1, w1 / w0, c1 / c0, r1 / r0}'
done
grep -h "searched" "$dir/plan-$ops.out" | sed 's/^/plan: /'
grep -h "chosen" "$dir/plan-$ops.out" | sed 's/^ */plan: /'
echo "plan of the $base-op DAG run twice in two JVMs: $determinism"
[ "$determinism" = "byte-identical" ]
