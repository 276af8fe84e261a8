#!/usr/bin/env bash
# Simulator benchmarks: engine events per second and one 1F1B step of GPT-3 175B (t=8, p=16, d=12 on
# dgx-a100:192, global batch 1536, micro-batch 1 per replica), lowering + engine.
# Prints ratios to the targets (2 M events/s; 1 s per step), measured as this thread's CPU time so that a
# loaded machine does not distort them, plus a same-run baseline (a bare event-heap loop) for scale.
# Usage: bench/simulator.sh [repetitions]
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -q -o test-compile -pl simulator -am
./mvnw -q -o dependency:build-classpath -pl simulator -Dmdep.outputFile="$PWD/simulator/target/bench-classpath.txt" >/dev/null
CP="simulator/target/classes:simulator/target/test-classes:graph/target/classes:profiles/target/classes:$(cat simulator/target/bench-classpath.txt)"
exec java -Xmx6g -cp "$CP" org.modelpar.simulator.SimulatorBench "${1:-5}"
