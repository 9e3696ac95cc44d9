#!/usr/bin/env bash
# CPU benchmarks of i2v beside PyTorch on the same machine, interleaved in one run so that both
# see the same load (docs/PERFORMANCE.md, "CPU ops" and "UNet (CPU)"). Each measurement is its
# own process (peak RSS is per process); the 1-minute load average is recorded beside it.
#
#   scripts/bench_cpu.sh ops|vae|unet|all
#   env: I2V_BIN (default .build/release/i2v), PYTHON (default python3, needs torch + diffusers),
#        REPS (interleaved repetitions, default 3), THREADS (default 2),
#        CASES (the ops cases, default all: "gemm2048 gemm4096 conv320 conv640 attention4096")
#
# Output: one tab-separated row per measurement
#   impl  case  rep  value  unit  GFLOP/s  peak_RSS_MiB  load1
# then the median per (impl, case) and the Swift/PyTorch time ratio.
set -euo pipefail
cd "$(dirname "$0")/.."
I2V_BIN=${I2V_BIN:-.build/release/i2v}
PYTHON=${PYTHON:-python3}
REPS=${REPS:-3}
THREADS=${THREADS:-2}
CASES=${CASES:-gemm2048 gemm4096 conv320 conv640 attention4096}
what=${1:-all}
rows=$(mktemp)
trap 'rm -f "$rows"' EXIT

load1() { cut -d' ' -f1 /proc/loadavg; }
emit() { printf '%s\n' "$*" | tee -a "$rows"; }
field() { awk -F'\t' -v k="$1" '$1 == k { print $2 }'; }

echo "# machine: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB; i2v: $I2V_BIN; $($PYTHON -c 'import torch; print("torch", torch.__version__)')"
echo "# start: $(date -u +%FT%TZ), load $(cut -d' ' -f1-3 /proc/loadavg)"

ops() {
    local rep=$1
    for c in $CASES; do
        local l; l=$(load1)
        local s; s=$("$I2V_BIN" bench ops --cases "$c" --threads "$THREADS" | tail -1)
        emit "$(printf 'swift\t%s\t%s\t%s\tms\t%s\t%s\t%s' "$c" "$rep" "$(cut -f2 <<<"$s")" "$(cut -f3 <<<"$s")" "$(cut -f4 <<<"$s")" "$l")"
        l=$(load1)
        local t; t=$($PYTHON scripts/bench_reference.py ops --case "$c" --threads "$THREADS" | tail -1)
        emit "$(printf 'torch\t%s\t%s\t%s\tms\t%s\t%s\t%s' "$c" "$rep" "$(cut -f2 <<<"$t")" "$(cut -f3 <<<"$t")" "$(cut -f4 <<<"$t")" "$l")"
    done
}

# One whole-model case: `i2v bench <kind>` then `bench_reference.py <kind>`, reporting the median
# field `key` (seconds) of each: model vae vae512 decode_median_s | model unet unet256x8 step_median_s.
model() {
    local kind=$1 name=$2 key=$3 rep=$4 l out
    l=$(load1); out=$("$I2V_BIN" bench "$kind" --threads "$THREADS" 2>/dev/null)
    emit "$(printf 'swift\t%s\t%s\t%s\ts\t%s\t%.0f\t%s' "$name" "$rep" "$(field "$key" <<<"$out")" "$(field gflop_per_s <<<"$out")" \
        "$(echo "$(field peak_rss_gib <<<"$out") * 1024" | bc)" "$l")"
    l=$(load1); out=$($PYTHON scripts/bench_reference.py "$kind" --threads "$THREADS" 2>/dev/null)
    emit "$(printf 'torch\t%s\t%s\t%s\ts\t-\t%.0f\t%s' "$name" "$rep" "$(field "$key" <<<"$out")" \
        "$(echo "$(field peak_rss_gib <<<"$out") * 1024" | bc)" "$l")"
}
vae() { model vae vae512 decode_median_s "$1"; }
unet() { model unet unet256x8 step_median_s "$1"; }

echo -e "# impl\tcase\trep\tvalue\tunit\tGFLOP/s\tpeak_RSS_MiB\tload1"
for rep in $(seq "$REPS"); do
    case "$what" in
        ops) ops "$rep" ;;
        vae) vae "$rep" ;;
        unet) unet "$rep" ;;
        all) ops "$rep"; vae "$rep"; unet "$rep" ;;
        *) echo "usage: $0 ops|vae|unet|all" >&2; exit 2 ;;
    esac
done
echo "# end: $(date -u +%FT%TZ), load $(cut -d' ' -f1-3 /proc/loadavg)"

# Medians and ratios.
python3 - "$rows" <<'PY'
import sys, statistics
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1]) if l.strip()]
cases = []
by = {}
for impl, case, rep, value, unit, gf, rss, load in rows:
    if case not in cases: cases.append(case)
    by.setdefault((impl, case), []).append((float(value), unit, gf, float(rss), float(load)))
print("# median\tcase\tswift\ttorch\tswift/torch\tswift_RSS_MiB\ttorch_RSS_MiB\tload1_range")
for c in cases:
    s, t = by.get(("swift", c), []), by.get(("torch", c), [])
    if not s or not t: continue
    ms, mt = statistics.median(v[0] for v in s), statistics.median(v[0] for v in t)
    loads = [v[4] for v in s + t]
    print(f"median\t{c}\t{ms:g} {s[0][1]}\t{mt:g} {t[0][1]}\t{ms / mt:.2f}\t{max(v[3] for v in s):.0f}\t{max(v[3] for v in t):.0f}\t{min(loads):.2f}-{max(loads):.2f}")
PY
