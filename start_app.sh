#!/usr/bin/env bash
# Installs what is missing, builds i2v in release mode and serves the web UI on port 7860.
# Environment: I2V_HOST (default 0.0.0.0), I2V_PORT (7860), I2V_DATA_DIR (data), I2V_MODEL_DIR (Models).
# I2V_BINARY: serve with this prebuilt i2v instead (no install, no build), for a host without a
# Swift toolchain, e.g. a GPU server given a release build made elsewhere (docs/CUDA.md).
set -euo pipefail
if [[ -n "${I2V_BINARY:-}" ]]; then
  binary="$(cd "$(dirname "$I2V_BINARY")" 2>/dev/null && pwd)/$(basename "$I2V_BINARY")"
  [[ -f "$binary" && -x "$binary" ]] || { echo "start_app.sh: I2V_BINARY=$I2V_BINARY is not an executable file" >&2; exit 1; }
  cd "$(dirname "$0")"
  exec "$binary" serve "$@"
fi
cd "$(dirname "$0")"
source scripts/bootstrap.sh
swift build -c release --product i2v
exec .build/release/i2v serve "$@"
