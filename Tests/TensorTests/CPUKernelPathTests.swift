import Foundation
import Tensor
import XCTest

/// The CPU backend's alternative code paths (batched im2col conv, fused GroupNorm+SiLU, the
/// vectorised exp inside SiLU and attention, per-thread attention blocks) compute the same
/// values as the plain definitions.
final class CPUKernelPathTests: XCTestCase {
    func testBatchedConvEqualsPerImageConvAndTheDefinition() {
        let batched = CPUBackend(threads: 2), perImage = CPUBackend(threads: 2)
        batched.convBatchColumns = 1 << 20   // every image of a call in as few GEMMs as the budget allows
        perImage.convBatchColumns = 0         // one GEMM per image
        // (kernel, stride, padding, input shape, output channels, with bias)
        let cases: [(Int, Int, Padding2D, [Int], Int, Bool)] = [
            (3, 1, .same(1), [5, 4, 6, 5], 7, true),                                   // UNet 3×3
            (3, 2, .same(1), [3, 3, 7, 8], 4, true),                                   // downsample
            (3, 2, Padding2D(top: 0, bottom: 1, left: 0, right: 1), [4, 2, 8, 8], 3, false),
            (1, 1, .same(0), [6, 5, 3, 4], 6, true),                                   // 1×1 shortcut
            (3, 1, .same(1), [16, 8, 4, 4], 9, true),                                  // deep level, many images
        ]
        for (i, (k, stride, pad, xs, o, withBias)) in cases.enumerated() {
            let x = Reference.random(xs.reduce(1, *), seed: UInt64(100 + i))
            let w = Reference.random(o * xs[1] * k * k, seed: UInt64(200 + i))
            let b = withBias ? Reference.random(o, seed: UInt64(300 + i)) : nil
            func run(_ be: CPUBackend) -> Tensor {
                be.conv2d(be.tensor(x, shape: xs), weight: be.tensor(w, shape: [o, xs[1], k, k]),
                          bias: b.map { be.tensor($0, shape: [o]) }, stride: stride, padding: pad)
            }
            let yb = run(batched), yp = run(perImage)
            let (ref, shape) = Reference.conv2d(x, xs, w, [o, xs[1], k, k], b, stride: stride, pad: pad)
            XCTAssertEqual(yb.shape, shape)
            XCTAssertEqual(yp.shape, shape)
            assertClose(batched.toHost(yb), ref, "batched conv case \(i)")
            assertClose(perImage.toHost(yp), ref, "per-image conv case \(i)")
        }
    }

    func testBatchedConvSplitsIntoGroupsWhenTheColumnBudgetIsSmall() {
        // 7 images whose column matrices (27 × 16 floats each) fit 3 at a time: groups 3, 3, 1.
        let be = CPUBackend(threads: 2)
        be.convBatchColumns = 1 << 20
        be.convColumnBudgetBytes = 3 * 27 * 16 * 4
        let xs = [7, 3, 4, 4], o = 5
        let x = Reference.random(xs.reduce(1, *), seed: 41), w = Reference.random(o * 27, seed: 42), b = Reference.random(o, seed: 43)
        let y = be.conv2d(be.tensor(x, shape: xs), weight: be.tensor(w, shape: [o, 3, 3, 3]), bias: be.tensor(b, shape: [o]),
                          stride: 1, padding: .same(1))
        let (ref, _) = Reference.conv2d(x, xs, w, [o, 3, 3, 3], b, stride: 1, pad: .same(1))
        assertClose(be.toHost(y), ref, "grouped batched conv")
    }

