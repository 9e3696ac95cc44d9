import Foundation
@testable import Tensor
import XCTest

/// Both attention paths of the CPU backend — the fused AVX2 + FMA kernel (`CVectorMath`, register
/// tiles over 16-query panels and key blocks) and the portable ones (a direct loop for short
/// sequences, OpenBLAS GEMM blocks with the softmax in Swift for long ones) — against a float64
/// definition, at sizes that are not multiples of any tile or block (query panels of 16, key
/// tiles of 6, value-column tiles of 6, key blocks, query blocks), causal and not, several head
/// dims (also d ≠ dv) and tiny shapes.
final class AttentionKernelTests: XCTestCase {
    struct Case {
        var b: Int = 1
        var lq: Int
        var lk: Int
        var heads: Int = 1
        var d: Int
        var dv: Int? = nil
        var causal: Bool = false
        var threads: Int = 2
        var queryBlock: Int = 128
        var keyBlock: Int = 256
        var amplitude: Float = 3
    }

    static let cases: [Case] = [
        Case(lq: 1, lk: 1, d: 64),                                             // one query, one key
        Case(b: 3, lq: 8, lk: 8, heads: 5, d: 64),                             // temporal attention: 8 frames
        Case(b: 2, lq: 16, lk: 16, heads: 3, d: 80, causal: true),             // one full panel, causal
        Case(b: 2, lq: 64, lk: 77, heads: 2, d: 64),                           // cross-attention at 8×8 latents
        Case(lq: 1, lk: 65, d: 64),                                            // one query, one key past the small path
        Case(lq: 65, lk: 1, d: 64),                                            // one key
        Case(lq: 70, lk: 3, heads: 2, d: 5, causal: true),                     // causal, fewer keys than queries
        Case(b: 2, lq: 203, lk: 517, heads: 3, d: 64),                         // the UNet's head dim, ragged lengths
        Case(b: 2, lq: 203, lk: 203, heads: 2, d: 64, causal: true),           // causal across blocks and panels
        Case(lq: 131, lk: 300, heads: 2, d: 80, causal: true),                 // head dim 80, causal with lk > lq
        Case(lq: 100, lk: 333, heads: 5, d: 80, threads: 3),                   // head dim 80, three workers
        Case(lq: 97, lk: 129, heads: 3, d: 40, dv: 24, queryBlock: 32, keyBlock: 7),  // d ≠ dv, small blocks
        Case(lq: 77, lk: 90, heads: 2, d: 7, dv: 13, causal: true, threads: 1, queryBlock: 17, keyBlock: 1),
        Case(lq: 300, lk: 145, heads: 1, d: 16, threads: 2, queryBlock: 48, keyBlock: 100, amplitude: 6),  // one head: no packing
        Case(lq: 66, lk: 4100, heads: 2, d: 64, keyBlock: 256),                // many key blocks, last one short
    ]

    func check(_ c: Case, fused: Bool, file: StaticString = #filePath, line: UInt = #line) {
        let cpu = CPUBackend(threads: c.threads, attentionBudgetBytes: 16 << 10)
        cpu.attentionFusedKernel = fused
        cpu.attentionQueryBlock = c.queryBlock
        cpu.attentionFusedKeyBlock = c.keyBlock
        let dv = c.dv ?? c.d
        let seed = UInt64(c.lq * 7919 + c.lk * 31 + c.d)
        let q = Reference.random(c.b * c.lq * c.heads * c.d, seed: seed).map { $0 * c.amplitude }
        let k = Reference.random(c.b * c.lk * c.heads * c.d, seed: seed + 1).map { $0 * c.amplitude }
        let v = Reference.random(c.b * c.lk * c.heads * dv, seed: seed + 2)
        let scale = 1 / Float(c.d).squareRoot()
        let y = cpu.toHost(cpu.attention(cpu.tensor(q, shape: [c.b, c.lq, c.heads * c.d]), cpu.tensor(k, shape: [c.b, c.lk, c.heads * c.d]),
                                         cpu.tensor(v, shape: [c.b, c.lk, c.heads * dv]), heads: c.heads, scale: scale, causal: c.causal))
        let ref = Reference.attention(q: q, k: k, v: v, b: c.b, lq: c.lq, lk: c.lk, heads: c.heads, d: c.d, dv: dv,
                                      scale: Double(scale), causal: c.causal)
        XCTAssertFalse(y.contains { !$0.isFinite }, "non-finite output \(c)", file: file, line: line)
        assertClose(y, ref, "attention \(fused ? "fused" : "portable") \(c)", file: file, line: line)
    }

    func testFusedKernelMatchesDefinition() throws {
        try XCTSkipUnless(VectorMath.avx2, "this CPU has no AVX2/FMA; the fused kernel is never chosen")
        XCTAssertTrue(CPUBackend(threads: 1).attentionFusedKernel, "an AVX2 + FMA CPU should default to the fused kernel")
        for c in Self.cases { check(c, fused: true) }
    }

    func testPortablePathMatchesDefinition() {
        for c in Self.cases { check(c, fused: false) }
    }

    func testFusedKernelRescalesWhenTheRowMaximumGrows() throws {
        // Score of key j = j exactly (q = 1, k[j] = j/64 in every channel), so every key block
        // raises the running maximum by 64 and the accumulator is rescaled by e^-64 each time;
        // the first blocks' probabilities end up below float's range, which must give 0, not NaN.
        try XCTSkipUnless(VectorMath.avx2, "this CPU has no AVX2/FMA; the fused kernel is never chosen")
        let (lq, lk, d) = (37, 600, 64)
        let q = [Float](repeating: 1, count: lq * d)
        let k = (0..<lk * d).map { i in Float(i / d) / 64 }
        let v = Reference.random(lk * d, seed: 5)
        for fused in [true, false] {
            let cpu = CPUBackend(threads: 2)
            cpu.attentionFusedKernel = fused
            cpu.attentionFusedKeyBlock = 64
            let y = cpu.toHost(cpu.attention(cpu.tensor(q, shape: [1, lq, d]), cpu.tensor(k, shape: [1, lk, d]),
                                             cpu.tensor(v, shape: [1, lk, d]), heads: 1, scale: 1, causal: false))
            let ref = Reference.attention(q: q, k: k, v: v, b: 1, lq: lq, lk: lk, heads: 1, d: d, dv: d, scale: 1, causal: false)
            XCTAssertFalse(y.contains { !$0.isFinite }, "fused \(fused)")
            assertClose(y, ref, "growing scores, fused \(fused)")
        }
    }
}
