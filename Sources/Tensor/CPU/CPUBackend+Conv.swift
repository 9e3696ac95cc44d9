// conv2d as im2col + GEMM. Large maps: one GEMM per image, blocked over output rows so the column
// buffer stays within `convColumnBudgetBytes`. Small maps (the UNet's deep levels, where an image
// has 16–256 output pixels): several images share one column buffer and one GEMM, whose result is
// scattered back to [N, O, H, W] with the bias added on the way.
extension CPUBackend {
    /// Geometry of one conv2d call (input [C, H, W] per image, kernel kh×kw, output ho×wo).
    struct ConvGeometry {
        let c: Int, h: Int, w: Int, kh: Int, kw: Int, stride: Int, padding: Padding2D, ho: Int, wo: Int
        var kdim: Int { c * kh * kw }
        var hw: Int { ho * wo }

        /// Writes row `kk` (input channel, kernel y, kernel x) of the column matrix for output rows
        /// `r0..<r0+rows` of one image: `rows·wo` values at `dst`, zero where the kernel reads padding.
        @inline(__always)
        func fillColumnRow(_ kk: Int, image src: UnsafePointer<Float>, r0: Int, rows: Int, dst: UnsafeMutablePointer<Float>) {
            let ci = kk / (kh * kw)
            let ky = (kk / kw) % kh
            let kx = kk % kw
            let plane = src + ci * h * w
            for ry in 0..<rows {
                let iy = (r0 + ry) * stride - padding.top + ky
                let drow = dst + ry * wo
                if iy < 0 || iy >= h {
                    drow.initialize(repeating: 0, count: wo)
                    continue
                }
                let srow = plane + iy * w
                if stride == 1 {
                    // ix = ox - left + kx; valid ox in [lo, hi)
                    let shift = kx - padding.left
                    let lo = max(0, -shift), hi = min(wo, w - shift)
                    if lo > 0 { drow.initialize(repeating: 0, count: min(lo, wo)) }
                    if hi > lo { (drow + lo).update(from: srow + lo + shift, count: hi - lo) }
                    if hi < wo { (drow + max(hi, 0)).initialize(repeating: 0, count: wo - max(hi, 0)) }
                } else {
                    for ox in 0..<wo {
                        let ix = ox * stride - padding.left + kx
                        drow[ox] = (ix >= 0 && ix < w) ? srow[ix] : 0
                    }
                }
            }
        }
    }

    /// Images per GEMM for `g` under this backend's settings (1 = per-image path).
    func convImagesPerGEMM(_ g: ConvGeometry, images n: Int) -> Int {
        guard convBatchColumns > 0, g.hw < convBatchColumns, n > 1 else { return 1 }
        let wanted = (convBatchColumns + g.hw - 1) / g.hw
        let fit = convColumnBudgetBytes / max(1, g.kdim * g.hw * 4)
        return max(1, min(n, wanted, fit))
    }

    public func conv2d(_ x: Tensor, weight: Tensor, bias: Tensor?, stride: Int, padding: Padding2D) -> Tensor {
        precondition(x.rank == 4 && weight.rank == 4 && x.shape[1] == weight.shape[1],
                     "conv2d: input \(x.shape) and weight \(weight.shape) do not match")
        let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let (o, kh, kw) = (weight.shape[0], weight.shape[2], weight.shape[3])
        let ho = (h + padding.top + padding.bottom - kh) / stride + 1
        let wo = (w + padding.left + padding.right - kw) / stride + 1
        precondition(ho > 0 && wo > 0, "conv2d: output would be empty for input \(x.shape), kernel \(kh)x\(kw)")
        let g = ConvGeometry(c: c, h: h, w: w, kh: kh, kw: kw, stride: stride, padding: padding, ho: ho, wo: wo)
        let out = empty([n, o, ho, wo])
        let outP = mutablePointer(out)
        let group = convImagesPerGEMM(g, images: n)
        var biasDone = false
        withFloats(x) { xp in
            withFloats(weight) { wp in
                if group > 1 {
                    let biasValues = bias.map { toHost($0) }
                    conv2dBatched(g, xp, wp, outP, images: n, outChannels: o, group: group, bias: biasValues)
                    biasDone = true
                } else {
                    conv2dPerImage(g, xp, wp, outP, images: n, outChannels: o)
                }
            }
        }
        if let bias, !biasDone { addChannelBias(outP, bias: bias, outer: n, channels: o, inner: g.hw) }
        return out
    }

