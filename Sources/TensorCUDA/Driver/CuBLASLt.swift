/// cuBLASLt, resolved from `libcublasLt.so.13` / `.12` at run time: the matmul with a fused
/// epilogue (bias added in the GEMM's store, optional residual as the C operand), so a linear
/// layer with bias is one kernel instead of a GEMM and a bias pass. Types follow `cublasLt.h`.
final class CuBLASLt: @unchecked Sendable {
    typealias Handle = OpaquePointer?
    let library: DynamicLibrary
    let create: @convention(c) (UnsafeMutablePointer<Handle>) -> Int32
    let descCreate: @convention(c) (UnsafeMutablePointer<Handle>, Int32, Int32) -> Int32
    let descSetAttribute: @convention(c) (Handle, Int32, UnsafeRawPointer, Int) -> Int32
    let layoutCreate: @convention(c) (UnsafeMutablePointer<Handle>, Int32, UInt64, UInt64, Int64) -> Int32
    let preferenceCreate: @convention(c) (UnsafeMutablePointer<Handle>) -> Int32
    let preferenceSetAttribute: @convention(c) (Handle, Int32, UnsafeRawPointer, Int) -> Int32
    /// (handle, desc, A, B, C, D layouts, preference, requested, results, returned)
    let algoGetHeuristic: @convention(c) (Handle, Handle, Handle, Handle, Handle, Handle, Handle, Int32,
                                          UnsafeMutableRawPointer, UnsafeMutablePointer<Int32>) -> Int32
    /// (handle, desc, alpha, A, Adesc, B, Bdesc, beta, C, Cdesc, D, Ddesc, algo, workspace, workspaceBytes, stream)
    let matmul: @convention(c) (Handle, Handle, UnsafeRawPointer, UnsafeRawPointer?, Handle, UnsafeRawPointer?, Handle,
                                UnsafeRawPointer, UnsafeRawPointer?, Handle, UnsafeMutableRawPointer?, Handle,
                                UnsafeRawPointer?, UnsafeMutableRawPointer?, Int, Handle) -> Int32

    // cublasLtMatmulDescAttributes_t / cublasLtMatmulPreferenceAttributes_t / cublasLtEpilogue_t.
    static let descTransA: Int32 = 3, descTransB: Int32 = 4, descEpilogue: Int32 = 7, descBiasPointer: Int32 = 8
    static let prefMaxWorkspaceBytes: Int32 = 1
    static let epilogueDefault: UInt32 = 1, epilogueBias: UInt32 = 4
    /// sizeof(cublasLtMatmulHeuristicResult_t): algo (64) + workspaceSize (8) + state + wavesCount + reserved[4].
    static let heuristicResultBytes = 96

    init() throws {
        let lib = try DynamicLibrary.open(["libcublasLt.so.13", "libcublasLt.so.12", "libcublasLt.so"],
                                          searchDirectories: DynamicLibrary.cudaSearchDirectories())
        library = lib
        create = try lib.symbol("cublasLtCreate")
        descCreate = try lib.symbol("cublasLtMatmulDescCreate")
        descSetAttribute = try lib.symbol("cublasLtMatmulDescSetAttribute")
        layoutCreate = try lib.symbol("cublasLtMatrixLayoutCreate")
        preferenceCreate = try lib.symbol("cublasLtMatmulPreferenceCreate")
        preferenceSetAttribute = try lib.symbol("cublasLtMatmulPreferenceSetAttribute")
        algoGetHeuristic = try lib.symbol("cublasLtMatmulAlgoGetHeuristic")
        matmul = try lib.symbol("cublasLtMatmul")
    }
}
