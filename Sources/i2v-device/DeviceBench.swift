import ArgumentParser
import Foundation
import I2VGenXL
import Tensor
import TensorCUDA

/// `i2v-device bench`: the real-config UNet (random fp16 weights) per CFG step and the real VAE
/// decode per frame on the GPU, with the card's name and the allocator's peak. Run beside
/// `scripts/device/bench_diffusers.py` in the same call (`scripts/device/bench.sh`).
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "bench", abstract: "UNet step and VAE decode timings on the GPU.")

    @Option(help: "CUDA device index.") var device = 0
    @Option(help: "UNet storage precision (float16, bfloat16, float32).") var precision = "float16"
    @Option(help: "VAE storage precision (its config says force_upcast: fp16 may overflow).") var vaePrecision = "bfloat16"
    @Option(help: "UNet shapes WxHxF (default 512x512x16 and 1280x704x16 unless only --end-to-end is given).") var shapes: [String] = []
    @Option(help: "VAE decode sizes WxH (default 512x512 and 1280x704 unless only --end-to-end is given).") var vaeSizes: [String] = []
    @Option(help: "Timed UNet steps per shape (median reported).") var repeats = 5
    @Flag(help: "After the timed steps, profile one more step per shape: GPU time per kernel.") var profile = false
    @Option(help: "Standard jobs to run end to end (WxHxF, 50 steps, CFG 9), the whole real pipeline with random weights.")
    var endToEnd: [String] = []
    @Option(help: "Model storage precision of the end-to-end run (the VAE runs in bfloat16, as the product does).") var endToEndPrecision = "float16"

    func run() throws {
        guard let prec = CUDAPrecision(rawValue: precision), let vprec = CUDAPrecision(rawValue: vaePrecision) else {
            throw ValidationError("unknown precision")
        }
        print("work\tms\tpeak_GiB\tdevice")
        let onlyEndToEnd = !endToEnd.isEmpty && shapes.isEmpty && vaeSizes.isEmpty
        for s in shapes.isEmpty && !onlyEndToEnd ? ["512x512x16", "1280x704x16"] : shapes {
            let p = s.split(separator: "x").compactMap { Int($0) }
            guard p.count == 3 else { throw ValidationError("shape \(s) is not WxHxF") }
            let cuda = try CUDABackend(device: device, precision: prec)
            var table: [(name: String, calls: Int, milliseconds: Double, tflops: Double?)] = []
            let r = try UNetBenchmark.run(backend: cuda, shape: .init(height: p[1], width: p[0], frames: p[2]),
                                          weightDType: .float16, repeats: repeats + 1, options: .gpu,
                                          untimedStep: profile ? { step in table = try cuda.profile(step) } : nil)
            // The first call pays for kernel loading and allocator growth: report the rest.
            let steady = Array(r.stepSeconds.dropFirst()).sorted()
            let ms = steady[steady.count / 2] * 1000
            print("UNet CFG step \(s) (\(precision))\t" + String(format: "%.1f\t%.2f\t", ms, Double(cuda.peakAllocatedBytes) / 1073741824)
                  + cuda.deviceName + String(format: "\t(peak in use %.2f GiB)", Double(cuda.peakInUseBytes) / 1073741824))
            if profile { Self.printProfile(table, title: "UNet CFG step \(s)") }
            if cuda.useCuDNNAttention { print("# cuDNN fused attention: \(cuda.fusedAttentionReport)") }
            fflush(stdout)
        }
        for s in endToEnd { try runEndToEnd(s) }
        for s in vaeSizes.isEmpty && !onlyEndToEnd ? ["512x512", "1280x704"] : vaeSizes {
            let p = s.split(separator: "x").compactMap { Int($0) }
            guard p.count == 2 else { throw ValidationError("size \(s) is not WxH") }
            let cuda = try CUDABackend(device: device, precision: vprec)
            var config = AutoencoderKLConfig()
            config.blockOutChannels = [128, 256, 512, 512]
            config.downBlockTypes = Array(repeating: "DownEncoderBlock2D", count: 4)
            config.upBlockTypes = Array(repeating: "UpDecoderBlock2D", count: 4)
            config.layersPerBlock = 2
            let vae = try AutoencoderKL(config: config, weights: SyntheticWeights(backend: cuda, dtype: .float16))
            var seed: UInt64 = 7
            let n = 4 * (p[1] / 8) * (p[0] / 8)
            let latent = cuda.tensor((0..<n).map { _ in
                seed ^= seed << 13; seed ^= seed >> 7; seed ^= seed << 17
                return Float(seed >> 40) / Float(1 << 24) * 2 - 1
            }, shape: [1, 4, p[1] / 8, p[0] / 8])
            var times = [Double]()
            for _ in 0..<(repeats + 1) {
                let t0 = DispatchTime.now().uptimeNanoseconds
                let img = try vae.decode(cuda, latent)
                let host = cuda.toHost(img)
                guard host.allSatisfy({ $0.isFinite }) else { throw ValidationError("VAE decode produced NaN/Inf at \(s) in \(vaePrecision)") }
                times.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6)
            }
            let steady = Array(times.dropFirst()).sorted()
            print("VAE decode 1 frame \(s) (\(vaePrecision))\t"
                  + String(format: "%.1f\t%.2f\t", steady[steady.count / 2], Double(cuda.peakAllocatedBytes) / 1073741824) + cuda.deviceName)
            fflush(stdout)
        }
    }

    /// The standard job through `I2VGenXLPipeline.generate`: prompt and image encoding, VAE
    /// encode, 50 CFG steps, VAE decode of every frame, post-processing to 8-bit frames.
    func runEndToEnd(_ spec: String) throws {
        let p = spec.split(separator: "x").compactMap { Int($0) }
        guard p.count == 3, let prec = CUDAPrecision(rawValue: endToEndPrecision) else {
            throw ValidationError("end-to-end job \(spec) is not WxHxF, or unknown precision \(endToEndPrecision)")
        }
        let cuda = try CUDABackend(device: device, precision: prec)
        let vae = try CUDABackend(device: device, precision: .bfloat16)
        let pipeline = try SyntheticPipeline.make(backend: cuda, vaeBackend: vae, unetOptions: .gpu)
        var seed: UInt64 = 11
        let pixels = (0..<(p[0] * p[1] * 3)).map { _ -> UInt8 in seed ^= seed << 13; seed ^= seed >> 7; seed ^= seed << 17; return UInt8(seed & 255) }
        let request = I2VGenXLRequest(image: try RGB8Image(width: p[0], height: p[1], pixels: pixels),
                                      prompt: "a red dress swaying gently in the breeze, studio light",
                                      width: p[0], height: p[1], numFrames: p[2], numInferenceSteps: 50, guidanceScale: 9)
        for run in 0..<2 {  // the first run pays for kernel compilation, cuDNN searches and allocator growth
            var steps = 0
            let t0 = DispatchTime.now().uptimeNanoseconds
            let out = try pipeline.generate(request, noise: .seed(42)) { event in
                if event.stage == .denoising { steps = event.step }
            }
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
            guard out.numFrames == p[2], steps == 50, out.frames.allSatisfy({ $0.isFinite }) else {
                throw ValidationError("end-to-end \(spec): \(out.numFrames) frames after \(steps) steps, or non-finite pixels")
            }
            if run == 1 {
                let held = Double(CUDABackend.processPeakBytes) / 1073741824  // both backends together
                print("end-to-end \(spec) 50 steps (\(endToEndPrecision), VAE bfloat16)\t" + String(format: "%.0f\t%.2f\t", seconds * 1000, held)
                      + cuda.deviceName)
            }
        }
    }

    static func printProfile(_ rows: [(name: String, calls: Int, milliseconds: Double, tflops: Double?)], title: String) {
        let total = rows.reduce(0) { $0 + $1.milliseconds }
        print("# profile of one \(title): " + String(format: "%.1f ms of GPU time in %d launches", total, rows.reduce(0) { $0 + $1.calls }))
        for row in rows.prefix(40) {
            let rate = row.tflops.map { String(format: "%.0f TFLOP/s", $0) } ?? ""
            print(String(format: "#  %8.2f ms %5.1f%% %6d× ", row.milliseconds, 100 * row.milliseconds / max(total, 1e-9), row.calls)
                  + "\(row.name) \(rate)")
        }
    }
}
