import Foundation
import Tensor

/// One GPU: its driver context, the cuBLAS handle, the compiled kernel module and the caching
/// allocator. All work goes to the legacy default stream, so launches run in issue order and a
/// buffer returned to the pool can be reused by the next launch without synchronisation.
final class CUDAContext: @unchecked Sendable {
    let driver: CUDADriver
    let nvrtc: NVRTC
    let cublas: CuBLAS
    let cublasHandle: OpaquePointer?
    let device: Int32
    /// The device's primary context (retained for the process's lifetime).
    let primary: OpaquePointer?
    let deviceName: String
    let computeCapability: (major: Int, minor: Int)
    let multiprocessors: Int
    let allocator: CUDAAllocator
    /// Synchronise after every launch and check for errors (I2V_CUDA_SYNC=1): slow, for debugging.
    let syncEachLaunch: Bool
    /// Per-kernel GPU times while set (see `CUDABackend.profile`).
    var profiler: CUDAProfiler?
    private var modules: [String: OpaquePointer?] = [:]
    private var functions: [String: OpaquePointer?] = [:]
    /// The dynamic shared memory each function is allowed so far (set above 48 KiB on demand).
    private var sharedLimits: [String: Int] = [:]
    private let lock = NSLock()

    init(deviceIndex: Int) throws {
        let driver = try CUDADriver()
        self.driver = driver
        try driver.check(driver.cuInit(0), "cuInit")
        var count: Int32 = 0
        try driver.check(driver.cuDeviceGetCount(&count), "cuDeviceGetCount")
        guard deviceIndex >= 0 && deviceIndex < Int(count) else { throw CUDAError.noDevice(index: deviceIndex, count: Int(count)) }
        var dev: Int32 = 0
        try driver.check(driver.cuDeviceGet(&dev, Int32(deviceIndex)), "cuDeviceGet(\(deviceIndex))")
        device = dev
        var ctx: OpaquePointer?
        try driver.check(driver.cuDevicePrimaryCtxRetain(&ctx, dev), "cuDevicePrimaryCtxRetain")
        try driver.check(driver.cuCtxSetCurrent(ctx), "cuCtxSetCurrent")
        primary = ctx
        var name = [CChar](repeating: 0, count: 256)
        try driver.check(driver.cuDeviceGetName(&name, 256, dev), "cuDeviceGetName")
        deviceName = String(cString: name)
        func attribute(_ a: CUDeviceAttribute) throws -> Int {
            var v: Int32 = 0
            try driver.check(driver.cuDeviceGetAttribute(&v, a.rawValue, dev), "cuDeviceGetAttribute(\(a))")
            return Int(v)
        }
        computeCapability = (try attribute(.computeCapabilityMajor), try attribute(.computeCapabilityMinor))
        multiprocessors = try attribute(.multiprocessorCount)
        nvrtc = try NVRTC()
        cublas = try CuBLAS()
        var handle: OpaquePointer?
        try cublas.check(cublas.create(&handle), "cublasCreate")
        cublasHandle = handle
        allocator = CUDAAllocator(driver: driver)
        syncEachLaunch = ProcessInfo.processInfo.environment["I2V_CUDA_SYNC"] == "1"
    }

    /// Makes this GPU's context current on the calling thread if it is not already. A backend is
    /// created on one thread and used on others (the server loads the model on a loader thread and
    /// runs jobs on engine threads; several GPUs share a process), and CUDA's current context is
    /// per thread, so every entry point that talks to the driver, cuBLAS or cuDNN calls this.
    func ensureCurrent() {
        var current: OpaquePointer?
        if driver.cuCtxGetCurrent(&current) == 0, current == primary { return }
        do { try driver.check(driver.cuCtxSetCurrent(primary), "cuCtxSetCurrent(device \(device))") } catch { fatalError("\(error)") }
    }

    var arch: Int { computeCapability.major * 10 + computeCapability.minor }

