import Foundation

/// cuDNN's fused scaled-dot-product attention through the backend graph API: the operation graph
///
///     S = Q·Kᵀ → S·scale → M = max_row → S − M → E = exp → Z = sum_row(E) → P = E / Z → O = P·V
///     (plus the unused statistic M + log Z, which cudnn-frontend's inference graph also carries)
///
/// which cuDNN's heuristics recognise and run as one fused flash-attention kernel. Tensors keep
/// i2v's layout: q/o [B, Lq, H·D] and k/v [B, Lk, H·D] are described as [B, H, L, D] with strides
/// (Kᵀ by swapping the last two), so nothing is copied. A plan for every engine configuration
/// cuDNN's heuristics offer (up to 8 per probability type), built on first use and cached; the
/// backend times them once on the real operands (`order`) and runs the fastest (none when cuDNN
/// has no engine for the shape, and the caller falls back to its own kernel). Non-causal only.
final class CUDAFusedAttention {
    /// `ldIn`: elements between consecutive q (k, v) rows — H·D, or 3·H·D for packed q|k|v rows.
    struct Key: Hashable { let b: Int, heads: Int, lq: Int, lk: Int, d: Int, ldIn: Int }
    final class Plan {
        let plan: CuDNNDescriptor
        let workspaceBytes: Int
        let form: String
        let scale: UnsafeMutablePointer<Float>
        /// Every descriptor the plan was built from (cuDNN does not copy them).
        let retained: [CuDNNDescriptor]
        init(plan: CuDNNDescriptor, workspaceBytes: Int, form: String, scale: Float, retained: [CuDNNDescriptor]) {
            self.plan = plan; self.workspaceBytes = workspaceBytes; self.form = form; self.retained = retained
            self.scale = .allocate(capacity: 1)
            self.scale.initialize(to: scale)
        }
        deinit { scale.deallocate() }
    }

    private static let q: Int64 = 1, k: Int64 = 2, v: Int64 = 3, o: Int64 = 4, scaleID: Int64 = 5
    private let graph: CuDNNGraph
    private let handle: OpaquePointer?
    private let dataType: Int32
    private var plans: [Key: [Plan]] = [:]
    /// Shapes whose plans were timed and sorted, fastest first, with how many there were.
    private var timed: [Key: Int] = [:]
    /// Why the last plan could not be built (benchmarks print it).
    private(set) var lastFailure: String?
    private let lock = NSLock()

    init(graph: CuDNNGraph, precision: CUDAPrecision) throws {
        guard precision != .float32 else { throw CUDAError.libraryCall(call: "fused attention", message: "needs half storage") }
        self.graph = graph
        var h: OpaquePointer?
        try graph.check(graph.createHandle(&h), "cudnnCreate")
        handle = h
        dataType = precision == .float16 ? CuDNN.half : CuDNN.bfloat16
    }

    /// The plan forms built so far and why the last shape without one failed.
    var report: String {
        lock.lock(); defer { lock.unlock() }
        let forms = plans.compactMap { key, list in list.first.map { "\($0.form)\(timed[key].map { " fastest of \($0)" } ?? "")" } }
            .sorted().joined(separator: " / ")
        let usable = plans.values.filter { !$0.isEmpty }.count
        return "\(usable) shapes with a plan (\(forms.isEmpty ? "-" : forms)), \(plans.count - usable) without"
            + (lastFailure.map { "; last failure: \($0)" } ?? "")
    }

    /// The plans for `key` that cuDNN finalised, in the order to try (built and cached on first
    /// use; empty when cuDNN takes no such graph). The probabilities are a storage-type virtual
    /// tensor (cudnn-frontend's form: bmm2 takes its A operand in the I/O type) or, failing that,
    /// a float one.
    func plans(_ key: Key, scale: Float) -> [Plan] {
        lock.lock(); defer { lock.unlock() }
        if let cached = plans[key] {
            for p in cached where p.scale.pointee != scale { p.scale.pointee = scale }
            return cached
        }
        var built: [Plan] = []
        var failures: [String] = []
        for halfP in [true, false] {
            do { built += try build(key, scale: scale, halfProbabilities: halfP) } catch { failures.append("\(error)") }
        }
        if built.isEmpty { lastFailure = failures.joined(separator: "; ") }
        plans[key] = built
        return built
    }

    /// Whether `key` has several plans not yet timed.
    func needsTiming(_ key: Key, scale: Float) -> Bool {
        let count = plans(key, scale: scale).count
        lock.lock(); defer { lock.unlock() }
        return count > 1 && timed[key] == nil
    }

    /// Times every plan of `key` with `measure` (milliseconds, nil when it failed) and keeps them
    /// fastest first; failed plans go last.
    func order(_ key: Key, scale: Float, measure: (Plan) -> Double?) {
        let list = plans(key, scale: scale)
        let times = list.map { measure($0) ?? .infinity }
        lock.lock(); defer { lock.unlock() }
        plans[key] = zip(list, times).sorted { $0.1 < $1.1 }.map(\.0)
        timed[key] = list.count
    }

