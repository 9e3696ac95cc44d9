/// NVRTC, resolved from `libnvrtc.so.13` / `.12` at run time: compiles the project's CUDA C kernels
/// for the device's architecture at first use.
final class NVRTC: @unchecked Sendable {
    typealias Program = OpaquePointer?
    let library: DynamicLibrary
    let create: @convention(c) (UnsafeMutablePointer<Program>, UnsafePointer<CChar>, UnsafePointer<CChar>?, Int32,
                                UnsafePointer<UnsafePointer<CChar>?>?, UnsafePointer<UnsafePointer<CChar>?>?) -> Int32
    let compile: @convention(c) (Program, Int32, UnsafePointer<UnsafePointer<CChar>?>?) -> Int32
    let logSize: @convention(c) (Program, UnsafeMutablePointer<Int>) -> Int32
    let log: @convention(c) (Program, UnsafeMutablePointer<CChar>) -> Int32
    let cubinSize: @convention(c) (Program, UnsafeMutablePointer<Int>) -> Int32
    let cubin: @convention(c) (Program, UnsafeMutablePointer<CChar>) -> Int32
    let destroy: @convention(c) (UnsafeMutablePointer<Program>) -> Int32
    let errorString: @convention(c) (Int32) -> UnsafePointer<CChar>?
    let version: @convention(c) (UnsafeMutablePointer<Int32>, UnsafeMutablePointer<Int32>) -> Int32

    init() throws {
        let lib = try DynamicLibrary.open(["libnvrtc.so.13", "libnvrtc.so.12", "libnvrtc.so"],
                                          searchDirectories: DynamicLibrary.cudaSearchDirectories())
        library = lib
        create = try lib.symbol("nvrtcCreateProgram")
        compile = try lib.symbol("nvrtcCompileProgram")
        logSize = try lib.symbol("nvrtcGetProgramLogSize")
        log = try lib.symbol("nvrtcGetProgramLog")
        cubinSize = try lib.symbol("nvrtcGetCUBINSize")
        cubin = try lib.symbol("nvrtcGetCUBIN")
        destroy = try lib.symbol("nvrtcDestroyProgram")
        errorString = try lib.symbol("nvrtcGetErrorString")
        version = try lib.symbol("nvrtcVersion")
    }

    /// Compiles `source` to a cubin for `target` (e.g. "sm_90", or "sm_90a" for Hopper-only
    /// instructions such as wgmma); throws with the compiler log on failure.
    /// `log`, when given, receives the compiler's messages of a successful compilation (with
    /// `--ptxas-options=-v` in `extraOptions`: registers, spills and shared memory per kernel).
    func compileToCubin(source: String, name: String, target: String, extraOptions: [String] = [],
                        log successLog: ((String) -> Void)? = nil) throws -> [UInt8] {
        var prog: Program = nil
        try check(create(&prog, source, name, 0, nil, nil), "nvrtcCreateProgram(\(name))")
        defer { _ = destroy(&prog) }
        let options = ["--gpu-architecture=\(target)", "--std=c++17", "-default-device"] + extraOptions
        let cStrings = options.map { strdup($0) }
        defer { cStrings.forEach { free($0) } }
        let ptrs: [UnsafePointer<CChar>?] = cStrings.map { UnsafePointer($0) }
        let rc = ptrs.withUnsafeBufferPointer { compile(prog, Int32(options.count), $0.baseAddress) }
        if rc != 0 {
            var n = 0
            _ = logSize(prog, &n)
            var buf = [CChar](repeating: 0, count: max(n, 1))
            _ = log(prog, &buf)
            throw CUDAError.compile(kernel: name, log: String(cString: buf))
        }
        if let successLog {
            var n = 0
            _ = logSize(prog, &n)
            var buf = [CChar](repeating: 0, count: max(n, 1))
            _ = log(prog, &buf)
            successLog(String(cString: buf))
        }
        var size = 0
        try check(cubinSize(prog, &size), "nvrtcGetCUBINSize(\(name))")
        var bytes = [CChar](repeating: 0, count: size)
        try check(cubin(prog, &bytes), "nvrtcGetCUBIN(\(name))")
        return bytes.map { UInt8(bitPattern: $0) }
    }

    func check(_ code: Int32, _ call: @autoclosure () -> String) throws {
        if code == 0 { return }
        throw CUDAError.nvrtc(call: call(), code: code, message: errorString(code).map { String(cString: $0) } ?? "unknown")
    }
}

#if canImport(Glibc)
import Glibc
#endif
