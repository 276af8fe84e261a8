#!/usr/bin/env bash
# Device lookup by id on a 1,536-device cluster: O(1) index vs the linear scan baseline, same run.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
[ -f "$root/cli/target/classpath.txt" ] || (cd "$root" && ./mvnw -q -B -DskipTests package)
exec java -cp "$root/profiles/target/classes:$(cat "$root/cli/target/classpath.txt")" "$root/bench/ClusterLookupBench.java"
