import Foundation
import Tensor
import XCTest

/// The CPU backend computes what a naive float64 implementation computes.
final class CPUBackendTests: XCTestCase {
    let cpu = CPUBackend(threads: 2)

    func testLinearMatchesDefinitionWithFloat16Weights() {
        let x = Reference.random(3 * 5 * 7, seed: 1), w = Reference.random(4 * 7, seed: 2), b = Reference.random(4, seed: 3)
        let w16 = w.map { Float16($0) }
        let wt = w16.withUnsafeBytes { cpu.tensor(cpu.toHost(cpu.wrap(bytes: $0.baseAddress!, dtype: .float16, shape: [4, 7], owner: NSObject())), shape: [4, 7]) }
        let y = cpu.toHost(cpu.linear(cpu.tensor(x, shape: [3, 5, 7]), weight: wt, bias: cpu.tensor(b, shape: [4])))
        var ref = [Double]()
        for r in 0..<15 { for o in 0..<4 {
            var acc = Double(b[o])
            for i in 0..<7 { acc += Double(x[r * 7 + i]) * Double(Float(w16[o * 7 + i])) }
            ref.append(acc)
        } }
        assertClose(y, ref, "linear")
    }

    func testConv2dAllPaddingsAndStrides() {
        let cases: [(Int, Int, Int, Padding2D, [Int])] = [
            (3, 1, 1, .same(1), [2, 3, 9, 7]),                                  // 3×3 stride 1 pad 1
            (3, 2, 2, .same(1), [1, 4, 9, 8]),                                  // stride 2 (UNet downsample)
            (3, 2, 2, Padding2D(top: 0, bottom: 1, left: 0, right: 1), [1, 3, 8, 8]),  // VAE downsample
            (1, 1, 1, .same(0), [2, 5, 4, 6]),                                  // 1×1 shortcut
            (4, 4, 4, .same(0), [1, 3, 8, 12]),                                 // patch embedding
        ]
        for (i, (k, stride, _, pad, xs)) in cases.enumerated() {
            let o = 6
            let x = Reference.random(xs.reduce(1, *), seed: UInt64(10 + i))
            let w = Reference.random(o * xs[1] * k * k, seed: UInt64(20 + i)), b = Reference.random(o, seed: UInt64(30 + i))
            let y = cpu.conv2d(cpu.tensor(x, shape: xs), weight: cpu.tensor(w, shape: [o, xs[1], k, k]),
                               bias: cpu.tensor(b, shape: [o]), stride: stride, padding: pad)
            let (ref, shape) = Reference.conv2d(x, xs, w, [o, xs[1], k, k], b, stride: stride, pad: pad)
            XCTAssertEqual(y.shape, shape)
            assertClose(cpu.toHost(y), ref, "conv2d case \(i)")
        }
    }

    func testTemporalConvIsZeroPaddedOverFrames() {
        let (b, c, f, h, w, o) = (2, 3, 4, 2, 3, 5)
        let x = Reference.random(b * c * f * h * w, seed: 5), wt = Reference.random(o * c * 3, seed: 6), bias = Reference.random(o, seed: 7)
        let y = cpu.toHost(cpu.conv3dTemporal(cpu.tensor(x, shape: [b, c, f, h, w]), weight: cpu.tensor(wt, shape: [o, c, 3, 1, 1]), bias: cpu.tensor(bias, shape: [o])))
        var ref = [Double](repeating: 0, count: b * o * f * h * w)
        for s in 0..<b { for oc in 0..<o { for fr in 0..<f { for p in 0..<(h * w) {
            var acc = Double(bias[oc])
            for ic in 0..<c { for t in 0..<3 {
                let fi = fr + t - 1
                if fi < 0 || fi >= f { continue }
                acc += Double(wt[(oc * c + ic) * 3 + t]) * Double(x[((s * c + ic) * f + fi) * h * w + p])
            } }
            ref[((s * o + oc) * f + fr) * h * w + p] = acc
        } } } }
        assertClose(y, ref, "conv3dTemporal")
    }

