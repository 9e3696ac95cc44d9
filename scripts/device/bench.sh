#!/usr/bin/env bash
# On the GPU host (device tool), from the repository root, with .device-carry carried:
#   scripts/device/bench.sh [i2v-device bench options]
# Unpacks i2v-device, installs the carried diffusers wheel into a private folder, and prints
# i2v's and diffusers' timings on the same card in one table.
set -euo pipefail
work=/tmp/i2v-device
mkdir -p "$work" && tar -C "$work" -xzf .device-carry/i2v-device.tar.gz
python3 -m pip install -q --no-index --no-deps --no-compile --target /tmp/site .device-carry/diffusers-*.whl >/dev/null
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader
echo -e "work\tms\tpeak_GiB\tdevice"
"$work/run.sh" bench "$@" | tail -n +2
PYTHONPATH=/tmp/site python3 scripts/device/bench_diffusers.py
