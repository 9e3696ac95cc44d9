#!/usr/bin/env bash
# Installs the system libraries and tools i2v needs (Debian packages) when they are missing.
# Safe to run repeatedly; does nothing when everything is present.
set -euo pipefail

PACKAGES=(
  pkg-config
  libopenblas-dev                      # CPU GEMM
  libavcodec-dev libavformat-dev libavutil-dev libswscale-dev   # H.264 MP4 encoding
  libjpeg-dev libpng-dev libwebp-dev   # image decode / WebP encode
  libsqlite3-dev                       # job store (GRDB)
  zlib1g-dev                           # batch zip archives (ZIPFoundation)
  ffmpeg                               # ffprobe, used by tests and benchmarks
  webp                                 # cwebp, used by the media benchmark
)
if [[ "${I2V_WITH_BROWSER:-0}" == "1" ]]; then
  PACKAGES+=(chromium chromium-driver fonts-noto-cjk)  # web UI tests (CJK fonts for the Chinese UI screenshots)
fi

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if (( ${#missing[@]} )); then
  echo "bootstrap: installing ${missing[*]}"
  SUDO=""
  [[ $(id -u) -ne 0 ]] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

if ! command -v swift >/dev/null 2>&1; then
  for d in /opt/swift/usr/bin /usr/share/swift/usr/bin; do
    [[ -x "$d/swift" ]] && export PATH="$d:$PATH"
  done
fi
command -v swift >/dev/null 2>&1 || { echo "bootstrap: Swift 6 toolchain not found (expected /opt/swift)"; exit 1; }
