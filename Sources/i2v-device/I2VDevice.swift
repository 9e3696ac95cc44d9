import ArgumentParser
import Foundation
import Tensor
import TensorCUDA

/// `i2v-device`: a lean executable for GPU hosts without the server's dependencies (no FFmpeg,
/// no HTTP stack), so it can be built statically here and carried to a device machine. It checks
/// the CUDA backend against the CPU backend and runs the GPU benchmarks.
@main
struct I2VDevice: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "i2v-device",
        abstract: "Check and benchmark the CUDA backend on a GPU host.",
        subcommands: [CheckOps.self, CompileKernels.self, TimeOps.self, Bench.self, DeviceParity.self, MultiGPU.self]
    )
}

struct CheckOps: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "check-ops", abstract: "Every Backend op on CUDA vs the CPU backend.")

    @Option(help: "CUDA device index.") var device = 0
    @Option(help: "Storage precisions to check (float32, float16, bfloat16).") var precision: [String] = ["float32", "float16", "bfloat16"]

    func run() throws {
        let cpu = CPUBackend()
        var failures = 0
        for p in precision {
            guard let prec = CUDAPrecision(rawValue: p) else { throw ValidationError("unknown precision \(p)") }
            let cuda = try CUDABackend(device: device, precision: prec)
            print("== \(cuda.name)")
            for row in CUDASelfCheck.run(cuda: cuda, cpu: cpu) {
                print(String(format: "%-22@ %.3e  (bound %.0e) %@", row.op as NSString, row.error, row.bound, row.passed ? "ok" : "FAIL"))
                if !row.passed { failures += 1 }
            }
            print(String(format: "peak device memory held: %.1f MiB", Double(cuda.peakAllocatedBytes) / 1048576))
            if prec != .float32 { print("cuDNN fused attention: \(cuda.fusedAttentionReport)") }
        }
        if failures > 0 { throw ExitCode(1) }
    }
}

struct CompileKernels: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compile-kernels", abstract: "Compile the CUDA kernels with NVRTC (needs libnvrtc only, no GPU) and report errors.")

    @Option(help: "Target architecture, e.g. 90 for sm_90.") var arch = 90
    @Flag(help: "Print ptxas's registers, spills and shared memory per kernel.") var resources = false

    func run() throws {
        for p in CUDAPrecision.allCases {
            for (module, bytes) in try CUDAKernels.compile(precision: p, arch: arch, resources: resources ? { print($0) } : nil) {
                print("\(p.rawValue): \(module) \(bytes) bytes of code for compute capability \(arch / 10).\(arch % 10)")
            }
        }
    }
}
