import I2VGenXL
import ModelIO
import Tensor
import XCTest

/// The shared `Attention` layer against a direct float64 computation: cross-attention with a
/// context width different from the query width, no q/k/v bias, two heads; and the image form
/// with GroupNorm, biases and residual (the VAE's configuration).
final class AttentionLayerTests: XCTestCase {
    let b = CPUBackend()

    /// key → (shape, values) provider for hand-made weights.
    final class Table: WeightProvider {
        var tensors: [String: ([Int], [Float])] = [:]
        let backend: any Backend
        init(_ backend: any Backend) { self.backend = backend }
        func take(_ key: String, shape: [Int]) throws -> Tensor {
            guard let (s, v) = tensors[key], s == shape else { throw ModelIOError.missingWeight(key: key, folder: "table") }
            return backend.tensor(v, shape: s)
        }
        func contains(_ key: String) -> Bool { tensors[key] != nil }
        func takeStacked(_ keys: [String], shape: [Int]) throws -> Tensor {
            var values: [Float] = []
            for key in keys {
                guard let (s, v) = tensors[key], s == shape else { throw ModelIOError.missingWeight(key: key, folder: "table") }
                values += v
            }
            return backend.tensor(values, shape: [keys.count * shape[0]] + shape.dropFirst())
        }
    }

    func random(_ n: Int, _ seed: inout UInt64) -> [Float] {
        (0..<n).map { _ in
            seed = seed &* 6364136223846793005 &+ 1442695040888963407
            return Float(Int64(bitPattern: seed >> 11) % 2000) / 1000 - 1
        }
    }

    func linear(_ x: [Double], _ w: [Float], _ bias: [Float]?, rows: Int, inF: Int, outF: Int) -> [Double] {
        var y = [Double](repeating: 0, count: rows * outF)
        for r in 0..<rows {
            for o in 0..<outF {
                var s = Double(bias?[o] ?? 0)
                for i in 0..<inF { s += x[r * inF + i] * Double(w[o * inF + i]) }
                y[r * outF + o] = s
            }
        }
        return y
    }

    func attend(_ q: [Double], _ k: [Double], _ v: [Double], lq: Int, lk: Int, heads: Int, dh: Int) -> [Double] {
        let inner = heads * dh
        var out = [Double](repeating: 0, count: lq * inner)
        for h in 0..<heads {
            for i in 0..<lq {
                var scores = (0..<lk).map { j in
                    (0..<dh).reduce(0.0) { $0 + q[i * inner + h * dh + $1] * k[j * inner + h * dh + $1] } / Double(dh).squareRoot()
                }
                let m = scores.max()!
                scores = scores.map { exp($0 - m) }
                let z = scores.reduce(0, +)
                for d in 0..<dh {
                    out[i * inner + h * dh + d] = (0..<lk).reduce(0.0) { $0 + scores[$1] / z * v[$1 * inner + h * dh + d] }
                }
            }
        }
        return out
    }

    func testCrossAttentionMatchesDirectComputation() throws {
        var seed: UInt64 = 7
        let (dq, dc, heads, dh, lq, lk) = (6, 5, 2, 4, 3, 7)
        let inner = heads * dh
        let t = Table(b)
        t.tensors["to_q.weight"] = ([inner, dq], random(inner * dq, &seed))
        t.tensors["to_k.weight"] = ([inner, dc], random(inner * dc, &seed))
        t.tensors["to_v.weight"] = ([inner, dc], random(inner * dc, &seed))
        t.tensors["to_out.0.weight"] = ([dq, inner], random(dq * inner, &seed))
        t.tensors["to_out.0.bias"] = ([dq], random(dq, &seed))
        let attn = try Attention(WeightScope(t), queryDim: dq, options: .init(heads: heads, dimHead: dh, contextDim: dc))
        let x = random(lq * dq, &seed), ctx = random(lk * dc, &seed)
        let got = b.toHost(attn(b, b.tensor(x, shape: [1, lq, dq]), context: b.tensor(ctx, shape: [1, lk, dc])))

        let xd = x.map(Double.init), cd = ctx.map(Double.init)
        let q = linear(xd, t.tensors["to_q.weight"]!.1, nil, rows: lq, inF: dq, outF: inner)
        let k = linear(cd, t.tensors["to_k.weight"]!.1, nil, rows: lk, inF: dc, outF: inner)
        let v = linear(cd, t.tensors["to_v.weight"]!.1, nil, rows: lk, inF: dc, outF: inner)
        let a = attend(q, k, v, lq: lq, lk: lk, heads: heads, dh: dh)
        let want = linear(a, t.tensors["to_out.0.weight"]!.1, t.tensors["to_out.0.bias"]!.1, rows: lq, inF: inner, outF: dq)
        XCTAssertLessThanOrEqual(relativeError(got, want.map(Float.init)), 1e-5)
    }

