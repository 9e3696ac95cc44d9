import Foundation

/// Smoothing and oscillation measures for short 1-D series (a camera path, a brightness path).
public enum PathSmoothing {
    /// Gaussian-weighted local linear regression (σ in samples): at each t, fits a + b·(s − t) to
    /// the samples with weights exp(−(s − t)² / 2σ²) and returns a. Unlike a moving average it
    /// reproduces straight lines exactly, also at both ends, so a steady pan has no residual.
    public static func localLinear(_ p: [Double], sigma: Double) -> [Double] {
        let n = p.count
        guard n > 2, sigma > 0 else { return p }
        let reach = Int((3 * sigma).rounded(.up))
        return (0..<n).map { t in
            var sw = 0.0, sw1 = 0.0, sw2 = 0.0, swp = 0.0, sw1p = 0.0
            for s in max(0, t - reach)...min(n - 1, t + reach) {
                let d = Double(s - t)
                let w = exp(-d * d / (2 * sigma * sigma))
                sw += w; sw1 += w * d; sw2 += w * d * d; swp += w * p[s]; sw1p += w * d * p[s]
            }
            let det = sw * sw2 - sw1 * sw1
            guard det > 1e-12 else { return swp / sw }
            return (sw2 * swp - sw1 * sw1p) / det
        }
    }

    /// p minus its local linear smoothing: the high-frequency part of the path.
    public static func highFrequency(_ p: [Double], sigma: Double) -> [Double] {
        zip(p, localLinear(p, sigma: sigma)).map { $0 - $1 }
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
}