    func testFusedGroupNormSiLUEqualsSiLUOfGroupNorm() {
        let cpu = CPUBackend(threads: 2)
        let shape = [2, 8, 3, 5, 7], groups = 4   // odd spatial size: exercises the vector tail
        let x = Reference.random(shape.reduce(1, *), seed: 51).map { $0 * 4 - 0.5 }
        let wt = Reference.random(8, seed: 52).map { $0 * 3 }, bs = Reference.random(8, seed: 53)
        let xt = cpu.tensor(x, shape: shape), wtt = cpu.tensor(wt, shape: [8]), bst = cpu.tensor(bs, shape: [8])
        let fused = cpu.toHost(cpu.groupNormSiLU(xt, groups: groups, weight: wtt, bias: bst, eps: 1e-5))
        let spatial = 3 * 5 * 7, per = 2
        var ref = [Double](repeating: 0, count: x.count)
        for n in 0..<2 { for g in 0..<groups {
            let base = (n * 8 + g * per) * spatial
            let vals = (0..<(per * spatial)).map { Double(x[base + $0]) }
            let mean = vals.reduce(0, +) / Double(vals.count)
            let variance = vals.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(vals.count)
            for i in 0..<(per * spatial) {
                let ch = g * per + i / spatial
                let v = (vals[i] - mean) / (variance + 1e-5).squareRoot() * Double(wt[ch]) + Double(bs[ch])
                ref[base + i] = v / (1 + Foundation.exp(-v))
            }
        } }
        assertClose(fused, ref, "groupNormSiLU")
    }

    func testSiLUIsAccurateOverTheWholeFloatRange() {
        let cpu = CPUBackend(threads: 2)
        // Relative error per element, including saturated tails (exp over/underflow).
        let x: [Float] = (0..<2003).map { Float($0 - 1001) * 0.1 } + [-1e30, -200, -88.8, 88.8, 200, 1e30, 0, -0.0]
        let y = cpu.toHost(cpu.silu(cpu.tensor(x, shape: [x.count])))
        for (xi, yi) in zip(x, y) {
            let ref = Double(xi) / (1 + Foundation.exp(-Double(xi)))
            let err = abs(Double(yi) - ref) / max(abs(ref), 1e-30)
            XCTAssertTrue(err < 1e-6 || abs(Double(yi) - ref) < 1e-30, "silu(\(xi)) = \(yi), expected \(ref)")
        }
    }

    func testAttentionSplitAcrossThreadsMatchesDefinition() {
        // More (sequence, head, query block) units than threads, lengths that are not multiples of
        // any block size, large score magnitudes (the online softmax rescales often), both budgets.
        for (threads, budget, causal) in [(2, 64 << 20, false), (2, 24 << 10, true), (3, 24 << 10, false), (1, 64 << 20, true)] {
            let cpu = CPUBackend(threads: threads, attentionBudgetBytes: budget)
            let (b, lq, lk, heads, d) = (3, 203, 517, 4, 16)
            let q = Reference.random(b * lq * heads * d, seed: 61).map { $0 * 3 }
            let k = Reference.random(b * lk * heads * d, seed: 62).map { $0 * 3 }
            let v = Reference.random(b * lk * heads * d, seed: 63)
            let keys = causal ? lq : lk
            let y = cpu.toHost(cpu.attention(cpu.tensor(q, shape: [b, lq, heads * d]),
                                             cpu.tensor(Array(k.prefix(b * keys * heads * d)), shape: [b, keys, heads * d]),
                                             cpu.tensor(Array(v.prefix(b * keys * heads * d)), shape: [b, keys, heads * d]),
                                             heads: heads, scale: 1 / Float(d).squareRoot(), causal: causal))
            let ref = Reference.attention(q: q, k: Array(k.prefix(b * keys * heads * d)), v: Array(v.prefix(b * keys * heads * d)),
                                          b: b, lq: lq, lk: keys, heads: heads, d: d, scale: 1 / Double(d).squareRoot(), causal: causal)
            assertClose(y, ref, "attention threads=\(threads) budget=\(budget) causal=\(causal)")
        }
    }

