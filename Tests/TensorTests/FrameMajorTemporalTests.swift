import Foundation
import Tensor
import XCTest

/// The temporal layers' ops on frame-major feature maps [B·F, C, h, w] (sample b·F + f) compute
/// what the 5-D ops compute on [B, C, F, h, w]: the CPU backend's native forms and the composed
/// defaults (permute, 5-D op, permute back) against float64 definitions written in the
/// frame-major layout.
final class FrameMajorTemporalTests: XCTestCase {
    let cpu = CPUBackend(threads: 2)

    func testTemporalTapsAreTheTapsWhoseInputFrameExists() {
        let one = TemporalTaps(kernel: 3, frames: 1)
        XCTAssertEqual(one.taps(frame: 0), 1..<2)           // only the centre tap
        XCTAssertTrue(one.interior.isEmpty)
        XCTAssertEqual(one.edges, [0])
        let two = TemporalTaps(kernel: 3, frames: 2)
        XCTAssertEqual([two.taps(frame: 0), two.taps(frame: 1)], [1..<3, 0..<2])
        XCTAssertTrue(two.interior.isEmpty)
        XCTAssertEqual(two.edges, [0, 1])
        let sixteen = TemporalTaps(kernel: 3, frames: 16)
        XCTAssertEqual(sixteen.interior, 1..<15)
        XCTAssertEqual(sixteen.edges, [0, 15])
        XCTAssertEqual(sixteen.taps(frame: 7), 0..<3)
        XCTAssertEqual(sixteen.taps(frame: 15), 0..<2)
        let pointwise = TemporalTaps(kernel: 1, frames: 3)
        XCTAssertEqual(pointwise.interior, 0..<3)
        XCTAssertEqual(pointwise.edges, [])
        let wide = TemporalTaps(kernel: 5, frames: 2)       // the outer taps never reach a frame
        XCTAssertEqual([wide.taps(frame: 0), wide.taps(frame: 1)], [2..<4, 1..<3])
    }

    /// out[b·F + f, o] = bias[o] + Σ_{c,t} w[o, c, t] · x[b·F + f + t − (k−1)/2, c] over frames of video b.
    static func referenceConv(_ x: [Float], videos: Int, frames: Int, channels c: Int, pixels hw: Int,
                              _ w: [Float], outChannels o: Int, kernel k: Int, bias: [Float]) -> [Double] {
        var out = [Double](repeating: 0, count: videos * frames * o * hw)
        for b in 0..<videos { for f in 0..<frames { for oc in 0..<o { for p in 0..<hw {
            var acc = Double(bias[oc])
            for t in 0..<k {
                let fi = f + t - (k - 1) / 2
                if fi < 0 || fi >= frames { continue }
                for ic in 0..<c { acc += Double(w[(oc * c + ic) * k + t]) * Double(x[((b * frames + fi) * c + ic) * hw + p]) }
            }
            out[((b * frames + f) * o + oc) * hw + p] = acc
        } } } }
        return out
    }

    func testFrameMajorTemporalConvMatchesTheDefinition() {
        // (videos, frames, in, out, h, w, kernel): one and two frames (no interior frame), odd pixel
        // counts, O ≠ C, 16 frames, k = 1 and k = 5; two videos so a window that crossed into the
        // neighbouring video would show. Three threads split the rows of O when there are fewer
        // frames than threads (5 rows over 3 threads: blocks of 2, 2, 1).
        let cases = [(1, 1, 3, 4, 2, 3, 3), (2, 1, 4, 4, 3, 1, 3), (2, 2, 5, 3, 3, 3, 3), (2, 3, 4, 6, 5, 7, 3),
                     (1, 16, 6, 4, 3, 3, 3), (2, 16, 8, 8, 2, 2, 3), (2, 3, 4, 5, 2, 3, 1), (2, 4, 3, 4, 2, 2, 5), (1, 1, 4, 5, 3, 3, 3)]
        let threeThreads = CPUBackend(threads: 3)
        for (i, (b, f, c, o, h, w, k)) in cases.enumerated() {
            let cpu = i == cases.count - 1 ? threeThreads : cpu
            let x = Reference.random(b * f * c * h * w, seed: UInt64(500 + i))
            let wt = Reference.random(o * c * k, seed: UInt64(600 + i)), bias = Reference.random(o, seed: UInt64(700 + i))
            let ref = Self.referenceConv(x, videos: b, frames: f, channels: c, pixels: h * w, wt, outChannels: o, kernel: k, bias: bias)
            let xt = cpu.tensor(x, shape: [b * f, c, h, w]), wtt = cpu.tensor(wt, shape: [o, c, k, 1, 1]), bt = cpu.tensor(bias, shape: [o])
            let native = cpu.conv3dTemporalFrames(xt, weight: wtt, bias: bt, frames: f)
            let composed = cpu.composedConv3dTemporalFrames(xt, weight: wtt, bias: bt, frames: f)
            XCTAssertEqual(native.shape, [b * f, o, h, w])
            XCTAssertEqual(composed.shape, [b * f, o, h, w])
            assertClose(cpu.toHost(native), ref, "native conv3dTemporalFrames case \(i)")
            assertClose(cpu.toHost(composed), ref, "composed conv3dTemporalFrames case \(i)")
        }
    }

    func testFrameMajorTemporalConvWithoutBias() {
        let (b, f, c, o, h, w) = (2, 4, 3, 5, 2, 3)
        let x = Reference.random(b * f * c * h * w, seed: 801), wt = Reference.random(o * c * 3, seed: 802)
        let y = cpu.conv3dTemporalFrames(cpu.tensor(x, shape: [b * f, c, h, w]), weight: cpu.tensor(wt, shape: [o, c, 3, 1, 1]),
                                         bias: nil, frames: f)
        let ref = Self.referenceConv(x, videos: b, frames: f, channels: c, pixels: h * w, wt, outChannels: o, kernel: 3,
                                     bias: [Float](repeating: 0, count: o))
        assertClose(cpu.toHost(y), ref, "conv3dTemporalFrames without bias")
    }

