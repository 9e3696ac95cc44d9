/// Everything that can go wrong on the CUDA path, each naming what failed.
public enum CUDAError: Error, CustomStringConvertible {
    case libraryNotFound(names: [String], tried: [String], reason: String)
    case symbolNotFound(String, library: String)
    case driver(call: String, code: Int32, message: String)
    case nvrtc(call: String, code: Int32, message: String)
    case compile(kernel: String, log: String)
    case cublas(call: String, status: Int32)
    case noDevice(index: Int, count: Int)
    case outOfMemory(requested: Int, free: Int, total: Int)
    case libraryCall(call: String, message: String)

    public var description: String {
        switch self {
        case .libraryNotFound(let names, let tried, let reason):
            return "CUDA: could not load \(names.joined(separator: " or ")) (\(reason)); looked in: \(tried.prefix(8).joined(separator: ", "))\(tried.count > 8 ? ", …" : ""). Install the NVIDIA driver / CUDA 12–13 runtime, or set CUDA_HOME."
        case .symbolNotFound(let name, let lib):
            return "CUDA: symbol \(name) missing from \(lib) (library too old?)"
        case .driver(let call, let code, let message):
            return "CUDA driver: \(call) failed with \(code) (\(message))"
        case .nvrtc(let call, let code, let message):
            return "NVRTC: \(call) failed with \(code) (\(message))"
        case .compile(let kernel, let log):
            return "NVRTC: compiling \(kernel) failed:\n\(log)"
        case .cublas(let call, let status):
            return "cuBLAS: \(call) failed with status \(status)"
        case .noDevice(let index, let count):
            return "CUDA: device \(index) requested but \(count) device(s) present"
        case .outOfMemory(let requested, let free, let total):
            return "CUDA: out of GPU memory allocating \(requested >> 20) MiB (\(free >> 20) MiB free of \(total >> 20) MiB)"
        case .libraryCall(let call, let message):
            return "CUDA library: \(call) failed (\(message))"
        }
    }
}
