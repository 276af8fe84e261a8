#!/usr/bin/env bash
# gRPC transport cost: a 2-stage 1F1B pipeline of the small gpt as two worker processes talking gRPC on
# loopback, over the same plan on two worker threads, measured in one run in rounds (threads, processes, threads,
# processes, ..., threads; 3 rounds); prints each round's processes/threads throughput and their median, least and
# greatest (target >= 0.9), the processes on C2 as the threads' JVM, and beside it the ratio of processes on C1 alone
# as train starts them, TransportCostBenchmark; first the per-message cost under it,
# round trips of a 128 KiB message between two threads and between two processes over gRPC, with idle cores and with
# both cores computing, TransportPingPongBenchmark. Needs an otherwise idle machine with at least 2 cores (about
# 10 minutes). Extra arguments go to Maven, e.g. -Dbench.steps=80 -Dbench.rounds=1 -Dbench.count=1000.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/cpu-steal.sh
steal_start
echo "BENCH load: $(cut -d' ' -f1-3 /proc/loadavg)"
./mvnw -q -o test -pl executor -am -Dtest='TransportPingPongBenchmark,TransportCostBenchmark' -Dtest.excludedGroups= \
  -Dsurefire.failIfNoSpecifiedTests=false "$@" 2>&1 | grep BENCH
steal_report executor-transport
