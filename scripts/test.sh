#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test. CI runs exactly this (via .ci/run).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/bootstrap.sh

echo "== build"
swift build --build-tests
echo "== test"
swift test --skip-build
