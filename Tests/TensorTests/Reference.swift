import Foundation
import Tensor
import XCTest

/// Naive float64 reference implementations the CPU backend is checked against, plus helpers.
enum Reference {
    /// Deterministic pseudo-random values in [-1, 1) (xorshift), so tests never run on zeros.
    static func random(_ count: Int, seed: UInt64) -> [Float] {
        var s = seed &* 0x9E3779B97F4A7C15 | 1
        return (0..<count).map { _ in
            s ^= s << 13; s ^= s >> 7; s ^= s << 17
            return Float(Double(s >> 11) / Double(1 << 53) * 2 - 1)
        }
    }

    static func conv2d(_ x: [Float], _ xs: [Int], _ w: [Float], _ ws: [Int], _ b: [Float]?, stride: Int, pad: Padding2D) -> ([Double], [Int]) {
        let (n, c, h, wd) = (xs[0], xs[1], xs[2], xs[3])
        let (o, kh, kw) = (ws[0], ws[2], ws[3])
        let ho = (h + pad.top + pad.bottom - kh) / stride + 1
        let wo = (wd + pad.left + pad.right - kw) / stride + 1
        var out = [Double](repeating: 0, count: n * o * ho * wo)
        for s in 0..<n { for oc in 0..<o { for oy in 0..<ho { for ox in 0..<wo {
            var acc = Double(b?[oc] ?? 0)
            for ic in 0..<c { for ky in 0..<kh { for kx in 0..<kw {
                let iy = oy * stride - pad.top + ky, ix = ox * stride - pad.left + kx
                if iy < 0 || iy >= h || ix < 0 || ix >= wd { continue }
                acc += Double(x[((s * c + ic) * h + iy) * wd + ix]) * Double(w[((oc * c + ic) * kh + ky) * kw + kx])
            } } }
            out[((s * o + oc) * ho + oy) * wo + ox] = acc
        } } } }
        return (out, [n, o, ho, wo])
    }

    /// softmax(scale · q kᵀ) v per (sequence, head) in float64; q [b, lq, heads·d], k [b, lk, heads·d],
    /// v [b, lk, heads·dv] (dv defaults to d); causal: key j only for query i ≥ j.
    static func attention(q: [Float], k: [Float], v: [Float], b: Int, lq: Int, lk: Int, heads: Int, d: Int, dv: Int? = nil,
                          scale: Double, causal: Bool) -> [Double] {
        let dv = dv ?? d, qd = heads * d, vd = heads * dv
        var out = [Double](repeating: 0, count: b * lq * vd)
        for bi in 0..<b { for h in 0..<heads { for i in 0..<lq {
            let n = causal ? min(lk, i + 1) : lk
            if n == 0 { continue }
            var s = [Double](repeating: 0, count: n)
            for j in 0..<n {
                var acc = 0.0
                for t in 0..<d { acc += Double(q[(bi * lq + i) * qd + h * d + t]) * Double(k[(bi * lk + j) * qd + h * d + t]) }
                s[j] = acc * scale
            }
            let m = s.max()!
            let e = s.map { Foundation.exp($0 - m) }
            let z = e.reduce(0, +)
            for t in 0..<dv {
                var acc = 0.0
                for j in 0..<n { acc += e[j] / z * Double(v[(bi * lk + j) * vd + h * dv + t]) }
                out[(bi * lq + i) * vd + h * dv + t] = acc
            }
        } } }
        return out
    }
}

/// Asserts max |a − ref| / max(max |ref|, 1e-6) ≤ bound (PARITY.md's metric) and returns it.
@discardableResult
func assertClose(_ a: [Float], _ ref: [Double], bound: Double = 1e-5, _ what: String, file: StaticString = #filePath, line: UInt = #line) -> Double {
    XCTAssertEqual(a.count, ref.count, "\(what): element count", file: file, line: line)
    guard a.count == ref.count, !ref.isEmpty else { return .infinity }
    let scale = max(ref.map(abs).max()!, 1e-6)
    var worst = 0.0
    for i in 0..<a.count { worst = max(worst, abs(Double(a[i]) - ref[i])) }
    let err = worst / scale
    XCTAssertLessThanOrEqual(err, bound, "\(what): relative error \(err)", file: file, line: line)
    return err
}