    func testImageSelfAttentionWithGroupNormAndResidual() throws {
        var seed: UInt64 = 11
        let (c, hh, ww, groups) = (4, 2, 3, 2)
        let t = Table(b)
        for name in ["to_q", "to_k", "to_v", "to_out.0"] {
            t.tensors["\(name).weight"] = ([c, c], random(c * c, &seed))
            t.tensors["\(name).bias"] = ([c], random(c, &seed))
        }
        t.tensors["group_norm.weight"] = ([c], random(c, &seed))
        t.tensors["group_norm.bias"] = ([c], random(c, &seed))
        let attn = try Attention(WeightScope(t), queryDim: c, options: .init(
            heads: 1, dimHead: c, qkvBias: true, outBias: true, groupNorm: (groups, 1e-6), residualConnection: true))
        let x = random(c * hh * ww, &seed)
        let got = b.toHost(attn.image(b, b.tensor(x, shape: [1, c, hh, ww])))

        // GroupNorm over (C/G × H × W), then tokens = pixels.
        let l = hh * ww
        var normed = [Double](repeating: 0, count: c * l)
        let per = c / groups
        for g in 0..<groups {
            let vals = (g * per * l..<(g + 1) * per * l).map { Double(x[$0]) }
            let mean = vals.reduce(0, +) / Double(vals.count)
            let variance = vals.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(vals.count)
            for ch in g * per..<(g + 1) * per {
                for p in 0..<l {
                    let w = Double(t.tensors["group_norm.weight"]!.1[ch]), bias = Double(t.tensors["group_norm.bias"]!.1[ch])
                    normed[ch * l + p] = (Double(x[ch * l + p]) - mean) / (variance + 1e-6).squareRoot() * w + bias
                }
            }
        }
        let tokens = (0..<l).flatMap { p in (0..<c).map { normed[$0 * l + p] } }  // [L, C]
        func proj(_ n: String, _ x: [Double]) -> [Double] {
            linear(x, t.tensors["\(n).weight"]!.1, t.tensors["\(n).bias"]!.1, rows: l, inF: c, outF: c)
        }
        let a = attend(proj("to_q", tokens), proj("to_k", tokens), proj("to_v", tokens), lq: l, lk: l, heads: 1, dh: c)
        let o = proj("to_out.0", a)
        let want = (0..<c).flatMap { ch in (0..<l).map { p in Float(o[p * c + ch] + Double(x[ch * l + p])) } }
        XCTAssertLessThanOrEqual(relativeError(got, want), 1e-5)
    }

    /// Self-attention with the q/k/v weights (and biases) stacked into one projection computes
    /// what separate projections compute, and binds the same keys.
    func testPackedSelfAttentionMatchesDirectComputation() throws {
        for bias in [false, true] {
            var seed: UInt64 = bias ? 23 : 19
            let (dq, heads, dh, l) = (6, 2, 4, 5)
            let inner = heads * dh
            let t = Table(b)
            for name in ["to_q", "to_k", "to_v"] {
                t.tensors["\(name).weight"] = ([inner, dq], random(inner * dq, &seed))
                if bias { t.tensors["\(name).bias"] = ([inner], random(inner, &seed)) }
            }
            t.tensors["to_out.0.weight"] = ([dq, inner], random(dq * inner, &seed))
            t.tensors["to_out.0.bias"] = ([dq], random(dq, &seed))
            let attn = try Attention(WeightScope(t), queryDim: dq, options: .init(heads: heads, dimHead: dh, qkvBias: bias, packedProjections: true))
            guard case .packed(let qkv) = attn.projections else { return XCTFail("expected packed projections") }
            XCTAssertEqual(qkv.weight.shape, [3 * inner, dq])
            let x = random(2 * l * dq, &seed)
            let got = b.toHost(attn(b, b.tensor(x, shape: [2, l, dq])))

            var want: [Float] = []
            for batch in 0..<2 {
                let xd = x[(batch * l * dq)..<((batch + 1) * l * dq)].map(Double.init)
                func proj(_ n: String) -> [Double] {
                    linear(xd, t.tensors["\(n).weight"]!.1, t.tensors["\(n).bias"]?.1, rows: l, inF: dq, outF: inner)
                }
                let a = attend(proj("to_q"), proj("to_k"), proj("to_v"), lq: l, lk: l, heads: heads, dh: dh)
                want += linear(a, t.tensors["to_out.0.weight"]!.1, t.tensors["to_out.0.bias"]!.1, rows: l, inF: inner, outF: dq).map(Float.init)
            }
            XCTAssertLessThanOrEqual(relativeError(got, want), 1e-5, "bias \(bias)")
        }
    }
}
