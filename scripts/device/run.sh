#!/usr/bin/env bash
# On the GPU host: unpack next to this script and run `i2v-device "$@"` with the packed libraries.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
export LD_LIBRARY_PATH="$here/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
exec "$here/i2v-device" "$@"
