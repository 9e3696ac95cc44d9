#!/usr/bin/env bash
# Builds the product executable (`i2v`: server, web UI, CLI) with the Swift runtime linked
# statically and packs it with every shared library it loads that a GPU host may lack (FFmpeg and
# its codecs, libjpeg/png/webp, SQLite, OpenBLAS…; the C runtime's own libraries stay the host's)
# into two archives (ignored by git) for the device tool's `carry`: .device-carry/app-libs.tar.xz
# (the libraries, about 54 MB) and .device-carry/app-bin.tar.xz (the stripped executable and its
# wrapper, about 22 MB). Together they exceed one call's 64 MiB, so the libraries travel in one call
# and are unpacked into the ignored .device-app/, which a warm machine keeps for the next call.
# CUDA itself is not packed: the binary dlopens the host's libcuda, cuBLAS, cuDNN and NVRTC.
#
# On the GPU host, from the repository root (see scripts/device/serve_check.py):
#   mkdir -p .device-app && tar -C .device-app -xJf .device-carry/app-libs.tar.xz   # first call
#   tar -C .device-app -xJf .device-carry/app-bin.tar.xz                            # next call
#   .device-app/i2v serve --model-dir … --device cuda:0
set -euo pipefail
cd "$(dirname "$0")/../.."
swift build -c release --product i2v --static-swift-stdlib
out=.device-carry
rm -rf "$out/app" && mkdir -p "$out/app/lib"
cp .build/release/i2v "$out/app/i2v-bin"
strip "$out/app/i2v-bin"
# SwiftPM resource bundles (the motion templates, …) are looked up beside the executable.
cp -R .build/release/*.resources "$out/app/"
ldd .build/release/i2v | awk '$2 == "=>" && $3 ~ /^\// {print $3}' \
  | grep -vE '/(libc|libm|libdl|libpthread|librt|libresolv|libutil)\.so|/ld-linux' \
  | while read -r lib; do cp -L "$lib" "$out/app/lib/"; done
cat > "$out/app/i2v" <<'EOF'
#!/usr/bin/env bash
# i2v with the libraries packed beside it (scripts/device/pack_app.sh).
here="$(cd "$(dirname "$0")" && pwd)"
export LD_LIBRARY_PATH="$here/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
exec "$here/i2v-bin" "$@"
EOF
chmod +x "$out/app/i2v"
tar -C "$out/app" -cf - lib | xz -9 -T2 > "$out/app-libs.tar.xz"
(cd "$out/app" && tar -cf - i2v i2v-bin *.resources) | xz -9 -T2 > "$out/app-bin.tar.xz"
ls -la "$out/app-libs.tar.xz" "$out/app-bin.tar.xz"
rm -rf "$out/app"