    func testGroupNormPoolsAcrossEveryTrailingDimension() {
        // 5-D input: statistics span C/G × F × H × W, as torch's GroupNorm does.
        let shape = [2, 6, 3, 2, 2], groups = 3
        let x = Reference.random(shape.reduce(1, *), seed: 8).map { $0 * 3 + 1 }
        let wt = Reference.random(6, seed: 9), bs = Reference.random(6, seed: 10)
        let y = cpu.toHost(cpu.groupNorm(cpu.tensor(x, shape: shape), groups: groups, weight: cpu.tensor(wt, shape: [6]), bias: cpu.tensor(bs, shape: [6]), eps: 1e-6))
        let spatial = 12, per = 2
        var ref = [Double](repeating: 0, count: x.count)
        for n in 0..<2 { for g in 0..<groups {
            let base = (n * 6 + g * per) * spatial
            let vals = (0..<(per * spatial)).map { Double(x[base + $0]) }
            let mean = vals.reduce(0, +) / Double(vals.count)
            let variance = vals.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(vals.count)
            for i in 0..<vals.count {
                let ch = g * per + i / spatial
                ref[base + i] = (vals[i] - mean) / (variance + 1e-6).squareRoot() * Double(wt[ch]) + Double(bs[ch])
            }
        } }
        assertClose(y, ref, "groupNorm 5-D")
    }

    func testLayerNormAndSoftmax() {
        let x = Reference.random(4 * 10, seed: 11)
        let w = Reference.random(10, seed: 12), b = Reference.random(10, seed: 13)
        let y = cpu.toHost(cpu.layerNorm(cpu.tensor(x, shape: [4, 10]), weight: cpu.tensor(w, shape: [10]), bias: cpu.tensor(b, shape: [10]), eps: 1e-5))
        let s = cpu.toHost(cpu.softmax(cpu.tensor(x, shape: [4, 10])))
        var refLN = [Double](), refSM = [Double]()
        for r in 0..<4 {
            let row = (0..<10).map { Double(x[r * 10 + $0]) }
            let m = row.reduce(0, +) / 10
            let v = row.map { ($0 - m) * ($0 - m) }.reduce(0, +) / 10
            refLN += (0..<10).map { (row[$0] - m) / (v + 1e-5).squareRoot() * Double(w[$0]) + Double(b[$0]) }
            let e = row.map { Foundation.exp($0 - row.max()!) }
            refSM += e.map { $0 / e.reduce(0, +) }
        }
        assertClose(y, refLN, "layerNorm")
        assertClose(s, refSM, "softmax")
    }

    func testAttentionPathsAgreeWithDefinition() {
        // Short sequences (direct path) and long ones with a tiny budget (blocked online softmax).
        for (lq, lk, budget, causal) in [(5, 7, 64 << 20, false), (77, 77, 64 << 20, true), (300, 145, 16 << 10, false), (200, 200, 16 << 10, true)] {
            let (b, heads, d) = (2, 3, 8)
            let q = Reference.random(b * lq * heads * d, seed: UInt64(lq)), k = Reference.random(b * lk * heads * d, seed: UInt64(lk + 1000))
            let v = Reference.random(b * lk * heads * d, seed: UInt64(lk + 2000))
            cpu.attentionBudgetBytes = budget
            let y = cpu.toHost(cpu.attention(cpu.tensor(q, shape: [b, lq, heads * d]), cpu.tensor(k, shape: [b, lk, heads * d]),
                                             cpu.tensor(v, shape: [b, lk, heads * d]), heads: heads, scale: 1 / Float(d).squareRoot(), causal: causal))
            let ref = Reference.attention(q: q, k: k, v: v, b: b, lq: lq, lk: lk, heads: heads, d: d, scale: 1 / Double(d).squareRoot(), causal: causal)
            assertClose(y, ref, "attention lq=\(lq) lk=\(lk) budget=\(budget) causal=\(causal)")
        }
        cpu.attentionBudgetBytes = 64 << 20
    }

    func testPointwiseActivations() {
        let x = Reference.random(1000, seed: 14).map { $0 * 6 }
        let t = cpu.tensor(x, shape: [10, 100])
        let gelu = x.map { 0.5 * Double($0) * (1 + erf(Double($0) / 2.0.squareRoot())) }
        assertClose(cpu.toHost(cpu.gelu(t)), gelu, "gelu")
        assertClose(cpu.toHost(cpu.silu(t)), x.map { Double($0) / (1 + Foundation.exp(-Double($0))) }, "silu")
        assertClose(cpu.toHost(cpu.quickGelu(t)), x.map { Double($0) / (1 + Foundation.exp(-1.702 * Double($0))) }, "quickGelu")
        // GEGLU: first half is the value, second half the gate.
        let g = cpu.toHost(cpu.geglu(t))
        var ref = [Double]()
        for r in 0..<10 { for i in 0..<50 { ref.append(Double(x[r * 100 + i]) * gelu[r * 100 + 50 + i]) } }
        assertClose(g, ref, "geglu")
    }

