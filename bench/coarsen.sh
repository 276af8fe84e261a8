#!/usr/bin/env bash
# Coarsening speed on a seeded random DAG (default 100,000 ops), as a ratio against building the graph.
# Usage: bench/coarsen.sh [OPS]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
./mvnw -q -o test-compile -pl graph -am >&2
./mvnw -q -o dependency:build-classpath -pl graph -Dmdep.outputFile=target/bench-classpath.txt -Dmdep.includeScope=test >&2
exec java -Xmx2g -cp "graph/target/test-classes:graph/target/classes:$(cat graph/target/bench-classpath.txt)" \
  org.modelpar.graph.coarsen.CoarsenBench "${1:-100000}"
