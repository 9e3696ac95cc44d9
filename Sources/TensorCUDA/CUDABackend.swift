import Foundation
import Tensor

/// Storage precision of every tensor on a `CUDABackend`. Arithmetic is float32 in every kernel and
/// every GEMM accumulates in float32; `.float16`/`.bfloat16` halve memory traffic and run the GEMMs
/// on the tensor cores.
public enum CUDAPrecision: String, Sendable, CaseIterable {
    case float32, float16, bfloat16

    var dtype: DType { switch self { case .float32: return .float32; case .float16: return .float16; case .bfloat16: return .bfloat16 } }
    var kernelType: String { switch self { case .float32: return "float"; case .float16: return "h16"; case .bfloat16: return "b16" } }
    var cublasType: Int32 { switch self { case .float32: return CuBLAS.r32F; case .float16: return CuBLAS.r16F; case .bfloat16: return CuBLAS.r16BF } }
}

/// The CUDA backend: cuBLAS GEMMs, the project's own NVRTC-compiled kernels for everything else,
/// CUDA libraries loaded with `dlopen` (no link-time dependency). Implements `Backend`, so the
/// same model code runs on it as on the CPU.
public final class CUDABackend: Backend, @unchecked Sendable {
    let ctx: CUDAContext
    public let precision: CUDAPrecision
    public var attentionBudgetBytes: Int
    /// Which kernel paths run (fused attention, split GroupNorm, vectorised pointwise).
    public var tuning = CUDATuning()
    /// cuBLASLt linear layers with fused epilogues; nil when cuBLASLt cannot be set up.
    lazy var ltMatmul: CUDALtMatmul? = try? CUDALtMatmul(lt: CuBLASLt(), dataType: precision.cublasType, allocator: ctx.allocator)
    /// cuDNN convolutions; nil when cuDNN 9 is not installed (im2col + GEMM then).
    lazy var convolution: CUDAConvolution? = try? CUDAConvolution(dnn: CuDNN(), precision: precision)
    /// cuDNN's fused attention (backend graph API); nil without cuDNN 9 or in float32 storage.
    lazy var fusedAttention: CUDAFusedAttention? = try? CUDAFusedAttention(graph: CuDNNGraph(), precision: precision)
    /// The path `fastestOf` chose per op and shape (`ConvolutionChoice`, `AttentionChoice`,
    /// `GEGLUChoice`, `CUDALtMatmul.Key`).
    var pathChoice: [AnyHashable: Int] = [:]

    /// Opens GPU `device` (0-based). Throws a `CUDAError` naming what is missing when the driver,
    /// cuBLAS or NVRTC cannot be loaded or the device does not exist.
    public init(device: Int = 0, precision: CUDAPrecision = .float32, attentionBudgetBytes: Int = 1 << 30) throws {
        ctx = try CUDAContext(deviceIndex: device)
        self.precision = precision
        self.attentionBudgetBytes = attentionBudgetBytes
    }

    public var name: String { "cuda:\(ctx.device) \(ctx.deviceName) (sm_\(ctx.arch), \(precision.rawValue))" }

    /// How many CUDA GPUs the driver reports (0 when there is no driver or no device).
    public static func deviceCount() -> Int {
        guard let driver = try? CUDADriver(), driver.cuInit(0) == 0 else { return 0 }
        var n: Int32 = 0
        return driver.cuDeviceGetCount(&n) == 0 ? Int(n) : 0
    }
    public var deviceName: String { ctx.deviceName }
    /// Largest amount of device memory the allocator has held from the driver, in bytes.
    public var peakAllocatedBytes: Int { ctx.allocator.peakBytes }
    public var peakInUseBytes: Int { ctx.allocator.peakInUseBytes }
    /// Peak device memory held by all CUDA backends of this process together.
    public static var processPeakBytes: Int { CUDAAllocator.process.peakBytes }
    public func synchronize() throws { try ctx.synchronize() }
    public func emptyCache() { ctx.ensureCurrent(); ctx.allocator.emptyCache() }
    public func releaseCachedMemory() { emptyCache() }

