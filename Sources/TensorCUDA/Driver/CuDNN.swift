/// cuDNN 9's convolution entry points (the legacy imperative API, still shipped in `libcudnn.so.9`
/// and its `libcudnn_cnn` sub-library), resolved at run time. Types follow `cudnn_*.h`: handles
/// and descriptors are opaque pointers, status 0 is CUDNN_STATUS_SUCCESS.
final class CuDNN: @unchecked Sendable {
    typealias Handle = OpaquePointer?
    let library: DynamicLibrary
    let create: @convention(c) (UnsafeMutablePointer<Handle>) -> Int32
    let getErrorString: @convention(c) (Int32) -> UnsafePointer<CChar>?
    let createTensorDescriptor: @convention(c) (UnsafeMutablePointer<Handle>) -> Int32
    /// (desc, dataType, n, c, h, w, nStride, cStride, hStride, wStride)
    let setTensor4dDescriptorEx: @convention(c) (Handle, Int32, Int32, Int32, Int32, Int32, Int32, Int32, Int32, Int32) -> Int32
    let createFilterDescriptor: @convention(c) (UnsafeMutablePointer<Handle>) -> Int32
    /// (desc, dataType, format, k, c, h, w)
    let setFilter4dDescriptor: @convention(c) (Handle, Int32, Int32, Int32, Int32, Int32, Int32) -> Int32
    let createConvolutionDescriptor: @convention(c) (UnsafeMutablePointer<Handle>) -> Int32
    /// (desc, padH, padW, strideH, strideW, dilationH, dilationW, mode, computeType)
    let setConvolution2dDescriptor: @convention(c) (Handle, Int32, Int32, Int32, Int32, Int32, Int32, Int32, Int32) -> Int32
    let setConvolutionMathType: @convention(c) (Handle, Int32) -> Int32
    /// (handle, xDesc, x, wDesc, w, conv, yDesc, y, requested, returned, perfResults, workspace, workspaceBytes)
    /// — times every algorithm on the caller's operands and workspace, allocating nothing itself
    /// (the variant without `Ex` cudaMallocs each algorithm's workspace, tens of GB for some).
    let findConvolutionForwardAlgorithmEx: @convention(c) (Handle, Handle, UnsafeRawPointer?, Handle, UnsafeRawPointer?, Handle, Handle,
                                                           UnsafeMutableRawPointer?, Int32, UnsafeMutablePointer<Int32>,
                                                           UnsafeMutableRawPointer, UnsafeMutableRawPointer?, Int) -> Int32
    /// (handle, alpha, xDesc, x, wDesc, w, convDesc, algo, workspace, workspaceBytes, beta, yDesc, y)
    let convolutionForward: @convention(c) (Handle, UnsafeRawPointer, Handle, UnsafeRawPointer?, Handle, UnsafeRawPointer?,
                                            Handle, Int32, UnsafeMutableRawPointer?, Int, UnsafeRawPointer, Handle,
                                            UnsafeMutableRawPointer?) -> Int32

    // cudnnDataType_t, cudnnTensorFormat_t, cudnnConvolutionMode_t, cudnnMathType_t values.
    static let float: Int32 = 0, half: Int32 = 2, bfloat16: Int32 = 9
    static let nchw: Int32 = 0, nhwc: Int32 = 1
    static let crossCorrelation: Int32 = 1
    static let tensorOpMath: Int32 = 1, fmaMath: Int32 = 3
    /// sizeof(cudnnConvolutionFwdAlgoPerf_t): algo, status, time (float), memory (size_t at 16),
    /// determinism, mathType, reserved[3].
    static let perfBytes = 48

    init() throws {
        let lib = try DynamicLibrary.open(["libcudnn.so.9", "libcudnn.so"], searchDirectories: DynamicLibrary.cudaSearchDirectories())
        library = lib
        create = try lib.symbol("cudnnCreate")
        getErrorString = try lib.symbol("cudnnGetErrorString")
        createTensorDescriptor = try lib.symbol("cudnnCreateTensorDescriptor")
        setTensor4dDescriptorEx = try lib.symbol("cudnnSetTensor4dDescriptorEx")
        createFilterDescriptor = try lib.symbol("cudnnCreateFilterDescriptor")
        setFilter4dDescriptor = try lib.symbol("cudnnSetFilter4dDescriptor")
        createConvolutionDescriptor = try lib.symbol("cudnnCreateConvolutionDescriptor")
        setConvolution2dDescriptor = try lib.symbol("cudnnSetConvolution2dDescriptor")
        setConvolutionMathType = try lib.symbol("cudnnSetConvolutionMathType")
        findConvolutionForwardAlgorithmEx = try lib.symbol("cudnnFindConvolutionForwardAlgorithmEx")
        convolutionForward = try lib.symbol("cudnnConvolutionForward")
    }

    func message(_ status: Int32) -> String { getErrorString(status).map { String(cString: $0) } ?? "status \(status)" }
}
