import Foundation

/// Linear layers through cuBLASLt with the bias (when there is one, and optionally a residual)
/// fused into the GEMM: D = X·Wᵀ (+ bias) (+ residual) in one kernel, rounding to the storage
/// type once. One plan per shape (descriptors + up to `candidateCount` of the heuristic's
/// algorithms, in its order), built on first use and cached; the backend times the candidates
/// once per shape on the real operands (`fastestOf`) and runs the fastest. Returns false when
/// cuBLASLt has no algorithm for a case, so the caller falls back to GEMM + bias.
final class CUDALtMatmul {
    struct Key: Hashable { let rows: Int, outF: Int, inF: Int, bias: Bool, residual: Bool }
    private final class Plan {
        let desc: OpaquePointer?, a: OpaquePointer?, b: OpaquePointer?, d: OpaquePointer?
        /// cublasLtMatmulAlgo_t values (64 bytes each), the heuristic's first first.
        let algos: [UnsafeMutableRawPointer]
        init(desc: OpaquePointer?, a: OpaquePointer?, b: OpaquePointer?, d: OpaquePointer?, algos: [UnsafeMutableRawPointer]) {
            self.desc = desc; self.a = a; self.b = b; self.d = d; self.algos = algos
        }
    }

    /// How many of the heuristic's algorithms a plan keeps as candidates.
    static let candidateCount = 6

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

    /// Whether every pointer is 256-byte aligned (the heuristic's default assumption).
    static func aligned(_ pointers: UInt64...) -> Bool { pointers.allSatisfy { $0 % 256 == 0 } }

    /// out[rows, outF] = x[rows, inF] · weight[outF, inF]ᵀ (+ bias[outF]) (+ residual[rows, outF])
    /// with algorithm `candidate` of the shape's plan (0: the heuristic's first). Every pointer
    /// must be `aligned`.
    func linear(rows: Int, outF: Int, inF: Int, x: UInt64, weight: UInt64, bias: UInt64?, residual: UInt64?, out: UInt64,
                candidate: Int) -> Bool {
        guard Self.aligned(x, weight, bias ?? 0, out, residual ?? 0) else { return false }
        let key = Key(rows: rows, outF: outF, inF: inF, bias: bias != nil, residual: residual != nil)
        lock.lock(); defer { lock.unlock() }
        guard let plan = plan(key), candidate < plan.algos.count else { return false }
        let algo = plan.algos[candidate]
        if var biasPointer = bias {
            guard lt.descSetAttribute(plan.desc, CuBLASLt.descBiasPointer, &biasPointer, 8) == 0 else { return false }
        }
        var alpha: Float = 1, beta: Float = residual == nil ? 0 : 1
        // Column-major view: D[outF × rows] = Wᵀ-op(A[inF × outF]) · B[inF × rows] (+ C = residual).
        let rc = lt.matmul(handle, plan.desc, &alpha, UnsafeRawPointer(bitPattern: UInt(weight)), plan.a,
                           UnsafeRawPointer(bitPattern: UInt(x)), plan.b, &beta,
                           UnsafeRawPointer(bitPattern: UInt(residual ?? out)), plan.d,
                           UnsafeMutableRawPointer(bitPattern: UInt(out)), plan.d, algo,
                           UnsafeMutableRawPointer(bitPattern: UInt(workspace)), Self.workspaceBytes, nil)
        if rc != 0 { fatalError("\(CUDAError.cublas(call: "cublasLtMatmul rows=\(rows) out=\(outF) in=\(inF)", status: rc))") }
        return true
    }

    /// The cached plan for `key`, built on first use (lock held).
    private func plan(_ key: Key) -> Plan? {
        if let cached = plans[key] { return cached }
        let made = makePlan(key)
        plans[key] = made
        return made
    }

    /// How many algorithms `key`'s plan holds (0: cuBLASLt has none for the case).
    func candidates(_ key: Key) -> Int {
        lock.lock(); defer { lock.unlock() }
        return plan(key)?.algos.count ?? 0
    }

    private func makePlan(_ key: Key) -> Plan? {
        var desc: OpaquePointer?, a: OpaquePointer?, b: OpaquePointer?, d: OpaquePointer?, pref: OpaquePointer?
        guard lt.descCreate(&desc, CuBLAS.compute32F, CuBLAS.r32F) == 0 else { return nil }
        var transA = CuBLAS.opT, transB = CuBLAS.opN, epilogue = key.bias ? CuBLASLt.epilogueBias : CuBLASLt.epilogueDefault
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
        guard !key.bias || lt.descSetAttribute(desc, CuBLASLt.descBiasPointer, &probe, 8) == 0 else { return nil }
        let n = Self.candidateCount, size = CuBLASLt.heuristicResultBytes
        let results = UnsafeMutableRawPointer.allocate(byteCount: n * size, alignment: 16)
        defer { results.deallocate() }
        var returned: Int32 = 0
        guard lt.algoGetHeuristic(handle, desc, a, b, d, d, pref, Int32(n), results, &returned) == 0 else { return nil }
        // Each result: the algorithm (64 bytes), its workspace size at 64, its status at 72.
        let algos: [UnsafeMutableRawPointer] = (0..<Int(max(0, returned))).compactMap { i in
            let r = results + i * size
            guard r.load(fromByteOffset: 72, as: Int32.self) == 0, r.load(fromByteOffset: 64, as: Int.self) <= Self.workspaceBytes else { return nil }
            let algo = UnsafeMutableRawPointer.allocate(byteCount: 64, alignment: 16)
            algo.copyMemory(from: r, byteCount: 64)
            return algo
        }
        return algos.isEmpty ? nil : Plan(desc: desc, a: a, b: b, d: d, algos: algos)
    }
}
