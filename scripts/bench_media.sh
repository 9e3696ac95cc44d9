#!/usr/bin/env bash
# Media benchmark (not a test): encode 16 and 64 frames at 512² and 768², decode a 4000x3000
# JPEG, with i2v (release build) beside the ffmpeg, cwebp and img2webp command-line tools on
# the same inputs in the same run. Prints a Markdown table for docs/PERFORMANCE.md.
#
#   scripts/bench_media.sh [path/to/i2v]      (default .build/release/i2v)
#
# Inputs are generated here with ffmpeg's lavfi sources (smooth moving gradients plus film-like
# noise, closer to photos than test cards). Needs ffmpeg, cwebp, img2webp and GNU time.
set -euo pipefail
cd "$(dirname "$0")/.."
I2V=${1:-.build/release/i2v}
[[ -x "$I2V" ]] || { echo "build it first: swift build -c release --product i2v" >&2; exit 1; }
for tool in ffmpeg cwebp img2webp /usr/bin/time; do command -v "$tool" >/dev/null || { echo "missing $tool" >&2; exit 1; }; done
REPEAT=${REPEAT:-3}
WORK=$(mktemp -d /tmp/i2v-bench-media.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

frames() {   # frames SIZE COUNT DIR
  mkdir -p "$3"
  ffmpeg -v error -f lavfi -i "gradients=s=$1x$1:speed=0.03:rate=16,noise=alls=2:allf=t,format=rgb24" \
    -frames:v "$2" "$3/%04d.png"
}
# Wall time (ms) and peak RSS (MB) of a command, best of $REPEAT runs by time.
measure() {
  local best_ms="" best_mb=""
  for _ in $(seq "$REPEAT"); do
    /usr/bin/time -f "%e %M" -o "$WORK/time" "$@" >/dev/null 2>"$WORK/err" || { cat "$WORK/err" >&2; return 1; }
    read -r secs kb < "$WORK/time"
    local ms; ms=$(awk -v s="$secs" 'BEGIN{printf "%.0f", s*1000}')
    if [[ -z "$best_ms" || "$ms" -lt "$best_ms" ]]; then best_ms=$ms; best_mb=$(awk -v k="$kb" 'BEGIN{printf "%.0f", k/1024}'); fi
  done
  echo "$best_ms $best_mb"
}
json() { sed -n "s/.*\"$2\": \"\\([^\"]*\\)\".*/\\1/p" <<<"$1"; }

echo "machine: $(uname -m), $(nproc) cores, $(awk '/model name/{$1=$2=$3="";print;exit}' /proc/cpuinfo | sed 's/^ *//'), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "i2v: $I2V; ffmpeg $(ffmpeg -version | head -1 | cut -d' ' -f3); cwebp $(cwebp -version); repeat $REPEAT"
echo
echo "| task | size | frames | i2v in-process ms/frame | i2v CLI ms/frame (PNG in) | tool | tool ms/frame (PNG in) | i2v bytes | tool bytes |"
echo "|---|---|---|---|---|---|---|---|---|"
for size in 512 768; do
  for n in 16 64; do
    dir="$WORK/f${size}_$n"
    frames "$size" "$n" "$dir"
    # H.264: i2v library, i2v CLI end to end, ffmpeg CLI with the same settings.
    j=$("$I2V" media bench --task mp4 --frames-dir "$dir" --fps 16 --preset medium --crf 18 --repeat "$REPEAT")
    read -r cli_ms _ < <(measure "$I2V" media encode --frames-dir "$dir" --fps 16 --crf 18 --preset medium --out "$WORK/i2v.mp4")
    read -r ff_ms _ < <(measure ffmpeg -v error -y -framerate 16 -i "$dir/%04d.png" -c:v libx264 -preset medium -crf 18 \
      -profile:v high -pix_fmt yuv420p -vf scale=out_color_matrix=bt709:out_range=tv -color_primaries bt709 -color_trc bt709 \
      -colorspace bt709 -movflags +faststart "$WORK/ff.mp4")
    echo "| H.264 MP4 (CRF 18, medium) | ${size}² | $n | $(json "$j" ms_per_unit_median) | $(awk -v a="$cli_ms" -v n="$n" 'BEGIN{printf "%.1f", a/n}') | ffmpeg libx264 | $(awk -v a="$ff_ms" -v n="$n" 'BEGIN{printf "%.1f", a/n}') | $(stat -c %s "$WORK/i2v.mp4") | $(stat -c %s "$WORK/ff.mp4") |"
    # Animated WebP (q80): i2v library vs img2webp (animation) and cwebp (each frame as a still).
    j=$("$I2V" media bench --task webp --frames-dir "$dir" --fps 16 --repeat "$REPEAT")
    read -r img_ms _ < <(measure img2webp -lossy -q 80 -d 62 -loop 0 "$dir"/*.png -o "$WORK/img.webp")
    echo "| animated WebP (q80) | ${size}² | $n | $(json "$j" ms_per_unit_median) | – | img2webp | $(awk -v a="$img_ms" -v n="$n" 'BEGIN{printf "%.1f", a/n}') | $(json "$j" bytes) | $(stat -c %s "$WORK/img.webp") |"
    read -r cw_ms _ < <(measure cwebp -quiet -q 80 "$dir/0001.png" -o "$WORK/one.webp")
    echo "| still WebP (q80), 1 frame | ${size}² | 1 | – | – | cwebp | $cw_ms | – | $(stat -c %s "$WORK/one.webp") |"
    j=$("$I2V" media bench --task gif --frames-dir "$dir" --fps 16 --repeat "$REPEAT")
    read -r gif_ms _ < <(measure ffmpeg -v error -y -framerate 16 -i "$dir/%04d.png" \
      -vf "split[a][b];[a]palettegen=stats_mode=full[p];[b][p]paletteuse=dither=floyd_steinberg" "$WORK/ff.gif")
    echo "| GIF (clip palette, FS dither) | ${size}² | $n | $(json "$j" ms_per_unit_median) | – | ffmpeg palettegen/paletteuse | $(awk -v a="$gif_ms" -v n="$n" 'BEGIN{printf "%.1f", a/n}') | $(json "$j" bytes) | $(stat -c %s "$WORK/ff.gif") |"
  done
done

echo
ffmpeg -v error -f lavfi -i "gradients=s=4000x3000:speed=0.01,noise=alls=2:allf=t,format=yuvj420p" -frames:v 1 -q:v 2 "$WORK/big.jpg"
echo "| decode 4000x3000 JPEG ($(stat -c %s "$WORK/big.jpg") bytes, 4:2:0 baseline) | ms (in-process, median) | ms (process wall, best) | peak RSS MB |"
echo "|---|---|---|---|"
j=$("$I2V" media bench --task decode --in "$WORK/big.jpg" --repeat "$REPEAT")
read -r i2v_ms i2v_mb < <(measure "$I2V" media bench --task decode --in "$WORK/big.jpg" --repeat 1)
read -r base_ms base_mb < <(measure "$I2V" version)
js=$("$I2V" media bench --task decode --in "$WORK/big.jpg" --min-short-side 768 --repeat "$REPEAT")
read -r ffd_ms ffd_mb < <(measure ffmpeg -v error -i "$WORK/big.jpg" -f null -)
read -r cwd_ms cwd_mb < <(measure cwebp -quiet -q 80 "$WORK/big.jpg" -o "$WORK/big.webp")
echo "| i2v ImageDecoder (libjpeg-turbo) | $(json "$j" ms_median) | $i2v_ms | $i2v_mb (process baseline $base_mb) |"
echo "| i2v ImageDecoder, DCT-scaled for a 768 px target ($(json "$js" width)x$(json "$js" height)) | $(json "$js" ms_median) | – | – |"
echo "| ffmpeg -i big.jpg -f null - | – | $ffd_ms | $ffd_mb |"
echo "| cwebp big.jpg (decode + WebP encode) | – | $cwd_ms | $cwd_mb |"

echo
echo "| prepare the 4000x3000 JPEG to 16:9 at 512 (912x512, pad, Lanczos, PNG out) | ms (process wall, best) | peak RSS MB |"
echo "|---|---|---|"
read -r p_ms p_mb < <(measure "$I2V" media prepare --in "$WORK/big.jpg" --aspect 16:9 --size 512 --mode pad --out "$WORK/prep.png")
read -r fp_ms fp_mb < <(measure ffmpeg -v error -y -i "$WORK/big.jpg" -vf "scale=683:512:flags=lanczos,pad=912:512:(ow-iw)/2:0:white" "$WORK/ffprep.png")
echo "| i2v media prepare (Pillow-exact Lanczos) | $p_ms | $p_mb |"
echo "| ffmpeg scale=lanczos + pad | $fp_ms | $fp_mb |"