    /// Per-kernel GPU time of everything `body` launches, slowest first (CUDA events around each
    /// launch and cuBLAS call; cuBLAS rows are named by the op that issued them).
    public func profile(_ body: () throws -> Void) throws -> [(name: String, calls: Int, milliseconds: Double, tflops: Double?)] {
        try synchronize()
        let p = CUDAProfiler(driver: ctx.driver)
        ctx.profiler = p
        defer { ctx.profiler = nil }
        try body()
        return try p.report().map { ($0.name, $0.calls, $0.milliseconds, $0.flops > 0 ? $0.flops / ($0.milliseconds * 1e9) : nil) }
    }

    // MARK: - Plumbing

    var dtype: DType { precision.dtype }
    var elementSize: Int { dtype.byteSize }

    /// `bytes` of device memory from the caching allocator; throws when the GPU has no room.
    func deviceBuffer(bytes: Int) throws -> CUDABuffer {
        ctx.ensureCurrent()
        let (addr, cap) = try ctx.allocator.allocate(bytes: bytes)
        return CUDABuffer(address: addr, byteCount: bytes, capacity: cap, allocator: ctx.allocator)
    }

    func empty(_ shape: [Int]) -> Tensor {
        do {
            return Tensor(shape: shape, dtype: dtype, buffer: try deviceBuffer(bytes: max(shape.reduce(1, *) * elementSize, 1)))
        } catch {
            // Backend ops are not throwing; an exhausted GPU is unrecoverable for the running job.
            fatalError("\(error)")
        }
    }

    func addr(_ t: Tensor) -> UInt64 {
        guard let b = t.buffer as? CUDABuffer else { preconditionFailure("tensor \(t) does not live on the CUDA backend") }
        precondition(t.dtype == dtype, "tensor \(t) has dtype \(t.dtype), backend stores \(dtype)")
        return b.address + UInt64(t.offset * elementSize)
    }

    func run(_ name: String, count: Int, block: Int = 256, _ args: [KernelArg]) {
        let grid = min((count + block - 1) / block, ctx.multiprocessors * 32)
        runBlocks(name, grid: grid, block: block, args)
    }

    func runBlocks(_ name: String, grid: Int, block: Int, sharedBytes: Int = 0, module: KernelModule = .portable, _ args: [KernelArg]) {
        do {
            let f = try ctx.function(name, storage: precision.kernelType, module: module, dynamicSharedBytes: sharedBytes)
            try ctx.launch(f, name: name, grid: grid, block: block, sharedBytes: sharedBytes, args)
        } catch {
            fatalError("\(error)")
        }
    }

