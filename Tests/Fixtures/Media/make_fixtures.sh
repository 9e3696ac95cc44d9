#!/usr/bin/env bash
# Regenerates the small decoder fixtures in this folder from independent writers (Pillow, ffmpeg,
# cwebp), so the decoder is tested on files it did not produce itself. Not run by the tests.
# Every still image is 96x64 with four solid quadrants: top-left red, top-right green,
# bottom-left blue, bottom-right yellow (quadrants align with JPEG's 16x16 MCUs).
# Needs: a Python with Pillow (e.g. /work/pyref/bin/python), ffmpeg.
set -euo pipefail
cd "$(dirname "$0")"
PY=${PY:-/work/pyref/bin/python}
"$PY" - <<'PYEOF'
from PIL import Image
W, H = 96, 64
Q = [(255, 0, 0), (0, 255, 0), (0, 0, 255), (255, 255, 0)]
def quadrants(mode="RGB"):
    im = Image.new("RGB", (W, H))
    px = im.load()
    for y in range(H):
        for x in range(W):
            px[x, y] = Q[(y >= H // 2) * 2 + (x >= W // 2)]
    return im if mode == "RGB" else im.convert(mode)
q = quadrants()
q.save("quadrants.jpg", quality=95)
q.save("progressive.jpg", quality=95, progressive=True)
# EXIF orientation 6 (rotate 90 degrees clockwise for display).
exif = Image.Exif(); exif[0x0112] = 6
q.save("orientation6.jpg", quality=95, exif=exif.tobytes())
q.convert("L").save("grey.jpg", quality=95)
# Pillow writes CMYK JPEGs inverted with an Adobe APP14 marker, like Photoshop.
q.convert("CMYK").save("cmyk_adobe.jpg", quality=95)
q.save("quadrants.png")
q.convert("L").save("grey.png")
# Alpha: left half transparent, right half opaque (composited over white: left white).
a = q.convert("RGBA"); pa = a.load()
for y in range(H):
    for x in range(W // 2):
        r, g, b, _ = pa[x, y]; pa[x, y] = (r, g, b, 0)
a.save("alpha.png")
la = q.convert("LA"); pl = la.load()
for y in range(H):
    for x in range(W // 2):
        l, _ = pl[x, y]; pl[x, y] = (l, 0)
la.save("grey_alpha.png")
# Palette with a transparent index (tRNS): the red quadrant's colour is transparent.
p = q.quantize(colors=4)
red_index = p.getpixel((0, 0))
p.save("palette_trns.png", transparency=red_index)
p.save("palette.png")
q.save("lossy.webp", quality=90)
q.save("lossless.webp", lossless=True)
a.save("alpha_lossy.webp", quality=90)
a.save("alpha_lossless.webp", lossless=True)
frames = [Image.new("RGB", (W, H), c) for c in [(255, 0, 0), (0, 255, 0), (0, 0, 255)]]
frames[0].save("animated.webp", save_all=True, append_images=frames[1:], duration=100, loop=0, lossless=True)
PYEOF
# 16-bit PNGs (Pillow cannot write 16-bit RGB): ffmpeg converts the 8-bit file.
ffmpeg -v error -y -i quadrants.png -pix_fmt rgb48be rgb16.png
ffmpeg -v error -y -i alpha.png -pix_fmt rgba64be rgba16.png
ffmpeg -v error -y -i quadrants.png -pix_fmt gray16be grey16.png


# Pillow resize parity: a 48x32 textured input and Pillow's output for each filter and case.
"$PY" - <<'PYEOF'
import numpy as np
from PIL import Image
rng = np.random.default_rng(7)
y, x = np.mgrid[0:32, 0:48]
base = np.stack([128 + 100 * np.sin(x / 5.0), 128 + 100 * np.cos(y / 4.0), (x * 5 + y * 3) % 256], -1)
img = np.clip(base + rng.normal(0, 25, base.shape), 0, 255).astype(np.uint8)
src = Image.fromarray(img, "RGB")
src.save("resample_input.png")
filters = {"box": Image.Resampling.BOX, "bilinear": Image.Resampling.BILINEAR, "hamming": Image.Resampling.HAMMING,
           "bicubic": Image.Resampling.BICUBIC, "lanczos": Image.Resampling.LANCZOS}
cases = {"down": ((20, 13), None), "up": ((77, 50), None), "mixed": ((60, 15), None),
         "box": ((25, 21), (3.5, 2.25, 40.0, 30.5))}
for fname, f in filters.items():
    for cname, (size, box) in cases.items():
        src.resize(size, resample=f, box=box).save(f"resample_{fname}_{cname}.png")
PYEOF
