#!/usr/bin/env bash
# Sourced by the executor benchmarks that train through ./modelpar: the CPU steal measurement started
# (bench/cpu-steal.sh), a private MODELPAR_HOME (MODELPAR_HOME_BENCH to reuse one, e.g. a profile already made), a
# work folder in $work, and the load average printed first.
source bench/cpu-steal.sh
steal_start
export MODELPAR_HOME="${MODELPAR_HOME_BENCH:-$(mktemp -d)}"
work=$(mktemp -d)
echo "BENCH load: $(cut -d' ' -f1-3 /proc/loadavg)"