    func testTemporalConvWithWideKernelsAndFewFrames() {
        // k = 5 over 2 frames: the outer taps never see an input frame; k = 1 is a pure 1×1×1 conv.
        let cpu = CPUBackend(threads: 2)
        for (k, f) in [(5, 2), (1, 3), (3, 1)] {
            let (b, c, h, w, o) = (2, 3, 2, 2, 4)
            let x = Reference.random(b * c * f * h * w, seed: UInt64(70 + k)), wt = Reference.random(o * c * k, seed: UInt64(80 + k))
            let bias = Reference.random(o, seed: 90)
            let y = cpu.toHost(cpu.conv3dTemporal(cpu.tensor(x, shape: [b, c, f, h, w]), weight: cpu.tensor(wt, shape: [o, c, k, 1, 1]),
                                                  bias: cpu.tensor(bias, shape: [o])))
            var ref = [Double](repeating: 0, count: b * o * f * h * w)
            for s in 0..<b { for oc in 0..<o { for fr in 0..<f { for p in 0..<(h * w) {
                var acc = Double(bias[oc])
                for ic in 0..<c { for t in 0..<k {
                    let fi = fr + t - (k - 1) / 2
                    if fi < 0 || fi >= f { continue }
                    acc += Double(wt[(oc * c + ic) * k + t]) * Double(x[((s * c + ic) * f + fi) * h * w + p])
                } }
                ref[((s * o + oc) * f + fr) * h * w + p] = acc
            } } } }
            assertClose(y, ref, "conv3dTemporal k=\(k) f=\(f)")
        }
    }

    func testMemoryPoolReusesFreedBlocksWithinItsCapacity() {
        let pool = CPUMemoryPool(capacityBytes: 8 << 20)
        let a = pool.allocate(3 << 20)
        pool.deallocate(a, bytes: 3 << 20)
        XCTAssertGreaterThanOrEqual(pool.cachedBytes, 3 << 20)
        // A request of nearly the same size (same size class) gets the cached block back.
        let b = pool.allocate((3 << 20) - 1000)
        XCTAssertEqual(a, b)
        XCTAssertEqual(pool.cachedBytes, 0)
        pool.deallocate(b, bytes: (3 << 20) - 1000)
        // Blocks beyond the capacity are returned to the system, oldest first.
        let c = pool.allocate(6 << 20)
        pool.deallocate(c, bytes: 6 << 20)
        XCTAssertLessThanOrEqual(pool.cachedBytes, 8 << 20)
        let big = pool.allocate(16 << 20)
        pool.deallocate(big, bytes: 16 << 20)
        XCTAssertLessThanOrEqual(pool.cachedBytes, 8 << 20)
        pool.releaseAll()
        XCTAssertEqual(pool.cachedBytes, 0)
        // Small blocks bypass the cache.
        let small = pool.allocate(1000)
        pool.deallocate(small, bytes: 1000)
        XCTAssertEqual(pool.cachedBytes, 0)
    }

    func testLinearAddingResidualEqualsLinearPlusResidual() {
        let cpu = CPUBackend(threads: 2)
        let x = Reference.random(2 * 5 * 7, seed: 101), w = Reference.random(4 * 7, seed: 102)
        let b = Reference.random(4, seed: 103), r = Reference.random(2 * 5 * 4, seed: 104)
        let residual = cpu.tensor(r, shape: [2, 5, 4])
        let y = cpu.linear(cpu.tensor(x, shape: [2, 5, 7]), weight: cpu.tensor(w, shape: [4, 7]), bias: cpu.tensor(b, shape: [4]),
                           adding: residual)
        XCTAssertEqual(y.shape, [2, 5, 4])
        var ref = [Double]()
        for row in 0..<10 { for o in 0..<4 {
            var acc = Double(b[o]) + Double(r[row * 4 + o])
            for i in 0..<7 { acc += Double(x[row * 7 + i]) * Double(w[o * 7 + i]) }
            ref.append(acc)
        } }
        assertClose(cpu.toHost(y), ref, "linear + residual")
        XCTAssertEqual(cpu.toHost(residual), r, "the residual input is left unchanged")
    }
}
