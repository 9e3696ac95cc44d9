import CBLAS
import Foundation

/// The CPU backend: GEMM through OpenBLAS (`cblas_sgemm`), every other op in vectorised Swift over
/// unsafe buffers, threaded across the machine's cores. Half-precision inputs are widened to
/// float32 per call (weights stay fp16 in memory), so peak memory holds at most one widened layer.
public final class CPUBackend: Backend, @unchecked Sendable {
    public let threads: Int
    public var attentionBudgetBytes: Int
    /// Largest im2col column buffer of conv2d, in bytes (the GEMM's B matrix).
    public var convColumnBudgetBytes: Int = 32 << 20
    /// conv2d folds images whose output has fewer pixels than this into one GEMM of about this
    /// many columns (im2col over the batch), so small feature maps still give OpenBLAS a wide
    /// matrix; 0 runs one GEMM per image.
    public var convBatchColumns: Int = 2048
    /// Query rows and keys of one attention block per thread (upper bounds; the budget may shrink them).
    public var attentionQueryBlock: Int = 128
    public var attentionKeyBlock: Int = 4096
    /// Keys per block of the fused attention kernel (its scores of one 16-query panel, 64 B a key,
    /// stay in L1 from Q·Kᵀ through P·V).
    public var attentionFusedKeyBlock: Int = 256
    /// Attention runs in the fused AVX2 + FMA kernel (`CVectorMath`); false (the default on CPUs
    /// without AVX2/FMA, where true is ignored, or tests of the other paths) runs short sequences
    /// directly and long ones in blocks of OpenBLAS GEMMs with the softmax in Swift.
    public var attentionFusedKernel: Bool = VectorMath.avx2
    /// ResNet convolutions through the channels-last ops (their composed defaults: permutes around
    /// the NCHW ops, so slower here); for tests of that path.
    public var channelsLastConvolutions = false
    public func prefersChannelsLastConvolution(pixels: Int) -> Bool { channelsLastConvolutions }

    /// - Parameters:
    ///   - threads: worker threads for non-GEMM ops (default: all cores). OpenBLAS uses the same count.
    ///   - attentionBudgetBytes: largest attention score block computed at once (default 64 MiB) by
    ///     the OpenBLAS attention path; the fused kernel's blocks are far smaller (16 × 256 scores).
    public init(threads: Int? = nil, attentionBudgetBytes: Int = 64 << 20) {
        let n = max(1, threads ?? ProcessInfo.processInfo.activeProcessorCount)
        self.threads = n
        self.attentionBudgetBytes = attentionBudgetBytes
        openblas_set_num_threads(Int32(n))
    }

    public var name: String { "cpu (openblas, \(threads) threads)" }

    /// Runs `body` with OpenBLAS limited to one thread, for work that calls sgemm from several
    /// threads of its own at once; restores this backend's thread count afterwards.
    func withSingleThreadedBLAS<R>(_ body: () -> R) -> R {
        openblas_set_num_threads(1)
        defer { openblas_set_num_threads(Int32(threads)) }
        return body()
    }

    // MARK: - Buffers

    /// A new uninitialised float32 tensor.
    func empty(_ shape: [Int]) -> Tensor {
        let count = shape.reduce(1, *)
        return Tensor(shape: shape, dtype: .float32, buffer: CPUBuffer(byteCount: count * 4))
    }

    /// Mutable float32 pointer of a tensor this backend created (float32 only).
    @inline(__always)
    func mutablePointer(_ t: Tensor) -> UnsafeMutablePointer<Float> {
        precondition(t.dtype == .float32, "expected a float32 tensor, got \(t.dtype)")
        guard let b = t.buffer as? CPUBuffer else { preconditionFailure("tensor does not live on the CPU backend") }
        return b.pointer.assumingMemoryBound(to: Float.self) + t.offset
    }

    @inline(__always)
    func rawPointer(_ t: Tensor) -> UnsafeRawPointer {
        guard let b = t.buffer as? CPUBuffer else { preconditionFailure("tensor does not live on the CPU backend") }
        return UnsafeRawPointer(b.pointer) + t.offset * t.dtype.byteSize
    }

    /// Runs `body` with float32 values of `t`: direct for float32 storage, widened into a
    /// temporary buffer for float16/bfloat16 storage.
    @inline(__always)
    func withFloats<R>(_ t: Tensor, _ body: (UnsafePointer<Float>) -> R) -> R {
        switch t.dtype {
        case .float32:
            return body(UnsafePointer(rawPointer(t).assumingMemoryBound(to: Float.self)))
        case .float16, .bfloat16:
            let count = t.count
            let tmp = scratch(count)
            defer { releaseScratch(tmp, count) }
            widen(t, into: tmp)
            return body(UnsafePointer(tmp))
        }
    }

    func widen(_ t: Tensor, into dst: UnsafeMutablePointer<Float>) {
        let count = t.count
        let src = rawPointer(t).assumingMemoryBound(to: UInt16.self)
        let isHalf = t.dtype == .float16
        parallelRanges(count, threads: threads, grain: 1 << 16) { r in
            if isHalf {
                HalfConversion.widenFloat16(src + r.lowerBound, dst + r.lowerBound, r.count)
            } else {
                HalfConversion.widenBFloat16(src + r.lowerBound, dst + r.lowerBound, r.count)
            }
        }
    }

    /// Uninitialised float scratch of `count` values (large ones from `CPUMemoryPool.shared`).
    @inline(__always)
    func scratch(_ count: Int) -> UnsafeMutablePointer<Float> {
        CPUMemoryPool.shared.allocate(max(count, 1) * 4).assumingMemoryBound(to: Float.self)
    }

    @inline(__always)
    func releaseScratch(_ p: UnsafeMutablePointer<Float>, _ count: Int) {
        CPUMemoryPool.shared.deallocate(UnsafeMutableRawPointer(p), bytes: max(count, 1) * 4)
    }

    /// Frees the large blocks cached by `CPUMemoryPool.shared` (between pipeline stages).
    public func releaseCachedMemory() { CPUMemoryPool.shared.releaseAll() }

    // MARK: - Creation and transfer

    public func tensor(_ values: [Float], shape: [Int]) -> Tensor {
        precondition(values.count == shape.reduce(1, *), "\(values.count) values do not fill shape \(shape)")
        let t = empty(shape)
        values.withUnsafeBufferPointer { src in
            if let base = src.baseAddress { mutablePointer(t).update(from: base, count: values.count) }
        }
        return t
    }

    public func zeros(_ shape: [Int]) -> Tensor { full(shape, value: 0) }

    public func full(_ shape: [Int], value: Float) -> Tensor {
        let t = empty(shape)
        mutablePointer(t).initialize(repeating: value, count: t.count)
        return t
    }

    public func wrap(bytes: UnsafeRawPointer, dtype: DType, shape: [Int], owner: AnyObject) -> Tensor {
        let count = shape.reduce(1, *)
        return Tensor(shape: shape, dtype: dtype,
                      buffer: CPUBuffer(borrowing: bytes, byteCount: count * dtype.byteSize, owner: owner))
    }

    public func toHost(_ x: Tensor) -> [Float] {
        withFloats(x) { p in Array(UnsafeBufferPointer(start: p, count: x.count)) }
    }

    public func toFloat32(_ x: Tensor) -> Tensor {
        let out = empty(x.shape)
        let dst = mutablePointer(out)
        if x.dtype == .float32 {
            let src = rawPointer(x).assumingMemoryBound(to: Float.self)
            dst.update(from: src, count: x.count)
        } else {
            widen(x, into: dst)
        }
        return out
    }
}
