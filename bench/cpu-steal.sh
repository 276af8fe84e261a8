#!/usr/bin/env bash
# Sourced by the benchmarks: `steal_start` before a measurement, `steal_report NAME` after it prints the
# share of CPU time the hypervisor took from this VM in between (the steal column of /proc/stat) and the
# share that was idle. A virtual machine's vCPUs can be descheduled or share a physical core with another
# guest; a pipeline of two workers stalls whenever either one is, so its ratios are only comparable when
# the steal is low.
steal_read() { awk '/^cpu /{t=0; for(i=2;i<=NF;i++) t+=$i; print $9, $5, t}' /proc/stat; }
steal_start() { read -r STEAL0 IDLE0 TOTAL0 < <(steal_read); }
steal_report() {
  local s i t
  read -r s i t < <(steal_read)
  awk -v n="$1" -v s=$((s - STEAL0)) -v i=$((i - IDLE0)) -v t=$((t - TOTAL0)) \
    'BEGIN { if (t > 0) printf "BENCH %s: cpu steal %.1f%%, idle %.1f%% of the run\n", n, 100 * s / t, 100 * i / t }'
}