    /// One GEMM per image (column blocks of whole output rows; 1×1 stride-1 convs read the input directly).
    private func conv2dPerImage(_ g: ConvGeometry, _ xp: UnsafePointer<Float>, _ wp: UnsafePointer<Float>,
                                _ outP: UnsafeMutablePointer<Float>, images n: Int, outChannels o: Int) {
        let (c, h, w, hw, kdim) = (g.c, g.h, g.w, g.hw, g.kdim)
        if g.kh == 1 && g.kw == 1 && g.stride == 1 && g.padding == .same(0) {
            for s in 0..<n {
                sgemm(transB: false, m: o, n: hw, k: c, a: wp, lda: c, b: xp + s * c * h * w, ldb: h * w,
                      beta: 0, c: outP + s * o * hw, ldc: hw)
            }
            return
        }
        let rowsPerBlock = max(1, min(g.ho, convColumnBudgetBytes / max(1, kdim * g.wo * 4)))
        let col = scratch(kdim * rowsPerBlock * g.wo)
        defer { releaseScratch(col, kdim * rowsPerBlock * g.wo) }
        for s in 0..<n {
            let src = xp + s * c * h * w
            var r0 = 0
            while r0 < g.ho {
                let rows = min(rowsPerBlock, g.ho - r0)
                let cols = rows * g.wo
                parallelRanges(kdim, threads: threads, grain: 8) { range in
                    for kk in range { g.fillColumnRow(kk, image: src, r0: r0, rows: rows, dst: col + kk * cols) }
                }
                sgemm(transB: false, m: o, n: cols, k: kdim, a: wp, lda: kdim, b: col, ldb: cols,
                      beta: 0, c: outP + s * o * hw + r0 * g.wo, ldc: hw)
                r0 += rows
            }
        }
    }

    /// `group` images per GEMM: col [kdim, group·hw] → tmp [O, group·hw] → out [N, O, hw] (+ bias).
    private func conv2dBatched(_ g: ConvGeometry, _ xp: UnsafePointer<Float>, _ wp: UnsafePointer<Float>,
                               _ outP: UnsafeMutablePointer<Float>, images n: Int, outChannels o: Int,
                               group: Int, bias: [Float]?) {
        let (c, h, w, hw, kdim) = (g.c, g.h, g.w, g.hw, g.kdim)
        let col = scratch(kdim * group * hw), tmp = scratch(o * group * hw)
        defer { releaseScratch(col, kdim * group * hw); releaseScratch(tmp, o * group * hw) }
        var s0 = 0
        while s0 < n {
            let images = min(group, n - s0)
            let cols = images * hw
            // col[kk, i·hw + p] = patch value kk of output pixel p of image s0 + i
            parallelRanges(kdim * images, threads: threads, grain: 8) { range in
                for idx in range {
                    let i = idx / kdim, kk = idx % kdim
                    g.fillColumnRow(kk, image: xp + (s0 + i) * c * h * w, r0: 0, rows: g.ho, dst: col + kk * cols + i * hw)
                }
            }
            sgemm(transB: false, m: o, n: cols, k: kdim, a: wp, lda: kdim, b: col, ldb: cols, beta: 0, c: tmp, ldc: cols)
            parallelRanges(images * o, threads: threads, grain: max(1, 4096 / hw)) { range in
                for idx in range {
                    let i = idx / o, oc = idx % o
                    let src = tmp + oc * cols + i * hw
                    let dst = outP + (s0 + i) * o * hw + oc * hw
                    if let bias {
                        let v = bias[oc]
                        for p in 0..<hw { dst[p] = src[p] + v }
                    } else {
                        dst.update(from: src, count: hw)
                    }
                }
            }
            s0 += images
        }
    }
}
