#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// A shared library opened with `dlopen` at run time. i2v never links CUDA at build time: the same
/// binary runs on CPU-only hosts and finds the driver, cuBLAS and NVRTC where a GPU host has them.
final class DynamicLibrary: @unchecked Sendable {
    let path: String
    private let handle: UnsafeMutableRawPointer

    private init(path: String, handle: UnsafeMutableRawPointer) {
        self.path = path
        self.handle = handle
    }

    /// Opens the first of `names` found in `searchDirectories` (absolute paths) or, failing that,
    /// on the dynamic linker's default path. Throws naming every place it looked.
    static func open(_ names: [String], searchDirectories: [String]) throws -> DynamicLibrary {
        var tried = [String]()
        for dir in searchDirectories {
            for name in names {
                let p = (dir as NSString).appendingPathComponent(name)
                guard FileManager.default.fileExists(atPath: p) else { continue }
                tried.append(p)
                if let h = dlopen(p, RTLD_NOW | RTLD_GLOBAL) { return DynamicLibrary(path: p, handle: h) }
            }
        }
        for name in names {
            tried.append(name)
            if let h = dlopen(name, RTLD_NOW | RTLD_GLOBAL) { return DynamicLibrary(path: name, handle: h) }
        }
        let reason = dlerror().map { String(cString: $0) } ?? "not found"
        throw CUDAError.libraryNotFound(names: names, tried: tried, reason: reason)
    }

    /// The symbol `name` cast to the C function type `T`.
    func symbol<T>(_ name: String, as type: T.Type = T.self) throws -> T {
        guard let p = dlsym(handle, name) else { throw CUDAError.symbolNotFound(name, library: path) }
        return unsafeBitCast(p, to: type)
    }

    /// Folders that may hold CUDA libraries: `$CUDA_HOME`, `/usr/local/cuda*`, and the `nvidia-*`
    /// Python wheels' folders (`site-packages/nvidia/<lib>/lib`), most specific first.
    static func cudaSearchDirectories() -> [String] {
        var dirs = [String]()
        let env = ProcessInfo.processInfo.environment
        for key in ["CUDA_HOME", "CUDA_PATH"] {
            if let home = env[key] { dirs += [home + "/lib64", home + "/lib", home + "/targets/x86_64-linux/lib"] }
        }
        let fm = FileManager.default
        if let entries = try? fm.contentsOfDirectory(atPath: "/usr/local") {
            for e in entries.sorted(by: >) where e.hasPrefix("cuda") {
                dirs += ["/usr/local/\(e)/lib64", "/usr/local/\(e)/targets/x86_64-linux/lib"]
            }
        }
        dirs += ["/usr/local/nvidia/lib64", "/usr/lib/x86_64-linux-gnu", "/usr/lib64"]
        // Python wheels (pip install nvidia-cublas …) in any site-packages we can see.
        var roots = [String]()
        if let pp = env["PYTHONPATH"] { roots += pp.split(separator: ":").map(String.init) }
        for base in ["/usr/local/lib", "/usr/lib", "/opt/torch/.venv/lib", "/opt/conda/lib"] {
            if let entries = try? fm.contentsOfDirectory(atPath: base) {
                for e in entries where e.hasPrefix("python3") {
                    roots += ["\(base)/\(e)/site-packages", "\(base)/\(e)/dist-packages"]
                }
            }
        }
        for root in roots {
            let nv = root + "/nvidia"
            guard let pkgs = try? fm.contentsOfDirectory(atPath: nv) else { continue }
            for p in pkgs.sorted() { dirs += ["\(nv)/\(p)/lib", "\(nv)/\(p)/lib64"] }
        }
        return dirs
    }
}
