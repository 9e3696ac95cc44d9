import Media

/// The source photo fitted to the frame and resampled once, with a proper low-pass prefilter,
/// to the resolution the frames need at their closest zoom. Per-frame sampling then never
/// minifies by more than the clip's zoom range, which keeps edges free of aliasing shimmer.
struct WorkingImage {
    /// Replicated-edge padding on every side, so cubic taps never need bounds checks.
    static let pad = 8

    let width: Int
    let height: Int
    /// Row stride in pixels (width + 2·pad).
    let stride: Int
    /// RGB(A unused) in 0…255, (height + 2·pad) rows.
    let pixels: [SIMD4<Float>]
    /// Working pixels per output pixel at zoom 1.
    let scale: Double

    /// `outputPerSource`: output pixels per source pixel at zoom 1 (the fit).
    /// `detailZoom`: the largest zoom the clip reaches, so that the working image has enough
    /// pixels for it (never more than the source has).
    init(source: RGBImage, outputPerSource: Double, detailZoom: Double) {
        let workingPerSource = min(1, outputPerSource * max(1, detailZoom))
        let w = max(1, Int((Double(source.width) * workingPerSource).rounded()))
        let h = max(1, Int((Double(source.height) * workingPerSource).rounded()))
        width = w
        height = h
        scale = (Double(w) / Double(source.width)) / outputPerSource
        let planes = Resample.lanczos(source, toWidth: w, height: h)
        let p = WorkingImage.pad
        stride = w + 2 * p
        var out = [SIMD4<Float>](repeating: .zero, count: stride * (h + 2 * p))
        for y in 0..<(h + 2 * p) {
            let sy = min(max(y - p, 0), h - 1)
            for x in 0..<stride {
                let sx = min(max(x - p, 0), w - 1)
                let i = sy * w + sx
                out[y * stride + x] = SIMD4(planes[0][i], planes[1][i], planes[2][i], 0)
            }
        }
        pixels = out
    }
}

/// Separable Lanczos-3 resampling with the kernel widened by the reduction factor when
/// shrinking (the same filter shape Pillow's `Image.resize(LANCZOS)` uses).
enum Resample {
    static func lanczos(_ img: RGBImage, toWidth w: Int, height h: Int) -> [[Float]] {
        let sw = img.width, sh = img.height
        var src = [[Float]](repeating: [Float](repeating: 0, count: sw * sh), count: 3)
        img.pixels.withUnsafeBufferPointer { p in
            for c in 0..<3 {
                src[c].withUnsafeMutableBufferPointer { d in
                    for i in 0..<(sw * sh) { d[i] = Float(p[3 * i + c]) }
                }
            }
        }
        if sw == w && sh == h { return src }
        let hx = taps(from: sw, to: w)
        let hy = taps(from: sh, to: h)
        let result = PlaneBox(count: 3)
        // The three colour planes are independent: resample them in parallel.
        DispatchQueue.concurrentPerform(iterations: 3) { c in
            result.set(c, resamplePlane(src[c], sw: sw, sh: sh, w: w, h: h, hx: hx, hy: hy))
        }
        return result.planes
    }

    private static func resamplePlane(_ plane: [Float], sw: Int, sh: Int, w: Int, h: Int,
                                      hx: [(Int, [Float])], hy: [(Int, [Float])]) -> [Float] {
        var tmp = [Float](repeating: 0, count: sh * w)  // horizontal pass: [sh, sw] → [sh, w]
        var out = [Float](repeating: 0, count: h * w)   // vertical pass: [sh, w] → [h, w]
        plane.withUnsafeBufferPointer { p in
            tmp.withUnsafeMutableBufferPointer { t in
                for x in 0..<w {
                    let (start, weights) = hx[x]
                    weights.withUnsafeBufferPointer { wt in
                        for y in 0..<sh {
                            var s: Float = 0
                            let row = y * sw + start
                            for k in 0..<wt.count { s += p[row + k] * wt[k] }
                            t[y * w + x] = s
                        }
                    }
                }
            }
        }
        tmp.withUnsafeBufferPointer { t in
            out.withUnsafeMutableBufferPointer { o in
                for y in 0..<h {
                    let (start, weights) = hy[y]
                    weights.withUnsafeBufferPointer { wt in
                        for x in 0..<w { o[y * w + x] = 0 }
                        for k in 0..<wt.count {
                            let wk = wt[k], row = (start + k) * w
                            for x in 0..<w { o[y * w + x] += t[row + x] * wk }
                        }
                        for x in 0..<w { o[y * w + x] = min(max(o[y * w + x], 0), 255) }
                    }
                }
            }
        }
        return out
    }

    /// For each output index: first source index and normalised weights.
    static func taps(from n: Int, to m: Int) -> [(Int, [Float])] {
        let scale = Double(n) / Double(m)
        let support = 3 * max(1, scale)
        let fscale = max(1, scale)
        return (0..<m).map { i in
            let centre = (Double(i) + 0.5) * scale
            let lo = max(0, Int((centre - support).rounded(.down)))
            let hi = min(n, Int((centre + support).rounded(.up)))
            var ws: [Float] = []
            var total = 0.0
            for j in lo..<max(hi, lo + 1) {
                let x = (Double(j) + 0.5 - centre) / fscale
                let v = lanczos3(x)
                ws.append(Float(v)); total += v
            }
            if total != 0 { ws = ws.map { $0 / Float(total) } }
            return (lo, ws)
        }
    }

    static func lanczos3(_ x: Double) -> Double {
        let ax = abs(x)
        if ax < 1e-9 { return 1 }
        if ax >= 3 { return 0 }
        let px = Double.pi * x
        return 3 * sin(px) * sin(px / 3) / (px * px)
    }
}

import Foundation

/// Result slots for the parallel plane resampling.
private final class PlaneBox: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var planes: [[Float]]
    init(count: Int) { planes = Array(repeating: [], count: count) }
    func set(_ i: Int, _ p: [Float]) { lock.lock(); planes[i] = p; lock.unlock() }
}
