import ArgumentParser
import Foundation
import Tensor

/// `i2v bench ops`: the backend's heavy ops at I2VGen-XL shapes (see `scripts/bench_ops.sh`,
/// which runs each case in its own process beside PyTorch so peak RSS is per case).
struct BenchOpsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ops", abstract: "Time GEMM, conv2d and attention at I2VGen-XL shapes on the CPU backend.")

    @Option(help: "Cases to run (\(OpsBenchmark.caseNames.joined(separator: ", "))); default all.")
    var cases: [String] = []

    @Option(help: "Timed repetitions per case (median reported).")
    var repeats: Int = 5

    @Option(help: "CPU threads (default: all cores).")
    var threads: Int?

    func run() throws {
        let backend = CPUBackend(threads: threads)
        print("backend: \(backend.name)")
        print("case\tms\tGFLOP/s\tpeak_rss_MiB")
        for name in cases.isEmpty ? OpsBenchmark.caseNames : cases {
            let r = try OpsBenchmark.run(name, backend: backend, repeats: repeats)
            let rss = OpsBenchmark.peakRSSBytes().map { String(format: "%.0f", Double($0) / 1048576) } ?? "?"
            print(String(format: "%@\t%.2f\t%.1f\t%@", r.name, r.milliseconds, r.gflops, rss))
        }
    }
}
