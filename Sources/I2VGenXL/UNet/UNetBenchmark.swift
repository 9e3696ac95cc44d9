import Foundation
import ModelIO
import Tensor

/// `i2v bench unet`: one classifier-free-guidance step (a UNet call on a batch of 2) of the REAL
/// `ali-vilab/i2vgen-xl` architecture with invented weights (`SyntheticWeights`, no files), timed
/// on a backend, with the peak resident memory; and a projection of the standard job from the
/// exact FLOP counts of every stage (`ShapeOnlyBackend`), assuming the measured UNet throughput.
public enum UNetBenchmark {
    public struct Shape: Sendable, Equatable {
        public var height: Int, width: Int, frames: Int
        public init(height: Int, width: Int, frames: Int) { self.height = height; self.width = width; self.frames = frames }
        /// Latent size for the real VAE (factor 8).
        public var latentHeight: Int { height / 8 }
        public var latentWidth: Int { width / 8 }
    }

    public struct Result: Sendable {
        public let shape: Shape
        public let weightDType: DType
        public let threads: String
        /// Seconds to invent and hold the 1.42 B weights.
        public let weightSeconds: Double
        /// Seconds of the once-per-run conditioning (context tokens, image-latent path, fps embedding).
        public let conditioningSeconds: Double
        /// Seconds of each timed CFG step (UNet on batch 2 + guidance).
        public let stepSeconds: [Double]
        public let peakRSSBytes: Int?
        /// FLOPs of one CFG step at `shape`.
        public let stepFLOPs: Double
        public var medianStepSeconds: Double {
            let s = stepSeconds.sorted()
            return s.isEmpty ? 0 : s[s.count / 2]
        }
        public var gflopsPerSecond: Double { stepFLOPs / max(medianStepSeconds, 1e-9) / 1e9 }
    }

    /// The FLOPs of a pipeline run's stages at `shape` with `steps` denoising steps under CFG.
    public struct Projection: Sendable {
        public let shape: Shape
        public let steps: Int
        public let unetStepFLOPs: Double
        public let textEncoderFLOPs: Double
        public let imageEncoderFLOPs: Double
        public let vaeEncodeFLOPs: Double
        public let vaeDecodeFLOPs: Double
        public var totalFLOPs: Double {
            Double(steps) * unetStepFLOPs + textEncoderFLOPs + imageEncoderFLOPs + vaeEncodeFLOPs + vaeDecodeFLOPs
        }
        /// Seconds at `gflops` GFLOP/s.
        public func seconds(atGFLOPs gflops: Double) -> (unet: Double, total: Double) {
            (Double(steps) * unetStepFLOPs / (gflops * 1e9), totalFLOPs / (gflops * 1e9))
        }
    }

    /// Runs `repeats` timed CFG steps of the real UNet at `shape`.
    public static func run(backend be: any Backend, shape: Shape, weightDType: DType = .float16, repeats: Int = 1,
                           timestep: Int = 981, log: (String) -> Void = { _ in },
                           options: UNetOptions = UNetOptions(),
                           untimedStep: ((_ step: () throws -> Void) throws -> Void)? = nil) throws -> Result {
        let config = I2VGenXLUNetConfig.real
        let (h, w, f) = (shape.latentHeight, shape.latentWidth, shape.frames)
        log("inventing \(weightDType.rawValue) weights for the real UNet (1,420,469,224 parameters)…")
        let t0 = now()
        let weights = SyntheticWeights(backend: be, dtype: weightDType)
        let unet = try I2VGenXLUNet(config: config, weights: WeightScope(weights), options: options)
        let weightSeconds = now() - t0

        var g = TorchCPUGenerator(seed: 0)
        func randn(_ s: [Int]) -> Tensor { be.tensor(g.randn(shape: s), shape: s) }
        let d = config.crossAttentionDim
        let text = randn([2, 77, d])
        let image = randn([1, 1, d])
        let imageEmbeddings = be.concat([be.zeros([1, 1, d]), image], axis: 0)
        let z = randn([1, 4, h, w])
        let latents1 = PipelineMath.imageLatents(be, z: z, scalingFactor: 0.18125, frames: f)
        let imageLatents = be.concat([latents1, latents1], axis: 0)
        let latents = randn([1, 4, f, h, w])

        log("conditioning (once per run)…")
        let t1 = now()
        let cond = try unet.conditioning(be, fps: [16, 16], encoderHiddenStates: text, imageLatents: imageLatents,
                                         imageEmbeddings: imageEmbeddings)
        let conditioningSeconds = now() - t1

        var times: [Double] = []
        for i in 0..<max(1, repeats) {
            log("CFG step \(i + 1)/\(max(1, repeats))…")
            let t = now()
            let out = try unet(be, sample: be.concat([latents, latents], axis: 0), timesteps: [Double(timestep), Double(timestep)],
                               conditioning: cond)
            let u = be.slice(out, axis: 0, range: 0..<1), c = be.slice(out, axis: 0, range: 1..<2)
            _ = be.toHost(PipelineMath.guided(be, uncond: u, cond: c, scale: 9))
            times.append(now() - t)
            log(String(format: "  %.2f s", times.last ?? 0))
        }
        // One more step, untimed, handed to the caller (a GPU profiler wraps it).
        try untimedStep? {
            let out = try unet(be, sample: be.concat([latents, latents], axis: 0), timesteps: [Double(timestep), Double(timestep)],
                               conditioning: cond)
            _ = be.toHost(be.slice(out, axis: 0, range: 0..<1))
        }
        return Result(shape: shape, weightDType: weightDType, threads: be.name, weightSeconds: weightSeconds,
                      conditioningSeconds: conditioningSeconds, stepSeconds: times,
                      peakRSSBytes: MemoryStats.peakResidentBytes(),
                      stepFLOPs: try unetStepFLOPs(shape: shape))
    }