    /// The kernel `name` from `module` compiled for storage type `storage`. Kernels that need more
    /// than the default 48 KiB of dynamic shared memory pass `dynamicSharedBytes` so the limit is
    /// raised once, when the function is first resolved.
    func function(_ name: String, storage: String, module kind: KernelModule = .portable, dynamicSharedBytes: Int = 0) throws -> OpaquePointer? {
        let key = kind.moduleName(storage: storage) + "/" + name
        lock.lock(); defer { lock.unlock() }
        let f: OpaquePointer?
        if let known = functions[key] {
            f = known
        } else {
            let module = try loadModule(storage: storage, kind: kind)
            var loaded: OpaquePointer?
            try driver.check(name.withCString { driver.cuModuleGetFunction(&loaded, module, $0) }, "cuModuleGetFunction(\(name))")
            f = loaded
            functions[key] = f
        }
        // A kernel whose shared memory grows with its operands (the resident-weight GEGLU) may ask
        // for more than its first launch did: raise the limit when it does.
        if dynamicSharedBytes > max(48 * 1024, sharedLimits[key] ?? 0) {
            try driver.check(driver.cuFuncSetAttribute(f, CUFunctionAttribute.maxDynamicSharedSizeBytes.rawValue, Int32(dynamicSharedBytes)),
                             "cuFuncSetAttribute(\(name), max dynamic shared memory \(dynamicSharedBytes))")
            sharedLimits[key] = dynamicSharedBytes
        }
        return f
    }

    private func loadModule(storage: String, kind: KernelModule) throws -> OpaquePointer? {
        let name = kind.moduleName(storage: storage)
        if let m = modules[name] { return m }
        guard let target = kind.target(arch: arch) else { throw CUDAError.libraryCall(call: "load \(name)", message: "needs compute capability 9.0, this GPU is sm_\(arch)") }
        let cubin = try KernelCache.cubin(source: kind.source(storage: storage), name: name + ".cu", target: target, nvrtc: nvrtc)
        var module: OpaquePointer?
        try cubin.withUnsafeBytes { try driver.check(driver.cuModuleLoadData(&module, $0.baseAddress!), "cuModuleLoadData(\(name))") }
        modules[name] = module
        return module
    }

    /// Runs `body`; while a profiler is attached, brackets it with CUDA events under `name` (the
    /// name and FLOP count are only computed then, off the hot path otherwise).
    func profiled<T>(_ name: @autoclosure () -> String, flops: @autoclosure () -> Double = 0, _ body: () throws -> T) rethrows -> T {
        guard let profiler else { return try body() }
        let mark = try? profiler.begin(name(), flops: flops())
        defer { if let mark { try? profiler.end(mark) } }
        return try body()
    }

    /// Launches `function` over a 1-D grid; `args` are the kernel's parameters in order.
    func launch(_ function: OpaquePointer?, name: String, grid: Int, block: Int, sharedBytes: Int = 0, _ args: [KernelArg]) throws {
        ensureCurrent()
        var storage = [UnsafeMutableRawPointer]()
        defer { storage.forEach { $0.deallocate() } }
        var pointers = [UnsafeMutableRawPointer?]()
        for a in args {
            let p = UnsafeMutableRawPointer.allocate(byteCount: max(a.bytes.count, 8), alignment: 16)
            a.bytes.withUnsafeBytes { p.copyMemory(from: $0.baseAddress!, byteCount: a.bytes.count) }
            storage.append(p)
            pointers.append(p)
        }
        let mark = try profiler?.begin(name)
        let rc = pointers.withUnsafeMutableBufferPointer { buf in
            driver.cuLaunchKernel(function, UInt32(max(grid, 1)), 1, 1, UInt32(block), 1, 1, UInt32(sharedBytes), nil, buf.baseAddress, nil)
        }
        try driver.check(rc, "cuLaunchKernel(\(name), grid \(grid), block \(block))")
        if let mark { try profiler?.end(mark) }
        if syncEachLaunch { try driver.check(driver.cuCtxSynchronize(), "kernel \(name)") }
    }

    func synchronize() throws {
        ensureCurrent()
        try driver.check(driver.cuCtxSynchronize(), "cuCtxSynchronize")
    }
}

