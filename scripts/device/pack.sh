#!/usr/bin/env bash
# Builds the lean GPU executable (i2v-device) with the Swift runtime linked statically and packs
# it with the shared libraries it needs that a GPU host lacks (OpenBLAS and its Fortran runtime)
# into .device-carry/i2v-device.tar.gz (ignored by git), for the device tool's `carry`.
# CUDA itself is not packed: the binary dlopens the host's libcuda, cuBLAS and NVRTC.
set -euo pipefail
cd "$(dirname "$0")/../.."
swift build -c release --product i2v-device --static-swift-stdlib
out=.device-carry
rm -rf "$out/pkg" && mkdir -p "$out/pkg/lib"
cp .build/release/i2v-device "$out/pkg/"
strip "$out/pkg/i2v-device"
for lib in libopenblas.so.0 libgfortran.so.5 libquadmath.so.0; do
  cp -L "$(ldconfig -p | awk -v l="$lib" '$1==l {print $NF; exit}')" "$out/pkg/lib/"
done
cp scripts/device/run.sh "$out/pkg/"
tar -C "$out/pkg" -czf "$out/i2v-device.tar.gz" .
rm -rf "$out/pkg"
ls -la "$out/i2v-device.tar.gz"
