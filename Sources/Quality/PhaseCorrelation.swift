import Foundation

/// Global translation between two frames, in pixels of the planes it was measured on.
/// `dx > 0` means the content moved right (to larger x) from the first frame to the second,
/// `dy > 0` that it moved down: second(x, y) ≈ first(x − dx, y − dy).
public struct PhaseShift: Sendable, Equatable, Codable {
    public var dx: Double
    public var dy: Double
    /// Height of the phase-correlation peak (1 for an exact circular shift, near 0 for frames
    /// with nothing in common): how much to trust the shift.
    public var peak: Double
}

/// Phase correlation (Kuglin & Hines 1975) on a centred power-of-two window of the planes, with a
/// Hann window against edge effects and a Gaussian weighting of the normalised cross-power
/// spectrum. Whitening gives every frequency the same vote, also the highest ones where only
/// noise and quantisation live; the Gaussian weight (the transform of a σ = 1 px Gaussian)
/// quiets those and turns the correlation peak into a sampled Gaussian centred on the shift,
/// which a three-point Gaussian fit locates to a small fraction of a pixel.
public struct PhaseCorrelator: Sendable {
    /// Size of the analysed window (powers of two, ≤ the plane size).
    public let windowWidth: Int
    public let windowHeight: Int
    private let planeWidth: Int
    private let planeHeight: Int
    private let fft: FFT2D
    private let window: [Double]
    /// Gaussian weight of each frequency bin, normalised so that identical frames peak at 1.
    private let weight: [Double]
    /// Spatial σ (pixels) of the correlation peak.
    public static let peakSigma = 1.0

    /// The forward transform of one windowed plane, reusable for every pair it belongs to.
    public struct Spectrum: Sendable {
        var re: [Double]
        var im: [Double]
    }

    /// Chooses the largest power-of-two window (≥ 8) that fits in each dimension; nil when the
    /// planes are smaller than 8 pixels.
    public init?(planeWidth: Int, planeHeight: Int) {
        func fit(_ n: Int) -> Int? {
            guard n >= 8 else { return nil }
            var p = 8
            while p * 2 <= n { p *= 2 }
            return p
        }
        guard let ww = fit(planeWidth), let wh = fit(planeHeight), let fft = FFT2D(width: ww, height: wh) else { return nil }
        self.planeWidth = planeWidth
        self.planeHeight = planeHeight
        windowWidth = ww
        windowHeight = wh
        self.fft = fft
        // Separable Hann window, symmetric, never exactly zero (sample centres at i + 0.5).
        let hx = (0..<ww).map { 0.5 - 0.5 * cos(2 * Double.pi * (Double($0) + 0.5) / Double(ww)) }
        let hy = (0..<wh).map { 0.5 - 0.5 * cos(2 * Double.pi * (Double($0) + 0.5) / Double(wh)) }
        var w = [Double](repeating: 0, count: ww * wh)
        for y in 0..<wh { for x in 0..<ww { w[y * ww + x] = hy[y] * hx[x] } }
        window = w
        // exp(−2π²σ²f²) per axis, f in cycles/pixel with signed frequency indices.
        func gauss(_ k: Int, _ n: Int) -> Double {
            let f = Double(k <= n / 2 ? k : k - n) / Double(n)
            return exp(-2 * Double.pi * Double.pi * Self.peakSigma * Self.peakSigma * f * f)
        }
        let gx = (0..<ww).map { gauss($0, ww) }, gy = (0..<wh).map { gauss($0, wh) }
        let total = gx.reduce(0, +) * gy.reduce(0, +) / Double(ww * wh)
        var g = [Double](repeating: 0, count: ww * wh)
        for y in 0..<wh { for x in 0..<ww { g[y * ww + x] = gy[y] * gx[x] / total } }
        weight = g
    }

