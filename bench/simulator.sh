#!/usr/bin/env bash
# Simulator benchmarks: engine events per second and one 1F1B step of GPT-3 175B (t=8, p=16, d=12 on
# dgx-a100:192, global batch 1536, micro-batch 1 per replica), lowering + engine; one step of megatron-1t on 3,072 GPUs.
# Prints ratios to the targets (2 M events/s; 1 s per 175B step; 5 s per 1T step), measured as this thread's CPU time so that a
# loaded machine does not distort them, plus a same-run baseline (a bare event-heap loop) for scale.
# Usage: bench/simulator.sh [repetitions]
set -euo pipefail
cd "$(dirname "$0")/.."
# one reactor run, so that the sibling modules resolve to their target/classes
./mvnw -q -o test-compile dependency:build-classpath -pl simulator -am -Dmdep.outputFile=target/bench-classpath.txt >/dev/null
CP="simulator/target/classes:simulator/target/test-classes:$(cat simulator/target/bench-classpath.txt)"
exec java -Xmx6g -cp "$CP" org.modelpar.simulator.SimulatorBench "${1:-5}"
