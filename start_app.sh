#!/usr/bin/env bash
# Installs what is missing, builds i2v in release mode and serves the web UI on port 7860.
# Environment: I2V_HOST (default 0.0.0.0), I2V_PORT (7860), I2V_DATA_DIR (data), I2V_MODEL_DIR (Models).
set -euo pipefail
cd "$(dirname "$0")"
source scripts/bootstrap.sh
swift build -c release --product i2v
exec .build/release/i2v serve "$@"