    func testFrameMajorTemporalConvAddingAResidualIsTheResidualPlusTheConv() {
        let (b, f, c, h, w) = (2, 5, 4, 2, 3)
        let x = Reference.random(b * f * c * h * w, seed: 811), wt = Reference.random(c * c * 3, seed: 812)
        let bias = Reference.random(c, seed: 813), residual = Reference.random(b * f * c * h * w, seed: 814).map { $0 * 4 }
        let y = cpu.conv3dTemporalFrames(cpu.tensor(x, shape: [b * f, c, h, w]), weight: cpu.tensor(wt, shape: [c, c, 3, 1, 1]),
                                         bias: cpu.tensor(bias, shape: [c]), frames: f, adding: cpu.tensor(residual, shape: [b * f, c, h, w]))
        let conv = Self.referenceConv(x, videos: b, frames: f, channels: c, pixels: h * w, wt, outChannels: c, kernel: 3, bias: bias)
        XCTAssertEqual(y.shape, [b * f, c, h, w])
        assertClose(cpu.toHost(y), zip(conv, residual).map { $0 + Double($1) }, "conv3dTemporalFrames adding a residual")
    }

    func testFrameMajorGroupNormSiLUPoolsStatisticsOverEachVideosFrames() {
        // Each frame and each video gets its own offset and scale, so per-frame statistics or
        // statistics pooled across videos would give other values.
        let cases = [(1, 1, 8, 4, 3, 3), (2, 2, 8, 4, 4, 4), (2, 3, 12, 3, 5, 7), (1, 16, 8, 2, 3, 3), (2, 5, 6, 6, 1, 3)]
        for (i, (b, f, c, groups, h, w)) in cases.enumerated() {
            let hw = h * w, per = c / groups
            var x = Reference.random(b * f * c * hw, seed: UInt64(900 + i))
            for s in 0..<(b * f) { for j in 0..<(c * hw) { x[s * c * hw + j] = x[s * c * hw + j] * Float(1 + s % 3) + Float(s) * 0.7 - 2 } }
            let wt = Reference.random(c, seed: UInt64(950 + i)).map { $0 * 2 }, bs = Reference.random(c, seed: UInt64(980 + i))
            // A preceding convolution's bias folded in: the result is that of x + inputBias[channel].
            let ib = Reference.random(c, seed: UInt64(990 + i)).map { $0 * 3 }
            func reference(_ x: [Float]) -> [Double] {
                var ref = [Double](repeating: 0, count: x.count)
                for v in 0..<b { for g in 0..<groups {
                    var idx = [Int]()
                    for fr in 0..<f { for cc in 0..<per { for p in 0..<hw { idx.append(((v * f + fr) * c + g * per + cc) * hw + p) } } }
                    let mean = idx.reduce(0.0) { $0 + Double(x[$1]) } / Double(idx.count)
                    let variance = idx.reduce(0.0) { $0 + (Double(x[$1]) - mean) * (Double(x[$1]) - mean) } / Double(idx.count)
                    for j in idx {
                        let ch = (j / hw) % c
                        let y = (Double(x[j]) - mean) / (variance + 1e-5).squareRoot() * Double(wt[ch]) + Double(bs[ch])
                        ref[j] = y / (1 + Foundation.exp(-y))
                    }
                } }
                return ref
            }
            let ref = reference(x), refBiased = reference(x.indices.map { x[$0] + ib[($0 / hw) % c] })
            let xt = cpu.tensor(x, shape: [b * f, c, h, w]), wtt = cpu.tensor(wt, shape: [c]), bst = cpu.tensor(bs, shape: [c])
            let ibt = cpu.tensor(ib, shape: [c])
            let native = cpu.groupNormSiLU(xt, groups: groups, weight: wtt, bias: bst, eps: 1e-5, frames: f)
            let composed = cpu.composedGroupNormSiLU(xt, groups: groups, weight: wtt, bias: bst, eps: 1e-5, frames: f)
            let biased = cpu.groupNormSiLU(xt, inputBias: ibt, groups: groups, weight: wtt, bias: bst, eps: 1e-5, frames: f)
            XCTAssertEqual(native.shape, [b * f, c, h, w])
            assertClose(cpu.toHost(native), ref, "native groupNormSiLU frames case \(i)")
            assertClose(cpu.toHost(composed), ref, "composed groupNormSiLU frames case \(i)")
            assertClose(cpu.toHost(biased), refBiased, "groupNormSiLU frames with input bias case \(i)")
        }
    }

    func testProfilingBackendTimesTheFrameMajorOpsUnderTheirOwnNames() {
        // Forwarded to the inner backend as themselves, not as the composed permutes.
        let prof = ProfilingBackend(cpu)
        let x = prof.tensor(Reference.random(4 * 8 * 6, seed: 990), shape: [4, 8, 2, 3])
        let w = prof.tensor(Reference.random(8 * 8 * 3, seed: 991), shape: [8, 8, 3, 1, 1])
        let g = prof.tensor(Reference.random(8, seed: 992), shape: [8]), bias = prof.tensor(Reference.random(8, seed: 993), shape: [8])
        _ = prof.conv3dTemporalFrames(prof.groupNormSiLU(x, groups: 4, weight: g, bias: bias, eps: 1e-5, frames: 2),
                                      weight: w, bias: bias, frames: 2)
        XCTAssertEqual(Set(prof.byOp.map(\.op)), ["conv3dTemporalFrames", "groupNormSiLU frames"])
    }
}
