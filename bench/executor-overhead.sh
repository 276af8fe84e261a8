#!/usr/bin/env bash
# Executor overhead benchmarks, each a ratio measured in one run:
#  - 1-device executor step / a plain loop over the same kernels in the same order, small gpt with Adam
#    (target <= 1.05), OverheadBenchmark;
#  - balanced 2-stage 1F1B pipeline on 2 workers / 1 worker throughput, mlp 7 x 512, 32 micro-batches of 256,
#    steps alternating (target >= 1.7x), PipelineSpeedupBenchmark; also prints the compute contention factor.
# Both need an otherwise idle machine with at least 2 cores (about 2 minutes). Extra arguments go to Maven,
# e.g. -Dbench.microBatchSize=64 -Dbench.microBatches=8 -Dbench.model=mlp:layers=7,width=512.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/cpu-steal.sh
steal_start
./mvnw -q -o test -pl executor -am -Dtest='OverheadBenchmark,PipelineSpeedupBenchmark' -Dtest.excludedGroups= \
  -Dsurefire.failIfNoSpecifiedTests=false "$@" 2>&1 | grep BENCH
steal_report executor-overhead
