import Foundation

/// Smoothing and oscillation measures for short 1-D series (a camera path, a brightness path).
public enum PathSmoothing {
    /// Gaussian-weighted local polynomial regression (σ in samples): at each t, fits
    /// a + b·(s − t) + c·(s − t)² + … (up to `degree`) to the samples with weights
    /// exp(−(s − t)² / 2σ²) and returns a. Polynomials up to `degree` are reproduced exactly,
    /// ends included. `degree` is lowered where the window holds too few samples to fit it.
    public static func localPolynomial(_ p: [Double], sigma: Double, degree: Int) -> [Double] {
        let n = p.count
        guard n > 2, sigma > 0, degree >= 0 else { return p }
        let reach = Int((3 * sigma).rounded(.up))
        return (0..<n).map { t in
            let range = max(0, t - reach)...min(n - 1, t + reach)
            let order = min(degree, range.count - 1)
            // Normal equations M·β = v of the weighted fit, M[j][k] = Σ w dʲ⁺ᵏ, v[j] = Σ w dʲ p.
            let size = order + 1
            var m = [Double](repeating: 0, count: size * size)
            var v = [Double](repeating: 0, count: size)
            for s in range {
                let d = Double(s - t)
                let w = exp(-d * d / (2 * sigma * sigma))
                var powers = [Double](repeating: 1, count: 2 * size - 1)
                for k in 1..<powers.count { powers[k] = powers[k - 1] * d }
                for j in 0..<size {
                    v[j] += w * powers[j] * p[s]
                    for k in 0..<size { m[j * size + k] += w * powers[j + k] }
                }
            }
            return solveForFirst(m, v, size: size) ?? lowerDegreeFallback(p, range: range, t: t, sigma: sigma)
        }
    }

    /// Gaussian-weighted local linear regression: `localPolynomial` of degree 1. Unlike a
    /// moving average it reproduces straight lines exactly, also at both ends.
    public static func localLinear(_ p: [Double], sigma: Double) -> [Double] {
        localPolynomial(p, sigma: sigma, degree: 1)
    }

    /// Degree of the local fit that separates intended motion from shake: cubic, so that an
    /// eased move or one smooth oscillation over a short loop (8 frames) is followed — a local
    /// line cuts the corners of such a curve and reports them as shake — lowered for very short
    /// paths so that at least about half the samples are left to measure the residual
    /// (3–4 samples: linear, 5–6: quadratic).
    public static func smoothingDegree(count: Int) -> Int { min(3, max(1, (count - 1) / 2)) }

    /// p minus its local polynomial smoothing (degree `smoothingDegree`): the high-frequency part
    /// of the path.
    public static func highFrequency(_ p: [Double], sigma: Double) -> [Double] {
        zip(p, localPolynomial(p, sigma: sigma, degree: smoothingDegree(count: p.count))).map { $0 - $1 }
    }

    /// Running sum starting at 0: steps [d1, d2, …] → path [0, d1, d1 + d2, …].
    public static func cumulative(_ steps: [Double]) -> [Double] {
        var out = [0.0]
        out.reserveCapacity(steps.count + 1)
        for d in steps { out.append(out[out.count - 1] + d) }
        return out
    }

    /// Number of consecutive steps that reverse direction, counting only steps whose magnitude
    /// exceeds `deadZone` (so that measurement noise around zero is not an oscillation).
    public static func signFlips(_ steps: [Double], deadZone: Double) -> Int {
        guard steps.count > 1 else { return 0 }
        var flips = 0
        for k in 1..<steps.count {
            let a = steps[k - 1], b = steps[k]
            if abs(a) > deadZone && abs(b) > deadZone && (a > 0) != (b > 0) { flips += 1 }
        }
        return flips
    }

    public static func rms(_ v: [Double]) -> Double {
        guard !v.isEmpty else { return 0 }
        return (v.reduce(0) { $0 + $1 * $1 } / Double(v.count)).squareRoot()
    }

    /// β₀ of M·β = v (row-major `size`×`size`) by Gaussian elimination with partial pivoting;
    /// nil when M is (numerically) singular.
    static func solveForFirst(_ matrix: [Double], _ rhs: [Double], size: Int) -> Double? {
        var a = matrix, b = rhs
        let scale = a.map(abs).max() ?? 0
        guard scale > 0 else { return nil }
        for col in 0..<size {
            var pivot = col
            for r in (col + 1)..<size where abs(a[r * size + col]) > abs(a[pivot * size + col]) { pivot = r }
            guard abs(a[pivot * size + col]) > 1e-12 * scale else { return nil }
            if pivot != col {
                for k in 0..<size { a.swapAt(col * size + k, pivot * size + k) }
                b.swapAt(col, pivot)
            }
            for r in (col + 1)..<size {
                let f = a[r * size + col] / a[col * size + col]
                guard f != 0 else { continue }
                for k in col..<size { a[r * size + k] -= f * a[col * size + k] }
                b[r] -= f * b[col]
            }
        }
        var x = [Double](repeating: 0, count: size)
        for r in stride(from: size - 1, through: 0, by: -1) {
            var s = b[r]
            for k in (r + 1)..<size { s -= a[r * size + k] * x[k] }
            x[r] = s / a[r * size + r]
        }
        return x[0]
    }

    /// The weighted mean of the window: the degree-0 fit, when a higher one is singular.
    private static func lowerDegreeFallback(_ p: [Double], range: ClosedRange<Int>, t: Int, sigma: Double) -> Double {
        var sw = 0.0, swp = 0.0
        for s in range {
            let d = Double(s - t)
            let w = exp(-d * d / (2 * sigma * sigma))
            sw += w; swp += w * p[s]
        }
        return swp / sw
    }
}
