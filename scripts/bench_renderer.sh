#!/usr/bin/env bash
# Template renderer benchmark: 16 frames at 512x512 for several templates, release build.
# Prints a markdown table (wall time best of 3, process CPU time) for docs/PERFORMANCE.md.
# Usage: scripts/bench_renderer.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export I2V_TEST_TARGETS=MotionTests
# The benchmark lives in the Motion test target (it reuses the test fixtures); -enable-testing
# lets the release build compile the tests' @testable imports.
swift build -c release --build-tests -Xswiftc -enable-testing
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load $(cut -d' ' -f1-3 /proc/loadavg)"
I2V_BENCH=1 swift test -c release --skip-build -Xswiftc -enable-testing --filter RendererBenchmark 2>&1 \
    | grep -E '^\||^load average'
