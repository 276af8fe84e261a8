#!/usr/bin/env bash
# The dynamic program over ideals against the DP over the block order, same problems, same run: search
# time and slowest stage per graph and stage count (IdealDpBenchmark). Run from anywhere.
set -euo pipefail
exec "$(dirname "$0")/run.sh" IdealDpBenchmark "$@"
