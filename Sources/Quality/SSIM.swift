import Foundation

/// Structural similarity (Wang, Bovik, Sheikh & Simoncelli 2004) of two luma planes, as the
/// authors' reference `ssim.m`: both images first box-averaged by f = max(1, round(min(H, W) / 256)),
/// then an 11×11 Gaussian window (σ = 1.5) over the 'valid' region, K1 = 0.01, K2 = 0.03, L = 255;
/// the result is the mean of the SSIM map.
public enum SSIM {
    public static let windowSize = 11
    public static let sigma = 1.5
    public static let k1 = 0.01
    public static let k2 = 0.03
    public static let dynamicRange = 255.0

    /// The automatic downsampling factor of the reference implementation.
    public static func downsampleFactor(width: Int, height: Int) -> Int {
        max(1, Int((Double(min(width, height)) / 256).rounded()))
    }

    /// Mean SSIM of two planes of the same size, box-averaged by `downsample` first (nil: the
    /// reference implementation's automatic factor). nil when the sizes differ or the planes are
    /// smaller than the window after downsampling.
    public static func ssim(_ a: LumaPlane, _ b: LumaPlane, downsample: Int? = nil) -> Double? {
        guard a.width == b.width, a.height == b.height else { return nil }
        let f = max(1, downsample ?? downsampleFactor(width: a.width, height: a.height))
        let x = a.downscaled(by: f), y = b.downscaled(by: f)
        guard x.width >= windowSize, x.height >= windowSize else { return nil }
        return map(x, y).reduce(0, +) / Double((x.width - windowSize + 1) * (x.height - windowSize + 1))
    }

    /// The SSIM map over the 'valid' region: [(H − 10), (W − 10)] values, no downsampling.
    static func map(_ x: LumaPlane, _ y: LumaPlane) -> [Double] {
        let w = x.width, h = x.height
        let n = w * h
        var xx = [Double](repeating: 0, count: n), yy = xx, x2 = xx, y2 = xx, xy = xx
        for i in 0..<n {
            let a = Double(x.values[i]), b = Double(y.values[i])
            xx[i] = a; yy[i] = b; x2[i] = a * a; y2[i] = b * b; xy[i] = a * b
        }
        let g = gaussian()
        let mx = filterValid(xx, w, h, g), my = filterValid(yy, w, h, g)
        let sxx = filterValid(x2, w, h, g), syy = filterValid(y2, w, h, g), sxy = filterValid(xy, w, h, g)
        let c1 = (k1 * dynamicRange) * (k1 * dynamicRange), c2 = (k2 * dynamicRange) * (k2 * dynamicRange)
        var out = [Double](repeating: 0, count: mx.count)
        for i in 0..<mx.count {
            let mux = mx[i], muy = my[i]
            let vx = sxx[i] - mux * mux, vy = syy[i] - muy * muy, cov = sxy[i] - mux * muy
            out[i] = ((2 * mux * muy + c1) * (2 * cov + c2)) / ((mux * mux + muy * muy + c1) * (vx + vy + c2))
        }
        return out
    }

    static func gaussian() -> [Double] {
        let r = windowSize / 2
        let g = (-r...r).map { exp(-Double($0 * $0) / (2 * sigma * sigma)) }
        let s = g.reduce(0, +)
        return g.map { $0 / s }
    }

    /// Separable 'valid' correlation with the 1-D kernel g along both axes.
    static func filterValid(_ v: [Double], _ w: Int, _ h: Int, _ g: [Double]) -> [Double] {
        let k = g.count, ow = w - k + 1, oh = h - k + 1
        var tmp = [Double](repeating: 0, count: h * ow)
        var out = [Double](repeating: 0, count: oh * ow)
        v.withUnsafeBufferPointer { src in
            g.withUnsafeBufferPointer { gk in
                tmp.withUnsafeMutableBufferPointer { t in
                    for y in 0..<h {
                        for x in 0..<ow {
                            var s = 0.0
                            let base = y * w + x
                            for j in 0..<k { s += gk[j] * src[base + j] }
                            t[y * ow + x] = s
                        }
                    }
                }
                out.withUnsafeMutableBufferPointer { o in
                    tmp.withUnsafeBufferPointer { t in
                        for y in 0..<oh {
                            for j in 0..<k {
                                let wgt = gk[j], srow = (y + j) * ow, orow = y * ow
                                for x in 0..<ow { o[orow + x] += wgt * t[srow + x] }
                            }
                        }
                    }
                }
            }
        }
        return out
    }
}