    /// Runs the first of `key`'s plans that executes, on device pointers; a plan whose execution
    /// fails is dropped (its error kept for `report`). False when none ran.
    func run(_ key: Key, scale: Float, q: UInt64, k: UInt64, v: UInt64, o: UInt64, workspace: (Int) -> UInt64) -> Bool {
        for plan in plans(key, scale: scale) {
            do {
                try run(plan, q: q, k: k, v: v, o: o, workspace: workspace)
                return true
            } catch {
                lock.lock()
                lastFailure = "\(error) (workspace \(plan.workspaceBytes) bytes)"
                plans[key] = plans[key]?.filter { $0 !== plan }
                lock.unlock()
            }
        }
        return false
    }

    /// Executes one plan on device pointers.
    func run(_ plan: Plan, q: UInt64, k: UInt64, v: UInt64, o: UInt64, workspace: (Int) -> UInt64) throws {
                let pack = try CuDNNDescriptor(graph, .variantPack)
                // The by-value scale is passed as a host pointer, like every other tensor's address.
                let ids = [Self.q, Self.k, Self.v, Self.o, Self.scaleID]
                let pointers: [UnsafeMutableRawPointer?] = [q, k, v, o].map { UnsafeMutableRawPointer(bitPattern: UInt($0)) }
                    + [UnsafeMutableRawPointer(plan.scale)]
                try pack.set(.variantUniqueIDs, .int64, ids)
                try pack.set(.variantDataPointers, .voidPointer, pointers)
                try pack.set(.variantWorkspace, .voidPointer, [UnsafeMutableRawPointer(bitPattern: UInt(workspace(plan.workspaceBytes)))])
                try pack.finalized()
                // The pack and the plan must outlive the call: Swift may release a local right after
                // its last use, which would destroy the descriptor before cuDNN reads it.
                try withExtendedLifetime((pack, plan)) {
                    try graph.check(graph.execute(handle, plan.plan.raw, pack.raw), "cudnnBackendExecute(fused attention, \(plan.form))")
                }
    }