    /// Mean-removed, windowed centre crop of `plane`, transformed. The plane must have the size
    /// this correlator was made for.
    public func spectrum(of plane: LumaPlane) -> Spectrum {
        precondition(plane.width == planeWidth && plane.height == planeHeight,
                     "PhaseCorrelator for \(planeWidth)x\(planeHeight) given \(plane.width)x\(plane.height)")
        let ww = windowWidth, wh = windowHeight
        let x0 = (planeWidth - ww) / 2, y0 = (planeHeight - wh) / 2
        var re = [Double](repeating: 0, count: ww * wh)
        var im = [Double](repeating: 0, count: ww * wh)
        plane.values.withUnsafeBufferPointer { src in
            re.withUnsafeMutableBufferPointer { dst in
                var sum = 0.0
                for y in 0..<wh {
                    let srow = (y0 + y) * planeWidth + x0
                    for x in 0..<ww { let v = Double(src[srow + x]); dst[y * ww + x] = v; sum += v }
                }
                let mean = sum / Double(ww * wh)
                window.withUnsafeBufferPointer { w in
                    for i in 0..<(ww * wh) { dst[i] = (dst[i] - mean) * w[i] }
                }
            }
        }
        fft.forward(re: &re, im: &im)
        return Spectrum(re: re, im: im)
    }

    /// Shift of `b` relative to `a` (see `PhaseShift`), in plane pixels.
    public func shift(from a: LumaPlane, to b: LumaPlane) -> PhaseShift {
        shift(from: spectrum(of: a), to: spectrum(of: b))
    }

    public func shift(from a: Spectrum, to b: Spectrum) -> PhaseShift {
        let ww = windowWidth, wh = windowHeight, n = ww * wh
        // Normalised cross-power spectrum conj(A)·B / |conj(A)·B|: its inverse transform is a
        // delta at the displacement of b relative to a (a Gaussian there, once weighted).
        var re = [Double](repeating: 0, count: n), im = [Double](repeating: 0, count: n)
        a.re.withUnsafeBufferPointer { ar in
            a.im.withUnsafeBufferPointer { ai in
                b.re.withUnsafeBufferPointer { br in
                    b.im.withUnsafeBufferPointer { bi in
                        re.withUnsafeMutableBufferPointer { r in
                            im.withUnsafeMutableBufferPointer { i in
                                weight.withUnsafeBufferPointer { g in
                                    for k in 0..<n {
                                        let cr = ar[k] * br[k] + ai[k] * bi[k]
                                        let ci = ar[k] * bi[k] - ai[k] * br[k]
                                        let mag = (cr * cr + ci * ci).squareRoot()
                                        if mag > 1e-12 { r[k] = g[k] * cr / mag; i[k] = g[k] * ci / mag }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        fft.inverse(re: &re, im: &im)
        var best = 0
        re.withUnsafeBufferPointer { r in
            var bv = -Double.infinity
            for k in 0..<n where r[k] > bv { bv = r[k]; best = k }
        }
        let px = best % ww, py = best / ww
        func at(_ x: Int, _ y: Int) -> Double { re[((y + wh) % wh) * ww + (x + ww) % ww] }
        let peak = re[best]
        let fx = Self.subPixelOffset(left: at(px - 1, py), centre: peak, right: at(px + 1, py))
        let fy = Self.subPixelOffset(left: at(px, py - 1), centre: peak, right: at(px, py + 1))
        // Indices past the half wrap around to negative shifts.
        let ix = px > ww / 2 ? px - ww : px
        let iy = py > wh / 2 ? py - wh : py
        return PhaseShift(dx: Double(ix) + fx, dy: Double(iy) + fy, peak: peak)
    }

    /// Offset of the maximum of a Gaussian through three equally spaced samples (exact for a
    /// sampled Gaussian): δ = (ln l − ln r) / (2 (ln l − 2 ln c + ln r)). Falls back to a
    /// parabola where a sample is not positive, and stays within half a pixel.
    static func subPixelOffset(left: Double, centre: Double, right: Double) -> Double {
        var delta = 0.0
        if left > 0, centre > 0, right > 0 {
            let l = log(left), c = log(centre), r = log(right)
            let den = 2 * (l - 2 * c + r)
            if den < -1e-12 { delta = (l - r) / den }
        } else {
            let den = 2 * (left - 2 * centre + right)
            if den < -1e-12 { delta = (left - right) / den }
        }
        return min(0.5, max(-0.5, delta))
    }
}
