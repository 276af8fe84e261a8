#!/usr/bin/env bash
# Solver benchmarks. Each prints "BENCH ..." lines with its figure as a ratio against a baseline
# measured in the same run. Run from the repository root:  bench/solver/run.sh [TestClass[#method]]
# Classes: SearchTimeBenchmark, ExhaustiveBenchmark, DagBenchmark, IdealDpBenchmark, MegatronBenchmark (slow: all ten Megatron rows take long;
# -Dmegatron.rows=N limits them to the first N rows).
set -euo pipefail
cd "$(dirname "$0")/../.."
tests="${1:-SearchTimeBenchmark,ExhaustiveBenchmark,DagBenchmark,IdealDpBenchmark,MegatronBenchmark}"
./mvnw -q -o verify -pl solver -am -Dtest="$tests" -Dsurefire.failIfNoSpecifiedTests=false \
  -Dtest.excludedGroups=gpu "${@:2}" 2>&1 | grep -E "^BENCH|FAIL|ERROR\]" || true