    /// Row-major C[m,n] = alpha·op(A)·op(B) + beta·C via column-major cuBLAS (computes Cᵀ = Bᵀ·Aᵀ).
    func gemm(transA: Bool = false, transB: Bool, m: Int, n: Int, k: Int, alpha: Float = 1,
              a: UInt64, lda: Int, b: UInt64, ldb: Int, beta: Float, c: UInt64, ldc: Int,
              batch: Int = 1, strideA: Int = 0, strideB: Int = 0, strideC: Int = 0, cType: Int32? = nil,
              caller: String = #function) {
        if m == 0 || n == 0 || batch == 0 { return }
        ctx.ensureCurrent()
        var al = alpha, be = beta
        let t = precision.cublasType, ct = cType ?? t
        let opA = transB ? CuBLAS.opT : CuBLAS.opN, opB = transA ? CuBLAS.opT : CuBLAS.opN
        let status: Int32 = ctx.profiled("cublas gemm ← \(caller.prefix { $0 != "(" })",
                                         flops: 2 * Double(m) * Double(n) * Double(k) * Double(batch)) {
        withUnsafePointer(to: &al) { ap in withUnsafePointer(to: &be) { bp in
            let A = UnsafeRawPointer(bitPattern: UInt(b)), B = UnsafeRawPointer(bitPattern: UInt(a))
            let C = UnsafeMutableRawPointer(bitPattern: UInt(c))
            if batch == 1 {
                return ctx.cublas.gemmEx(ctx.cublasHandle, opA, opB, Int32(n), Int32(m), Int32(k), ap, A, t, Int32(ldb),
                                         B, t, Int32(lda), bp, C, ct, Int32(ldc), CuBLAS.compute32F, CuBLAS.gemmDefault)
            }
            return ctx.cublas.gemmStridedBatchedEx(ctx.cublasHandle, opA, opB, Int32(n), Int32(m), Int32(k), ap,
                                                   A, t, Int32(ldb), Int64(strideB), B, t, Int32(lda), Int64(strideA),
                                                   bp, C, ct, Int32(ldc), Int64(strideC), Int32(batch), CuBLAS.compute32F, CuBLAS.gemmDefault)
        } } }
        if status != 0 { fatalError("\(CUDAError.cublas(call: "cublasGemmEx m=\(m) n=\(n) k=\(k) batch=\(batch)", status: status))") }
    }

    /// A float32 scratch buffer (attention scores), independent of the storage precision.
    func scratchF32(_ count: Int) -> CUDABuffer {
        do { return try deviceBuffer(bytes: count * 4) } catch { fatalError("\(error)") }
    }

    // MARK: - Creation and transfer

    public func tensor(_ values: [Float], shape: [Int]) -> Tensor {
        precondition(values.count == shape.reduce(1, *), "\(values.count) values do not fill shape \(shape)")
        return values.withUnsafeBytes { upload($0.baseAddress!, dtype: .float32, shape: shape) }
    }

    public func zeros(_ shape: [Int]) -> Tensor { full(shape, value: 0) }

    public func full(_ shape: [Int], value: Float) -> Tensor {
        let t = empty(shape)
        run("fill", count: t.count, [.ptr(addr(t)), .f32(value), .i64(t.count)])
        return t
    }

    public func wrap(bytes: UnsafeRawPointer, dtype src: DType, shape: [Int], owner: AnyObject) -> Tensor {
        upload(bytes, dtype: src, shape: shape)
    }

    /// Copies host values of dtype `src` to the device and converts them to the storage type.
    func upload(_ bytes: UnsafeRawPointer, dtype src: DType, shape: [Int]) -> Tensor {
        let count = shape.reduce(1, *)
        let out = empty(shape)
        if count == 0 { return out }
        let staging = scratchF32((count * src.byteSize + 3) / 4)  // makes the context current
        do { try ctx.driver.check(ctx.driver.cuMemcpyHtoD(staging.address, bytes, count * src.byteSize), "cuMemcpyHtoD") } catch { fatalError("\(error)") }
        let kernel = src == .float32 ? "cast_from_f32" : src == .float16 ? "cast_from_h16" : "cast_from_b16"
        run(kernel, count: count, [.ptr(staging.address), .ptr(addr(out)), .i64(count)])
        return out
    }

    public func toHost(_ x: Tensor) -> [Float] {
        let count = x.count
        if count == 0 { return [] }
        let staging = scratchF32(count)
        run("cast_to_f32", count: count, [.ptr(addr(x)), .ptr(staging.address), .i64(count)])
        var out = [Float](repeating: 0, count: count)
        do {
            try out.withUnsafeMutableBytes { try ctx.driver.check(ctx.driver.cuMemcpyDtoH($0.baseAddress!, staging.address, count * 4), "cuMemcpyDtoH") }
        } catch { fatalError("\(error)") }
        return out
    }

    /// On this backend every tensor already has the storage dtype; this returns a copy.
    public func toFloat32(_ x: Tensor) -> Tensor { affine(x, scale: 1, shift: 0) }
}