    /// `linearGEGLU` (the feed-forward's projection): rows 0…I−1 of the weight give the value,
    /// rows I…2I−1 the gate, each with its bias; the result is value · GELU(gate), and the CPU
    /// does not claim to fuse it (so feed-forward chunks stay sized by the 2·I product).
    func testLinearGEGLUIsValueTimesGELUOfGate() {
        let (rows, k, inner) = (6, 5, 4)
        let x = Reference.random(rows * k, seed: 40), w = Reference.random(2 * inner * k, seed: 41), b = Reference.random(2 * inner, seed: 42)
        let y = cpu.toHost(cpu.linearGEGLU(cpu.tensor(x, shape: [2, 3, k]), weight: cpu.tensor(w, shape: [2 * inner, k]),
                                           bias: cpu.tensor(b, shape: [2 * inner])))
        func proj(_ r: Int, _ o: Int) -> Double { (0..<k).reduce(Double(b[o])) { $0 + Double(x[r * k + $1]) * Double(w[o * k + $1]) } }
        var ref = [Double]()
        for r in 0..<rows { for j in 0..<inner {
            let gate = proj(r, inner + j)
            ref.append(proj(r, j) * 0.5 * gate * (1 + erf(gate / 2.0.squareRoot())))
        } }
        assertClose(y, ref, "linearGEGLU")
        XCTAssertFalse(cpu.fusesLinearGEGLU(inFeatures: 320, inner: 1280))
    }

    func testBroadcastingArithmetic() {
        let a = Reference.random(2 * 3 * 4, seed: 15), b = Reference.random(3 * 1, seed: 16)
        let y = cpu.toHost(cpu.add(cpu.tensor(a, shape: [2, 3, 4]), cpu.tensor(b, shape: [3, 1])))
        let ref = (0..<24).map { Double(a[$0]) + Double(b[($0 / 4) % 3]) }
        assertClose(y, ref, "broadcast add")
        let m = cpu.toHost(cpu.mul(cpu.tensor([2], shape: [1]), cpu.tensor(a, shape: [2, 3, 4])))
        assertClose(m, a.map { 2 * Double($0) }, "scalar mul")
        let z = cpu.toHost(cpu.axpby(0.5, cpu.tensor(a, shape: [24]), -2, cpu.tensor(a.reversed(), shape: [24]), constant: 1))
        assertClose(z, (0..<24).map { 0.5 * Double(a[$0]) - 2 * Double(a[23 - $0]) + 1 }, "axpby")
    }

    func testLayoutOps() {
        let x = (0..<24).map(Float.init)
        let t = cpu.tensor(x, shape: [2, 3, 4])
        // permute(0, 2, 1): out[a][c][b] = x[a][b][c]
        let p = cpu.toHost(cpu.permute(t, [0, 2, 1]))
        var expected = [Float]()
        for a in 0..<2 { for col in 0..<4 { for row in 0..<3 { expected.append(Float(a * 12 + row * 4 + col)) } } }
        XCTAssertEqual(p, expected)
        let c = cpu.concat([t, cpu.slice(t, axis: 1, range: 1..<2)], axis: 1)
        XCTAssertEqual(c.shape, [2, 4, 4])
        XCTAssertEqual(Array(cpu.toHost(c)[12..<16]), [4, 5, 6, 7])
        let up = cpu.toHost(cpu.upsampleNearest2x(cpu.tensor([1, 2, 3, 4], shape: [1, 1, 2, 2])))
        XCTAssertEqual(up, [1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4])
    }

    func testAdaptiveAvgPoolUsesOverlappingTorchWindows() {
        // L = 5 → 3 outputs: windows [0,2), [1,4), [3,5) (floor/ceil bounds overlap).
        let y = cpu.toHost(cpu.adaptiveAvgPool2d(cpu.tensor([1, 2, 3, 4, 5], shape: [1, 1, 1, 5]), outH: 1, outW: 3))
        XCTAssertEqual(y, [1.5, 3, 4.5])
    }

    func testEmbeddingWidensHalfPrecisionRows() {
        let table: [Float16] = [1, 2, 3, 4, 5, 6]
        let e = table.withUnsafeBytes { cpu.embedding([2, 0], table: cpu.wrap(bytes: $0.baseAddress!, dtype: .float16, shape: [3, 2], owner: NSObject())) }
        XCTAssertEqual(cpu.toHost(e), [5, 6, 1, 2])
    }
}
