#!/usr/bin/env bash
# Search time of every graph of at most 1,000 ops on 16 devices (dgx-a100:2), after JVM start: each
# `./modelpar plan` runs in its own JVM, timed from process start to exit by /usr/bin/time (wall seconds,
# and CPU seconds of all threads, which a shared machine inflates less). A graph that fits no plan on the
# cluster (exit 3, "nothing fits") is timed too: the answer is the search's.
# Graphs: the zoo models whose graph has at most 1,000 ops, PipeDream's profiles in ../shared/data
# (vgg16, gnmt, ...), and seeded random layered DAGs of 250, 500 and 1,000 ops. Baseline, measured in the
# same run: the same JVM starting and printing the model list (`./modelpar models`). Target: every plan
# within 2 s (the last column, wall / 2 s, at most 1).   Usage: bench/solver/small-graphs.sh [CLUSTER] [BATCH]
# With BEFORE=/path/to/launcher (another build's `modelpar`), each graph is also planned by it right before,
# so a change is measured against its baseline under the same load ("before" columns, and whether the plan
# JSON is byte-identical). With ONLY=REGEX (grep -E), only the graphs whose arguments match are planned (e.g.
# ONLY='70b|72b|76b', or ONLY='dag:|mixtral|t5-' for the graphs of the DAG path), to keep a locked run short.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cluster="${1:-dgx-a100:2}"
batch="${2:-64}"
mp="$root/modelpar"
dir="$(mktemp -d)"
"$mp" models > "$dir/models"   # builds the CLI if needed, outside the timings

timed() {   # "wall cpu" seconds of `LAUNCHER ARGS` in a fresh JVM; exit 3 (nothing fits) counts
  local rc=0
  local launcher="$1"
  shift
  /usr/bin/time -f "%e %U %S" -o "$dir/t" "$launcher" "$@" > "$dir/out" 2> "$dir/err" || rc=$?
  if [ "$rc" -ne 0 ] && [ "$rc" -ne 3 ]; then
    tail -3 "$dir/err" >&2
    echo "nan nan"
    return
  fi
  tail -1 "$dir/t" | awk '{print $1, $2 + $3}'   # after a "Command exited with non-zero status" line
}

wanted() { [[ "$1" =~ ${ONLY:-.} ]]; }

read -r base base_cpu < <(timed "$mp" models)
graphs=()
for m in $(awk 'NR > 1 && $1 != "Also:" && NF > 2 {print $1}' "$dir/models"); do
  wanted "--model $m" || continue
  ops=$("$mp" graph --model "$m" | awk '$1 == "ops" {gsub(",", "", $2); print $2}')
  [ "${ops:-99999}" -le 1000 ] && graphs+=("--model $m")
done
for f in "$root"/../shared/data/pipedream/*.graph.txt; do
  [ -f "$f" ] && wanted "--graph $f" && graphs+=("--graph $f --format pipedream")
done
for n in 250 500 1000; do
  wanted "--model dag:ops=$n,seed=1" && graphs+=("--model dag:ops=$n,seed=1")
done
echo "small graphs on $cluster, batch $batch; $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "baseline: JVM start + model list $base s wall, $base_cpu s CPU"
worst=0
for g in "${graphs[@]}"; do
  before=""
  if [ -n "${BEFORE:-}" ]; then
    # shellcheck disable=SC2086
    read -r bs bcpu < <(timed "$BEFORE" plan $g --cluster "$cluster" --global-batch "$batch" --seed 1 --json)
    cp "$dir/out" "$dir/before.json"
    # shellcheck disable=SC2086
    timed "$mp" plan $g --cluster "$cluster" --global-batch "$batch" --seed 1 --json > /dev/null
    same=$(cmp -s "$dir/out" "$dir/before.json" && echo "same plan" || echo "PLAN DIFFERS")
    before=$(printf " | before %6s s wall, %5.2f s CPU, %s" "$bs" "$bcpu" "$same")
  fi
  # shellcheck disable=SC2086
  read -r s cpu < <(timed "$mp" plan $g --cluster "$cluster" --global-batch "$batch" --seed 1)
  chosen=$(grep -m1 "chosen:" "$dir/out" | sed 's/^ *chosen: //; s/, step.*//' || true)
  [ -n "$chosen" ] || chosen="nothing fits"
  printf "BENCH small-graph %-45s %6s s wall (baseline x %.1f, ratio to 2 s %.3f), %5.2f s CPU (baseline x %.1f) %s%s\n" \
    "${g##*/}" "$s" "$(awk -v a="$s" -v b="$base" 'BEGIN {print a / b}')" "$(awk -v a="$s" 'BEGIN {print a / 2}')" \
    "$cpu" "$(awk -v a="$cpu" -v b="$base_cpu" 'BEGIN {print a / b}')" "$chosen" "$before"
  worst=$(awk -v a="$s" -v w="$worst" 'BEGIN {print (a > w || a == "nan") ? a : w}')
done
echo "worst: $worst s wall (ratio to 2 s $(awk -v a="$worst" 'BEGIN {print a / 2}')); load average now $(cut -d' ' -f1-3 /proc/loadavg)"
