import ArgumentParser
import Foundation
import Tensor

/// What the CPU model benchmarks (`i2v bench unet`, `i2v bench vae`) share: the `--dtype` choice,
/// the backend (wrapped in a `ProfilingBackend` for `--profile`) and the peak-RSS field.
enum BenchSetup {
    /// fp16 or fp32 weight storage.
    static func weightDType(_ name: String) throws -> DType {
        switch name {
        case "fp16": return .float16
        case "fp32": return .float32
        default: throw ValidationError("--dtype must be fp16 or fp32")
        }
    }

    /// A CPU backend on `threads` threads, profiled when `profile` is set.
    static func cpuBackend(threads: Int?, profile: Bool) -> (backend: any Backend, profiler: ProfilingBackend?) {
        let cpu = CPUBackend(threads: threads)
        let profiler = profile ? ProfilingBackend(cpu) : nil
        return (profiler ?? cpu, profiler)
    }

    /// Peak RSS in GiB with two decimals, "?" where the platform does not report it.
    static func gib(_ bytes: Int?) -> String {
        bytes.map { String(format: "%.2f", Double($0) / 1_073_741_824) } ?? "?"
    }
}
