/// cuDNN 9's backend ("graph") API, resolved from `libcudnn.so.9` at run time: operation graphs
/// built from descriptors, engine heuristics, execution plans. Enum values follow
/// `cudnn_graph.h` (stable across cuDNN 9.x); status 0 is CUDNN_STATUS_SUCCESS.
final class CuDNNGraph: @unchecked Sendable {
    typealias Handle = OpaquePointer?
    let library: DynamicLibrary
    let createHandle: @convention(c) (UnsafeMutablePointer<Handle>) -> Int32
    let getErrorString: @convention(c) (Int32) -> UnsafePointer<CChar>?
    let createDescriptor: @convention(c) (Int32, UnsafeMutablePointer<Handle>) -> Int32
    let destroyDescriptor: @convention(c) (Handle) -> Int32
    let finalize: @convention(c) (Handle) -> Int32
    /// (descriptor, attribute, attribute type, element count, elements)
    let setAttribute: @convention(c) (Handle, Int32, Int32, Int64, UnsafeRawPointer) -> Int32
    /// (descriptor, attribute, attribute type, requested count, returned count, elements)
    let getAttribute: @convention(c) (Handle, Int32, Int32, Int64, UnsafeMutablePointer<Int64>, UnsafeMutableRawPointer) -> Int32
    /// (handle, execution plan, variant pack)
    let execute: @convention(c) (Handle, Handle, Handle) -> Int32

    /// cudnnBackendDescriptorType_t
    enum DescriptorType: Int32 {
        case pointwise = 0, engineConfig = 3, engineHeuristics = 4, executionPlan = 5, pointwiseOperation = 13
        case operationGraph = 15, variantPack = 16, tensor = 17, matmul = 18, matmulOperation = 19
        case reduction = 21, reductionOperation = 22
    }
    /// cudnnBackendAttributeType_t
    enum AttributeType: Int32 {
        case handle = 0, dataType = 1, boolean = 2, int64 = 3, float = 4, voidPointer = 6, heuristicsMode = 8
        case pointwiseMode = 14, descriptor = 15, reductionOperator = 18
    }
    /// cudnnBackendAttributeName_t
    enum Attribute: Int32 {
        case pointwiseMode = 0, pointwiseMathPrecision = 1
        case heuristicsMode = 200, heuristicsGraph = 201, heuristicsResults = 202
        case planHandle = 400, planEngineConfig = 401, planWorkspaceSize = 402
        case pointwiseDescriptor = 750, pointwiseX = 751, pointwiseB = 752, pointwiseY = 753
        case graphHandle = 800, graphOperations = 801
        case tensorAlignment = 900, tensorDataType = 901, tensorDimensions = 902, tensorStrides = 903
        case tensorUniqueID = 906, tensorIsVirtual = 907, tensorIsByValue = 908
        case variantUniqueIDs = 1000, variantDataPointers = 1001, variantWorkspace = 1003
        case matmulComputeType = 1500, matmulA = 1520, matmulB = 1521, matmulC = 1522, matmulDescriptor = 1523
        case reductionOperator = 1600, reductionComputeType = 1601
        case reductionX = 1610, reductionY = 1611, reductionDescriptor = 1612
    }
    /// cudnnPointwiseMode_t / cudnnReduceTensorOp_t / cudnnBackendHeurMode_t values used.
    static let pointwiseAdd: Int32 = 0, pointwiseMul: Int32 = 1, pointwiseDiv: Int32 = 6, pointwiseSub: Int32 = 9
    static let pointwiseExp: Int32 = 13, pointwiseLog: Int32 = 15
    static let reduceAdd: Int32 = 0, reduceMax: Int32 = 3
    static let heuristicsModeA: Int32 = 3

    init() throws {
        let lib = try DynamicLibrary.open(["libcudnn.so.9", "libcudnn.so"], searchDirectories: DynamicLibrary.cudaSearchDirectories())
        library = lib
        createHandle = try lib.symbol("cudnnCreate")
        getErrorString = try lib.symbol("cudnnGetErrorString")
        createDescriptor = try lib.symbol("cudnnBackendCreateDescriptor")
        destroyDescriptor = try lib.symbol("cudnnBackendDestroyDescriptor")
        finalize = try lib.symbol("cudnnBackendFinalize")
        setAttribute = try lib.symbol("cudnnBackendSetAttribute")
        getAttribute = try lib.symbol("cudnnBackendGetAttribute")
        execute = try lib.symbol("cudnnBackendExecute")
    }

    func check(_ status: Int32, _ call: @autoclosure () -> String) throws {
        if status == 0 { return }
        throw CUDAError.libraryCall(call: call(), message: getErrorString(status).map { String(cString: $0) } ?? "status \(status)")
    }
}

/// One backend descriptor, destroyed with the object.
final class CuDNNDescriptor {
    let graph: CuDNNGraph
    let type: CuDNNGraph.DescriptorType
    let raw: OpaquePointer?

    init(_ graph: CuDNNGraph, _ type: CuDNNGraph.DescriptorType) throws {
        self.graph = graph
        self.type = type
        var d: OpaquePointer?
        try graph.check(graph.createDescriptor(type.rawValue, &d), "cudnnBackendCreateDescriptor(\(type))")
        raw = d
    }

    deinit { _ = graph.destroyDescriptor(raw) }

    /// Sets `attribute` to `values`, each of the C type that `type` names.
    @discardableResult
    func set<T>(_ attribute: CuDNNGraph.Attribute, _ type: CuDNNGraph.AttributeType, _ values: [T]) throws -> CuDNNDescriptor {
        try values.withUnsafeBytes { bytes in
            try graph.check(graph.setAttribute(raw, attribute.rawValue, type.rawValue, Int64(values.count), bytes.baseAddress!),
                            "cudnnBackendSetAttribute(\(self.type), \(attribute))")
        }
        return self
    }

    func set(_ attribute: CuDNNGraph.Attribute, _ descriptors: [CuDNNDescriptor]) throws {
        try set(attribute, .descriptor, descriptors.map(\.raw))
    }

    @discardableResult
    func finalized() throws -> CuDNNDescriptor {
        try graph.check(graph.finalize(raw), "cudnnBackendFinalize(\(type))")
        return self
    }
}
