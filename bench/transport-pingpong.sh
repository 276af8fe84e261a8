#!/usr/bin/env bash
# Per-message cost of the gRPC transport: round trips of a 128 KiB message between two threads of one process
# and between two processes over gRPC on loopback, with idle cores and with both cores computing
# (TransportPingPongBenchmark; about a minute). Extra arguments go to Maven, e.g. -Dbench.count=1000.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/cpu-steal.sh
steal_start
echo "BENCH load: $(cut -d' ' -f1-3 /proc/loadavg)"
./mvnw -q -o test -pl executor -am -Dtest='TransportPingPongBenchmark' -Dtest.excludedGroups= \
  -Dsurefire.failIfNoSpecifiedTests=false "$@" 2>&1 | grep BENCH
steal_report transport-pingpong
