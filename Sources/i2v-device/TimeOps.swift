import ArgumentParser
import Foundation
import TensorCUDA

/// `i2v-device time-ops`: the UNet's hot ops at 512²×16 frames with CFG, old kernel path against
/// new, median of CUDA-event timings (see `CUDAOpTiming`).
struct TimeOps: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "time-ops", abstract: "Time attention, GroupNorm and pointwise kernels, old path vs new.")

    @Option(help: "CUDA device index.") var device = 0
    @Option(help: "Storage precisions to time (float32, float16, bfloat16).") var precision: [String] = ["float16"]
    @Option(help: "Timed repetitions (the median is reported).") var repeats = 20
    @Option(help: "Time only the ops whose name contains this text.") var only: String?

    func run() throws {
        var table = [String]()
        CUDAOpTiming.onlyOps = only
        for p in precision {
            guard let prec = CUDAPrecision(rawValue: p) else { throw ValidationError("unknown precision \(p)") }
            let cuda = try CUDABackend(device: device, precision: prec)
            print("== \(cuda.name)")
            let rows = try CUDAOpTiming.run(cuda: cuda, repeats: repeats) { print($0) }
            print("cuDNN fused attention: \(cuda.fusedAttentionReport)")
            for r in rows {
                table.append(String(format: "%-9@ %-34@ %-16@ %9.3f ms %8.1f %-7@ dev %.1e", p as NSString, r.op as NSString,
                                    r.path as NSString, r.milliseconds, r.rate, r.rateUnit as NSString, r.deviation))
            }
        }
        print("precision op                                 path              median        rate          vs first path")
        table.forEach { print($0) }
    }
}
