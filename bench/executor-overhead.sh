#!/usr/bin/env bash
# Executor overhead benchmarks (issue 5), each a ratio measured in one run:
#  - 1-device executor step / a plain loop over the same kernels (target <= 1.05), OverheadBenchmark;
#  - balanced 2-stage 1F1B pipeline on 2 workers / 1 worker throughput (target >= 1.7x), PipelineSpeedupBenchmark.
# Both need an otherwise idle machine with at least 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -q -o test -pl executor -am -Dtest='OverheadBenchmark,PipelineSpeedupBenchmark' -Dtest.excludedGroups= \
  -Dsurefire.failIfNoSpecifiedTests=false 2>&1 | grep BENCH