    /// The graph cudnn-frontend's SDPA node lowers to for inference (its composite softmax, used
    /// before cuDNN 9.21): S = Q·Kᵀ, S·scale (by-value scalar), M = max_row, E = exp(S − M),
    /// Z = sum_row(E), the virtual statistic M + log Z, P = E / Z in the I/O type, O = P·V.
    private func build(_ key: Key, scale: Float, halfProbabilities: Bool) throws -> [Plan] {
        let (b, h, lq, lk, d, ld) = (Int64(key.b), Int64(key.heads), Int64(key.lq), Int64(key.lk), Int64(key.d), Int64(key.ldIn))
        let float = CuDNN.float
        var keep: [CuDNNDescriptor] = []
        func tensor(_ uid: Int64, _ type: Int32, _ dims: [Int64], _ strides: [Int64], virtual: Bool = false, byValue: Bool = false) throws -> CuDNNDescriptor {
            let t = try CuDNNDescriptor(graph, .tensor)
            try t.set(.tensorUniqueID, .int64, [uid]).set(.tensorDataType, .dataType, [type])
                .set(.tensorDimensions, .int64, dims).set(.tensorStrides, .int64, strides)
                .set(.tensorAlignment, .int64, [Int64(16)]).set(.tensorIsVirtual, .boolean, [virtual])
            if byValue { try t.set(.tensorIsByValue, .boolean, [true]) }
            keep.append(try t.finalized())
            return t
        }
        // [B, H, L, D] views of rows `ld` elements apart (H·D, or 3·H·D when packed); Kᵀ as [B, H, D, Lk].
        let tq = try tensor(Self.q, dataType, [b, h, lq, d], [lq * ld, d, ld, 1])
        let tk = try tensor(Self.k, dataType, [b, h, d, lk], [lk * ld, d, 1, ld])
        let tv = try tensor(Self.v, dataType, [b, h, lk, d], [lk * ld, d, ld, 1])
        let to = try tensor(Self.o, dataType, [b, h, lq, d], [lq * h * d, d, h * d, 1])
        let scores = [b, h, lq, lk], scoreStrides = [h * lq * lk, lq * lk, lk, 1]
        let rows = [b, h, lq, 1], rowStrides = [h * lq, lq, 1, 1]
        let s = try tensor(100, float, scores, scoreStrides, virtual: true)
        let scaled = try tensor(101, float, scores, scoreStrides, virtual: true)
        let rowMax = try tensor(102, float, rows, rowStrides, virtual: true)
        let shifted = try tensor(103, float, scores, scoreStrides, virtual: true)
        let e = try tensor(104, float, scores, scoreStrides, virtual: true)
        let rowSum = try tensor(105, float, rows, rowStrides, virtual: true)
        let logSum = try tensor(107, float, rows, rowStrides, virtual: true)
        let stats = try tensor(108, float, rows, rowStrides, virtual: true)
        let p = try tensor(106, halfProbabilities ? dataType : float, scores, scoreStrides, virtual: true)

        func matmul(_ a: CuDNNDescriptor, _ bm: CuDNNDescriptor, _ c: CuDNNDescriptor) throws -> CuDNNDescriptor {
            let desc = try CuDNNDescriptor(graph, .matmul).set(.matmulComputeType, .dataType, [float]).finalized()
            let op = try CuDNNDescriptor(graph, .matmulOperation)
            try op.set(.matmulA, [a]); try op.set(.matmulB, [bm]); try op.set(.matmulC, [c]); try op.set(.matmulDescriptor, [desc])
            keep += [desc, try op.finalized()]
            return op
        }
        func pointwise(_ mode: Int32, _ x: CuDNNDescriptor, _ other: CuDNNDescriptor?, _ y: CuDNNDescriptor) throws -> CuDNNDescriptor {
            let desc = try CuDNNDescriptor(graph, .pointwise).set(.pointwiseMode, .pointwiseMode, [mode])
                .set(.pointwiseMathPrecision, .dataType, [float]).finalized()
            let op = try CuDNNDescriptor(graph, .pointwiseOperation)
            try op.set(.pointwiseDescriptor, [desc]); try op.set(.pointwiseX, [x])
            if let other { try op.set(.pointwiseB, [other]) }
            try op.set(.pointwiseY, [y])
            keep += [desc, try op.finalized()]
            return op
        }
        func reduce(_ op: Int32, _ x: CuDNNDescriptor, _ y: CuDNNDescriptor) throws -> CuDNNDescriptor {
            let desc = try CuDNNDescriptor(graph, .reduction).set(.reductionOperator, .reductionOperator, [op])
                .set(.reductionComputeType, .dataType, [float]).finalized()
            let operation = try CuDNNDescriptor(graph, .reductionOperation)
            try operation.set(.reductionDescriptor, [desc]); try operation.set(.reductionX, [x]); try operation.set(.reductionY, [y])
            keep += [desc, try operation.finalized()]
            return operation
        }

        let scalar = try tensor(Self.scaleID, float, [1, 1, 1, 1], [1, 1, 1, 1], byValue: true)
        let ops = [try matmul(tq, tk, s),
                   try pointwise(CuDNNGraph.pointwiseMul, s, scalar, scaled),
                   try reduce(CuDNNGraph.reduceMax, scaled, rowMax),
                   try pointwise(CuDNNGraph.pointwiseSub, scaled, rowMax, shifted),
                   try pointwise(CuDNNGraph.pointwiseExp, shifted, nil, e),
                   try reduce(CuDNNGraph.reduceAdd, e, rowSum),
                   try pointwise(CuDNNGraph.pointwiseLog, rowSum, nil, logSum),
                   try pointwise(CuDNNGraph.pointwiseAdd, rowMax, logSum, stats),
                   try pointwise(CuDNNGraph.pointwiseDiv, e, rowSum, p),
                   try matmul(p, tv, to)]
        let opGraph = try CuDNNDescriptor(graph, .operationGraph)
        try opGraph.set(.graphHandle, .handle, [handle])
        try opGraph.set(.graphOperations, ops)
        keep.append(try opGraph.finalized())

        let heuristics = try CuDNNDescriptor(graph, .engineHeuristics)
        try heuristics.set(.heuristicsGraph, [opGraph])
        try heuristics.set(.heuristicsMode, .heuristicsMode, [CuDNNGraph.heuristicsModeA])
        keep.append(try heuristics.finalized())
        let configs = try (0..<8).map { _ in try CuDNNDescriptor(graph, .engineConfig) }
        var raws = configs.map(\.raw)
        var count: Int64 = 0
        try raws.withUnsafeMutableBytes { buf in
            try graph.check(graph.getAttribute(heuristics.raw, CuDNNGraph.Attribute.heuristicsResults.rawValue,
                                               CuDNNGraph.AttributeType.descriptor.rawValue, Int64(configs.count), &count, buf.baseAddress!),
                            "cudnnBackendGetAttribute(heuristics results)")
        }
        guard count > 0 else { throw CUDAError.libraryCall(call: "fused attention heuristics", message: "no engine for this graph") }
        var errors: [String] = []
        var built: [Plan] = []
        for (index, config) in configs.prefix(Int(count)).enumerated() {
            do {
                let plan = try CuDNNDescriptor(graph, .executionPlan)
                try plan.set(.planHandle, .handle, [handle])
                try plan.set(.planEngineConfig, [config])
                try plan.finalized()
                var workspace: Int64 = 0, n: Int64 = 0
                try graph.check(graph.getAttribute(plan.raw, CuDNNGraph.Attribute.planWorkspaceSize.rawValue,
                                                   CuDNNGraph.AttributeType.int64.rawValue, 1, &n, &workspace), "workspace size")
                let form = "P \(halfProbabilities ? "half" : "float") config \(index)"
                built.append(Plan(plan: plan, workspaceBytes: Int(workspace), form: form, scale: scale, retained: keep + configs))
            } catch { errors.append("\(error)") }
        }
        if !built.isEmpty { return built }
        throw CUDAError.libraryCall(call: "fused attention plan", message: "\(count) engine configs, none finalised: \(errors.prefix(2).joined(separator: "; "))")
    }
}
