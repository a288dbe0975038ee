#!/usr/bin/env bash
# Runs every benchmark against the build in BUILD_DIR (default build) and prints the results;
# BENCHMARKS.md says how each figure is taken and holds the dated results.
set -euo pipefail
build_dir=${1:-build}

section() { printf '\n=== %s\n' "$1"; }

section "daemon start and idle memory"
"$(dirname "$0")/../bench/daemon_start.sh" "$build_dir" 11 | tail -1

for bench in "$build_dir"/bench/*_bench; do
  section "$(basename "$bench")"
  "$bench" --benchmark_repetitions=3 --benchmark_report_aggregates_only=true
done

section "control plane end to end (hollow executor)"
"$build_dir/bench/control_plane_e2e" --shoal "$build_dir/shoal" --runs 3

for script in "$(dirname "$0")"/../bench/*_e2e.sh; do
  [[ -e "$script" ]] || continue
  section "$(basename "$script")"
  "$script" "$build_dir"
done