    /// FLOPs of one CFG UNet call (batch 2, conditioning included) of the real config at `shape`.
    public static func unetStepFLOPs(shape: Shape) throws -> Double {
        let be = ShapeOnlyBackend()
        let unet = try I2VGenXLUNet(config: .real, weights: WeightScope(SyntheticWeights(backend: be, shapesOnly: true)))
        let (h, w, f) = (shape.latentHeight, shape.latentWidth, shape.frames)
        let d = I2VGenXLUNetConfig.real.crossAttentionDim
        _ = try unet(be, sample: be.zeros([2, 4, f, h, w]), timesteps: [981, 981], fps: [16, 16],
                     encoderHiddenStates: be.zeros([2, 77, d]), imageLatents: be.zeros([2, 4, f, h, w]),
                     imageEmbeddings: be.zeros([2, 1, d]))
        return be.flops
    }

    /// The real configs of the other components (`ali-vilab/i2vgen-xl`, reference §3–5).
    static var realVAE: AutoencoderKLConfig {
        var c = AutoencoderKLConfig()
        c.blockOutChannels = [128, 256, 512, 512]
        c.downBlockTypes = Array(repeating: "DownEncoderBlock2D", count: 4)
        c.upBlockTypes = Array(repeating: "UpDecoderBlock2D", count: 4)
        c.layersPerBlock = 2
        c.scalingFactor = 0.18125
        return c
    }

    static var realText: CLIPTextConfig {
        var c = CLIPTextConfig()
        c.hiddenSize = 1024; c.intermediateSize = 4096; c.numHiddenLayers = 24; c.numAttentionHeads = 16
        c.projectionDim = 1024; c.hiddenAct = "gelu"
        return c
    }

    static var realVision: CLIPVisionConfig {
        var c = CLIPVisionConfig()
        c.hiddenSize = 1280; c.intermediateSize = 5120; c.numHiddenLayers = 32; c.numAttentionHeads = 16
        c.patchSize = 14; c.projectionDim = 1024; c.hiddenAct = "gelu"
        return c
    }

    /// FLOPs of every stage of a real pipeline run at `shape` (CFG, `steps` steps, decode per frame).
    public static func projection(shape: Shape, steps: Int) throws -> Projection {
        let be = ShapeOnlyBackend()
        func fresh() -> SyntheticWeights { SyntheticWeights(backend: be, shapesOnly: true) }

        let text = try CLIPTextModel(config: realText, weights: fresh())
        be.reset()
        _ = try text.encode(be, ids: [Array(repeating: 0, count: 77), Array(repeating: 0, count: 77)])
        let textFLOPs = be.flops

        let vision = try CLIPVisionModelWithProjection(config: realVision, weights: fresh())
        be.reset()
        _ = try vision.imageEmbeds(be, pixelValues: be.zeros([1, 3, 224, 224]))
        let visionFLOPs = be.flops

        let vae = try AutoencoderKL(config: realVAE, weights: fresh())
        be.reset()
        _ = try vae.encode(be, be.zeros([1, 3, shape.height, shape.width]))
        let encodeFLOPs = be.flops
        be.reset()
        _ = try vae.decode(be, be.zeros([shape.frames, 4, shape.latentHeight, shape.latentWidth]), options: .init(chunkSize: 1))
        let decodeFLOPs = be.flops

        return Projection(shape: shape, steps: steps, unetStepFLOPs: try unetStepFLOPs(shape: shape),
                          textEncoderFLOPs: textFLOPs, imageEncoderFLOPs: visionFLOPs,
                          vaeEncodeFLOPs: encodeFLOPs, vaeDecodeFLOPs: decodeFLOPs)
    }

    static func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }
}
