import Foundation

/// Linear layers through cuBLASLt with the bias (and optionally a residual) fused into the GEMM:
/// D = X·Wᵀ + bias (+ residual) in one kernel, rounding to the storage type once. One plan
/// (descriptors + the heuristic's algorithm) per shape, built on first use and cached. Returns
/// false when cuBLASLt has no algorithm for a case, so the caller falls back to GEMM + bias.
final class CUDALtMatmul {
    private struct Key: Hashable { let rows: Int, outF: Int, inF: Int, residual: Bool }
    private final class Plan {
        let desc: OpaquePointer?, a: OpaquePointer?, b: OpaquePointer?, d: OpaquePointer?
        let algo: UnsafeMutableRawPointer  // cublasLtMatmulAlgo_t, 64 bytes
        init(desc: OpaquePointer?, a: OpaquePointer?, b: OpaquePointer?, d: OpaquePointer?, algo: UnsafeMutableRawPointer) {
            self.desc = desc; self.a = a; self.b = b; self.d = d; self.algo = algo
        }
    }

    static let workspaceBytes = 32 << 20
    private let lt: CuBLASLt
    private let handle: OpaquePointer?
    private let dataType: Int32
    private let workspace: UInt64
    private let workspaceOwner: CUDABuffer
    private var plans: [Key: Plan?] = [:]
    private let lock = NSLock()

    init(lt: CuBLASLt, dataType: Int32, allocator: CUDAAllocator) throws {
        self.lt = lt
        self.dataType = dataType
        var h: OpaquePointer?
        let rc = lt.create(&h)
        guard rc == 0 else { throw CUDAError.cublas(call: "cublasLtCreate", status: rc) }
        handle = h
        let (addr, cap) = try allocator.allocate(bytes: Self.workspaceBytes)
        workspace = addr
        workspaceOwner = CUDABuffer(address: addr, byteCount: Self.workspaceBytes, capacity: cap, allocator: allocator)
    }

    /// out[rows, outF] = x[rows, inF] · weight[outF, inF]ᵀ + bias[outF] (+ residual[rows, outF]).
    /// Every pointer must be 256-byte aligned (the heuristic's default assumption).
    func linear(rows: Int, outF: Int, inF: Int, x: UInt64, weight: UInt64, bias: UInt64, residual: UInt64?, out: UInt64) -> Bool {
        guard [x, weight, bias, out, residual ?? 0].allSatisfy({ $0 % 256 == 0 }) else { return false }
        let key = Key(rows: rows, outF: outF, inF: inF, residual: residual != nil)
        lock.lock(); defer { lock.unlock() }
        let plan: Plan?
        if let cached = plans[key] { plan = cached } else { plan = makePlan(key); plans[key] = plan }
        guard let plan else { return false }
        var biasPointer = bias
        guard lt.descSetAttribute(plan.desc, CuBLASLt.descBiasPointer, &biasPointer, 8) == 0 else { return false }
        var alpha: Float = 1, beta: Float = residual == nil ? 0 : 1
        // Column-major view: D[outF × rows] = Wᵀ-op(A[inF × outF]) · B[inF × rows] (+ C = residual).
        let rc = lt.matmul(handle, plan.desc, &alpha, UnsafeRawPointer(bitPattern: UInt(weight)), plan.a,
                           UnsafeRawPointer(bitPattern: UInt(x)), plan.b, &beta,
                           UnsafeRawPointer(bitPattern: UInt(residual ?? out)), plan.d,
                           UnsafeMutableRawPointer(bitPattern: UInt(out)), plan.d, plan.algo,
                           UnsafeMutableRawPointer(bitPattern: UInt(workspace)), Self.workspaceBytes, nil)
        if rc != 0 { fatalError("\(CUDAError.cublas(call: "cublasLtMatmul rows=\(rows) out=\(outF) in=\(inF)", status: rc))") }
        return true
    }

    private func makePlan(_ key: Key) -> Plan? {
        var desc: OpaquePointer?, a: OpaquePointer?, b: OpaquePointer?, d: OpaquePointer?, pref: OpaquePointer?
        guard lt.descCreate(&desc, CuBLAS.compute32F, CuBLAS.r32F) == 0 else { return nil }
        var transA = CuBLAS.opT, transB = CuBLAS.opN, epilogue = CuBLASLt.epilogueBias
        guard lt.descSetAttribute(desc, CuBLASLt.descTransA, &transA, 4) == 0,
              lt.descSetAttribute(desc, CuBLASLt.descTransB, &transB, 4) == 0,
              lt.descSetAttribute(desc, CuBLASLt.descEpilogue, &epilogue, 4) == 0,
              lt.layoutCreate(&a, dataType, UInt64(key.inF), UInt64(key.outF), Int64(key.inF)) == 0,
              lt.layoutCreate(&b, dataType, UInt64(key.inF), UInt64(key.rows), Int64(key.inF)) == 0,
              lt.layoutCreate(&d, dataType, UInt64(key.outF), UInt64(key.rows), Int64(key.outF)) == 0,
              lt.preferenceCreate(&pref) == 0 else { return nil }
        var maxWorkspace = UInt64(Self.workspaceBytes)
        guard lt.preferenceSetAttribute(pref, CuBLASLt.prefMaxWorkspaceBytes, &maxWorkspace, 8) == 0 else { return nil }
        // The heuristic needs a bias pointer to judge alignment; any 256-aligned value will do.
        var probe = workspace
        guard lt.descSetAttribute(desc, CuBLASLt.descBiasPointer, &probe, 8) == 0 else { return nil }
        let result = UnsafeMutableRawPointer.allocate(byteCount: CuBLASLt.heuristicResultBytes, alignment: 16)
        defer { result.deallocate() }
        var returned: Int32 = 0
        guard lt.algoGetHeuristic(handle, desc, a, b, d, d, pref, 1, result, &returned) == 0, returned > 0,
              result.load(fromByteOffset: 72, as: Int32.self) == 0,
              result.load(fromByteOffset: 64, as: Int.self) <= Self.workspaceBytes else { return nil }
        let algo = UnsafeMutableRawPointer.allocate(byteCount: 64, alignment: 16)
        algo.copyMemory(from: result, byteCount: 64)
        return Plan(desc: desc, a: a, b: b, d: d, algo: algo)
    }
}