/// One kernel parameter, by value, as the bytes the kernel expects.
struct KernelArg {
    let bytes: [UInt8]
    static func ptr(_ p: UInt64) -> KernelArg { KernelArg(bytes: withUnsafeBytes(of: p) { Array($0) }) }
    static func i64(_ v: Int) -> KernelArg { KernelArg(bytes: withUnsafeBytes(of: Int64(v)) { Array($0) }) }
    static func i32(_ v: Int) -> KernelArg { KernelArg(bytes: withUnsafeBytes(of: Int32(v)) { Array($0) }) }
    static func f32(_ v: Float) -> KernelArg { KernelArg(bytes: withUnsafeBytes(of: v) { Array($0) }) }
    /// `struct Strides6 { int rank; long long dims[6]; long long a[6]; long long b[6]; }`
    static func strides6(rank: Int, dims: [Int], a: [Int], b: [Int]) -> KernelArg {
        precondition(rank <= 6, "CUDA kernels support tensors of rank ≤ 6")
        var bytes = [UInt8](repeating: 0, count: 8 + 18 * 8)
        withUnsafeBytes(of: Int32(rank)) { for i in 0..<4 { bytes[i] = $0[i] } }
        func put(_ values: [Int], at base: Int) {
            for (i, v) in values.enumerated() { withUnsafeBytes(of: Int64(v)) { for j in 0..<8 { bytes[base + i * 8 + j] = $0[j] } } }
        }
        put(dims, at: 8); put(a, at: 8 + 48); put(b, at: 8 + 96)
        return KernelArg(bytes: bytes)
    }
}

/// Compiled kernels cached on disk (`$XDG_CACHE_HOME/i2v/cuda` or `~/.cache/i2v/cuda`), keyed by a
/// hash of the source and the architecture, so only the first run on a host pays for NVRTC.
enum KernelCache {
    static func cubin(source: String, name: String, target: String, nvrtc: NVRTC) throws -> [UInt8] {
        var hash: UInt64 = 0xcbf29ce484222325
        for b in source.utf8 { hash = (hash ^ UInt64(b)) &* 0x100000001b3 }
        let env = ProcessInfo.processInfo.environment
        let base = env["XDG_CACHE_HOME"] ?? ((env["HOME"] ?? "/tmp") + "/.cache")
        let dir = base + "/i2v/cuda"
        let file = "\(dir)/\(name)-\(target)-\(String(hash, radix: 16)).cubin"
        if let data = FileManager.default.contents(atPath: file), !data.isEmpty { return [UInt8](data) }
        let cubin = try nvrtc.compileToCubin(source: source, name: name, target: target)
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let tmp = file + ".tmp\(getpid())"
        if FileManager.default.createFile(atPath: tmp, contents: Data(cubin)) { _ = rename(tmp, file) }
        return cubin
    }
}

/// The kernel modules: the portable one (every op, any architecture) and the Hopper one
/// (warpgroup-MMA attention, half storage only, compiled for `sm_90a`).
enum KernelModule: CaseIterable {
    case portable, hopper

    func moduleName(storage: String) -> String { self == .portable ? "i2v_\(storage)" : "i2v_\(storage)_sm90a" }

    /// The NVRTC target for a device of compute capability `arch` (major·10 + minor), or nil when
    /// this module cannot run there.
    func target(arch: Int) -> String? {
        switch self {
        case .portable: return "sm_\(arch)"
        case .hopper: return arch == 90 ? "sm_90a" : nil
        }
    }

    /// Whether this module exists for `storage` (the Hopper module only for half storage).
    func exists(storage: String) -> Bool { self == .portable || storage != "float" }

    func source(storage: String) -> String {
        self == .portable ? KernelSource.source(storage: storage) : KernelSource.hopperSource(storage: storage)
    }
}

/// Offline compilation of the kernel modules (no GPU needed), for build checks.
public enum CUDAKernels {
    /// Compiles every module for `precision` that runs on `sm_<arch>`; returns (module, cubin bytes).
    /// `resources` receives ptxas's per-kernel report (registers, spills, shared memory).
    public static func compile(precision: CUDAPrecision, arch: Int, resources: ((String) -> Void)? = nil) throws -> [(module: String, bytes: Int)] {
        let nvrtc = try NVRTC()
        let storage = precision.kernelType
        return try KernelModule.allCases.compactMap { kind in
            guard kind.exists(storage: storage), let target = kind.target(arch: arch) else { return nil }
            let name = kind.moduleName(storage: storage)
            let options = resources == nil ? [] : ["--ptxas-options=-v"]
            return (name, try nvrtc.compileToCubin(source: kind.source(storage: storage), name: name + ".cu", target: target,
                                                   extraOptions: options, log: resources).count)
        }
    }
}
