import Foundation
import ModelIO
import Tensor

/// `i2v bench vae`: decode of one frame by the REAL-config `AutoencoderKL` (the I2VGen-XL VAE,
/// 83.7 M parameters) with invented weights (`SyntheticWeights`, no files), timed on a backend,
/// with the peak resident memory. `scripts/bench_reference.py vae` is the diffusers side.
public enum VAEBenchmark {
    public struct Result: Sendable {
        public let height: Int, width: Int
        public let weightDType: DType
        public let backendName: String
        /// Seconds to invent and hold the weights (encoder and decoder, as the model is built).
        public let weightSeconds: Double
        /// Seconds of each timed decode.
        public let decodeSeconds: [Double]
        public let peakRSSBytes: Int?
        /// FLOPs of one decode (linear, conv and attention; counted by `ShapeOnlyBackend`).
        public let decodeFLOPs: Double
        public var medianDecodeSeconds: Double {
            let s = decodeSeconds.sorted()
            return s.isEmpty ? 0 : s[s.count / 2]
        }
    }

    /// Decodes `repeats` times one random latent [1, 4, H/8, W/8] to [1, 3, H, W].
    public static func run(backend be: any Backend, height: Int, width: Int, weightDType: DType = .float32,
                           repeats: Int = 1, log: (String) -> Void = { _ in }) throws -> Result {
        guard height > 0, width > 0, height % 8 == 0, width % 8 == 0 else {
            throw EncoderInputError.invalid(input: "VAE benchmark size", reason: "\(width)x\(height) is not a positive multiple of 8")
        }
        let config = UNetBenchmark.realVAE
        log("inventing \(weightDType.rawValue) weights for the real VAE…")
        let t0 = now()
        let vae = try AutoencoderKL(config: config, weights: SyntheticWeights(backend: be, dtype: weightDType))
        let weightSeconds = now() - t0
        var g = TorchCPUGenerator(seed: 0)
        let shape = [1, config.latentChannels, height / 8, width / 8]
        let latents = be.tensor(g.randn(shape: shape), shape: shape)
        var times: [Double] = []
        for i in 0..<max(1, repeats) {
            log("decode \(i + 1)/\(max(1, repeats))…")
            let t = now()
            let image = try vae.decode(be, latents)
            _ = be.toHost(image)
            times.append(now() - t)
            log(String(format: "  %.2f s", times.last ?? 0))
        }
        return Result(height: height, width: width, weightDType: weightDType, backendName: be.name, weightSeconds: weightSeconds,
                      decodeSeconds: times, peakRSSBytes: MemoryStats.peakResidentBytes(),
                      decodeFLOPs: try decodeFLOPs(height: height, width: width))
    }

    /// FLOPs of one real-config VAE decode of a height×width frame.
    public static func decodeFLOPs(height: Int, width: Int) throws -> Double {
        let be = ShapeOnlyBackend()
        let vae = try AutoencoderKL(config: UNetBenchmark.realVAE, weights: SyntheticWeights(backend: be, shapesOnly: true))
        _ = try vae.decode(be, be.zeros([1, 4, height / 8, width / 8]))
        return be.flops
    }

    static func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }
}
