/// cuBLAS, resolved from `libcublas.so.13` / `.12` at run time. Only GemmEx and its strided batched
/// form are used: every matrix product in the models is one of those.
final class CuBLAS: @unchecked Sendable {
    typealias Handle = OpaquePointer?
    let library: DynamicLibrary
    let create: @convention(c) (UnsafeMutablePointer<Handle>) -> Int32
    let setMathMode: @convention(c) (Handle, Int32) -> Int32
    let gemmEx: @convention(c) (Handle, Int32, Int32, Int32, Int32, Int32, UnsafeRawPointer, UnsafeRawPointer?, Int32, Int32,
                                UnsafeRawPointer?, Int32, Int32, UnsafeRawPointer, UnsafeMutableRawPointer?, Int32, Int32, Int32, Int32) -> Int32
    let gemmStridedBatchedEx: @convention(c) (Handle, Int32, Int32, Int32, Int32, Int32, UnsafeRawPointer,
                                              UnsafeRawPointer?, Int32, Int32, Int64, UnsafeRawPointer?, Int32, Int32, Int64,
                                              UnsafeRawPointer, UnsafeMutableRawPointer?, Int32, Int32, Int64, Int32, Int32, Int32) -> Int32

    // cudaDataType_t / cublasComputeType_t / cublasOperation_t values from the CUDA headers.
    static let r32F: Int32 = 0, r16F: Int32 = 2, r16BF: Int32 = 14
    static let compute32F: Int32 = 68
    static let opN: Int32 = 0, opT: Int32 = 1
    static let gemmDefault: Int32 = -1
    static let pedanticMath: Int32 = 2, defaultMath: Int32 = 0

    init() throws {
        let lib = try DynamicLibrary.open(["libcublas.so.13", "libcublas.so.12", "libcublas.so"],
                                          searchDirectories: DynamicLibrary.cudaSearchDirectories())
        library = lib
        create = try lib.symbol("cublasCreate_v2")
        setMathMode = try lib.symbol("cublasSetMathMode")
        gemmEx = try lib.symbol("cublasGemmEx")
        gemmStridedBatchedEx = try lib.symbol("cublasGemmStridedBatchedEx")
    }

    func check(_ status: Int32, _ call: @autoclosure () -> String) throws {
        if status != 0 { throw CUDAError.cublas(call: call(), status: status) }
    }
}
