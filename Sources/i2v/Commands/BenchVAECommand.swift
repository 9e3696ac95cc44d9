import ArgumentParser
import Foundation
import I2VGenXL
import Tensor

/// `i2v bench vae`: decode of one frame by the real-config VAE with random weights, time and peak
/// RSS (scripts/bench_reference.py vae is the diffusers side).
struct BenchVAECommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vae", abstract: "Time one VAE decode of the real I2VGen-XL AutoencoderKL (random weights).")

    @Option var height: Int = 512
    @Option var width: Int = 512
    @Option(help: "Timed decodes (median reported).")
    var repeats: Int = 1
    @Option(help: "Weight storage: fp32 or fp16.")
    var dtype: String = "fp32"
    @Option(help: "CPU threads (default: all cores).")
    var threads: Int?
    @Flag(help: "Time every backend op and print the largest entries.")
    var profile = false

    func run() throws {
        let weightType = try BenchSetup.weightDType(dtype)
        let (backend, profiler) = BenchSetup.cpuBackend(threads: threads, profile: profile)
        let r = try VAEBenchmark.run(backend: backend, height: height, width: width, weightDType: weightType, repeats: repeats) {
            FileHandle.standardError.write(Data(($0 + "\n").utf8))
        }
        print("backend\t\(r.backendName)")
        print("shape\t1x3x\(height)x\(width) from latent 1x4x\(height / 8)x\(width / 8), weights \(dtype)")
        print(String(format: "weights_s\t%.1f", r.weightSeconds))
        print("decode_s\t" + r.decodeSeconds.map { String(format: "%.2f", $0) }.joined(separator: ","))
        print(String(format: "decode_median_s\t%.2f", r.medianDecodeSeconds))
        print(String(format: "decode_tflop\t%.3f", r.decodeFLOPs / 1e12))
        print(String(format: "gflop_per_s\t%.1f", r.decodeFLOPs / max(r.medianDecodeSeconds, 1e-9) / 1e9))
        print("peak_rss_gib\t\(BenchSetup.gib(r.peakRSSBytes))")
        if let profiler { BenchProfile.print(profiler) }
    }
}
