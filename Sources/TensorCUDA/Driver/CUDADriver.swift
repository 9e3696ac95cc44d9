/// The CUDA driver API functions i2v uses, resolved from `libcuda.so.1` at run time.
/// Types follow `cuda.h`: `CUresult` = Int32, `CUdeviceptr` = UInt64, handles are opaque pointers.
final class CUDADriver: @unchecked Sendable {
    typealias Handle = OpaquePointer?
    let library: DynamicLibrary

    let cuInit: @convention(c) (UInt32) -> Int32
    let cuDeviceGetCount: @convention(c) (UnsafeMutablePointer<Int32>) -> Int32
    let cuDeviceGet: @convention(c) (UnsafeMutablePointer<Int32>, Int32) -> Int32
    let cuDeviceGetName: @convention(c) (UnsafeMutablePointer<CChar>, Int32, Int32) -> Int32
    let cuDeviceGetAttribute: @convention(c) (UnsafeMutablePointer<Int32>, Int32, Int32) -> Int32
    let cuDevicePrimaryCtxRetain: @convention(c) (UnsafeMutablePointer<Handle>, Int32) -> Int32
    let cuCtxSetCurrent: @convention(c) (Handle) -> Int32
    let cuCtxGetCurrent: @convention(c) (UnsafeMutablePointer<Handle>) -> Int32
    let cuCtxSynchronize: @convention(c) () -> Int32
    let cuMemAlloc: @convention(c) (UnsafeMutablePointer<UInt64>, Int) -> Int32
    let cuMemFree: @convention(c) (UInt64) -> Int32
    let cuMemGetInfo: @convention(c) (UnsafeMutablePointer<Int>, UnsafeMutablePointer<Int>) -> Int32
    let cuMemcpyHtoD: @convention(c) (UInt64, UnsafeRawPointer, Int) -> Int32
    let cuMemcpyDtoH: @convention(c) (UnsafeMutableRawPointer, UInt64, Int) -> Int32
    let cuMemcpyDtoD: @convention(c) (UInt64, UInt64, Int) -> Int32
    let cuModuleLoadData: @convention(c) (UnsafeMutablePointer<Handle>, UnsafeRawPointer) -> Int32
    let cuModuleGetFunction: @convention(c) (UnsafeMutablePointer<Handle>, Handle, UnsafePointer<CChar>) -> Int32
    let cuFuncSetAttribute: @convention(c) (Handle, Int32, Int32) -> Int32
    let cuLaunchKernel: @convention(c) (Handle, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, Handle,
                                        UnsafeMutablePointer<UnsafeMutableRawPointer?>?, UnsafeMutablePointer<UnsafeMutableRawPointer?>?) -> Int32
    let cuGetErrorString: @convention(c) (Int32, UnsafeMutablePointer<UnsafePointer<CChar>?>) -> Int32
    let cuEventCreate: @convention(c) (UnsafeMutablePointer<Handle>, UInt32) -> Int32
    let cuEventRecord: @convention(c) (Handle, Handle) -> Int32
    let cuEventSynchronize: @convention(c) (Handle) -> Int32
    let cuEventElapsedTime: @convention(c) (UnsafeMutablePointer<Float>, Handle, Handle) -> Int32
    let cuEventDestroy: @convention(c) (Handle) -> Int32

    init() throws {
        let lib = try DynamicLibrary.open(["libcuda.so.1", "libcuda.so"], searchDirectories: DynamicLibrary.cudaSearchDirectories())
        library = lib
        cuInit = try lib.symbol("cuInit")
        cuDeviceGetCount = try lib.symbol("cuDeviceGetCount")
        cuDeviceGet = try lib.symbol("cuDeviceGet")
        cuDeviceGetName = try lib.symbol("cuDeviceGetName")
        cuDeviceGetAttribute = try lib.symbol("cuDeviceGetAttribute")
        cuDevicePrimaryCtxRetain = try lib.symbol("cuDevicePrimaryCtxRetain")
        cuCtxSetCurrent = try lib.symbol("cuCtxSetCurrent")
        cuCtxGetCurrent = try lib.symbol("cuCtxGetCurrent")
        cuCtxSynchronize = try lib.symbol("cuCtxSynchronize")
        cuMemAlloc = try lib.symbol("cuMemAlloc_v2")
        cuMemFree = try lib.symbol("cuMemFree_v2")
        cuMemGetInfo = try lib.symbol("cuMemGetInfo_v2")
        cuMemcpyHtoD = try lib.symbol("cuMemcpyHtoD_v2")
        cuMemcpyDtoH = try lib.symbol("cuMemcpyDtoH_v2")
        cuMemcpyDtoD = try lib.symbol("cuMemcpyDtoD_v2")
        cuModuleLoadData = try lib.symbol("cuModuleLoadData")
        cuModuleGetFunction = try lib.symbol("cuModuleGetFunction")
        cuFuncSetAttribute = try lib.symbol("cuFuncSetAttribute")
        cuLaunchKernel = try lib.symbol("cuLaunchKernel")
        cuGetErrorString = try lib.symbol("cuGetErrorString")
        cuEventCreate = try lib.symbol("cuEventCreate")
        cuEventRecord = try lib.symbol("cuEventRecord")
        cuEventSynchronize = try lib.symbol("cuEventSynchronize")
        cuEventElapsedTime = try lib.symbol("cuEventElapsedTime")
        cuEventDestroy = try lib.symbol("cuEventDestroy_v2")
    }

    /// Throws `CUDAError.driver` naming `call` when `code` is not CUDA_SUCCESS.
    func check(_ code: Int32, _ call: @autoclosure () -> String) throws {
        if code == 0 { return }
        var msg: UnsafePointer<CChar>?
        _ = cuGetErrorString(code, &msg)
        throw CUDAError.driver(call: call(), code: code, message: msg.map { String(cString: $0) } ?? "unknown error")
    }
}

/// Device attributes used (values of `CUdevice_attribute`).
enum CUDeviceAttribute: Int32 {
    case multiprocessorCount = 16
    case computeCapabilityMajor = 75
    case computeCapabilityMinor = 76
}

/// Function attributes used (values of `CUfunction_attribute`).
enum CUFunctionAttribute: Int32 {
    case maxDynamicSharedSizeBytes = 8
}
