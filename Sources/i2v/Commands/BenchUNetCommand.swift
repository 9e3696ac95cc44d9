import ArgumentParser
import Foundation
import I2VGenXL
import Tensor

/// `i2v bench unet`: one CFG step of the real-architecture UNet with invented weights, its peak
/// RSS, and the projected time of the standard job (scripts/bench_reference.py unet is the
/// PyTorch side).
struct BenchUNetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "unet",
        abstract: "Time one CFG step of the real I2VGen-XL UNet (random fp16 weights) and project a full job.")

    @Option var height: Int = 256
    @Option var width: Int = 256
    @Option var frames: Int = 8
    @Option(help: "Timed steps (median reported).")
    var repeats: Int = 1
    @Option(help: "Weight storage: fp16 or fp32.")
    var dtype: String = "fp16"
    @Option(help: "CPU threads (default: all cores).")
    var threads: Int?
    @Option(help: "Projection target as HxWxFxSTEPS.")
    var project: String = "512x512x16x50"
    @Flag(help: "Time every backend op (conditioning and timed steps) and print the largest entries.")
    var profile = false

    func run() throws {
        let parts = project.split(separator: "x").compactMap { Int($0) }
        guard parts.count == 4, parts.allSatisfy({ $0 > 0 }) else { throw ValidationError("--project must look like 512x512x16x50") }
        guard height % 8 == 0, width % 8 == 0, height > 0, width > 0, frames >= 1 else {
            throw ValidationError("--height/--width must be positive multiples of 8 and --frames ≥ 1")
        }
        let weightType = try BenchSetup.weightDType(dtype)
        let (backend, profiler) = BenchSetup.cpuBackend(threads: threads, profile: profile)
        let shape = UNetBenchmark.Shape(height: height, width: width, frames: frames)
        let r = try UNetBenchmark.run(backend: backend, shape: shape, weightDType: weightType, repeats: repeats) {
            FileHandle.standardError.write(Data(($0 + "\n").utf8))
        }
        if let profiler { BenchProfile.print(profiler) }
        let target = UNetBenchmark.Shape(height: parts[0], width: parts[1], frames: parts[2])
        let p = try UNetBenchmark.projection(shape: target, steps: parts[3])
        print("backend\t\(r.threads)")
        print("shape\t\(height)x\(width)x\(frames) (latent \(shape.latentHeight)x\(shape.latentWidth)), CFG batch 2, weights \(dtype)")
        print(String(format: "weights_s\t%.1f", r.weightSeconds))
        print(String(format: "conditioning_s\t%.2f", r.conditioningSeconds))
        print("step_s\t" + r.stepSeconds.map { String(format: "%.2f", $0) }.joined(separator: ","))
        print(String(format: "step_median_s\t%.2f", r.medianStepSeconds))
        print(String(format: "step_tflop\t%.3f", r.stepFLOPs / 1e12))
        print(String(format: "gflop_per_s\t%.1f", r.gflopsPerSecond))
        print("peak_rss_gib\t\(BenchSetup.gib(r.peakRSSBytes))")
        let (unetS, totalS) = p.seconds(atGFLOPs: r.gflopsPerSecond)
        print(String(format: "projected\t%@: UNet %.1f TFLOP/step; total %.1f TFLOP (text %.2f, image %.2f, vae-encode %.2f, vae-decode %.2f)",
                     project, p.unetStepFLOPs / 1e12, p.totalFLOPs / 1e12, p.textEncoderFLOPs / 1e12,
                     p.imageEncoderFLOPs / 1e12, p.vaeEncodeFLOPs / 1e12, p.vaeDecodeFLOPs / 1e12))
        print(String(format: "projected_s\tUNet %.0f s (%.2f h); end-to-end %.0f s (%.2f h) at %.1f GFLOP/s",
                     unetS, unetS / 3600, totalS, totalS / 3600, r.gflopsPerSecond))
    }
}
