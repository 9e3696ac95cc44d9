import ModelIO
import Tensor

/// The whole real `ali-vilab/i2vgen-xl` pipeline — text encoder, vision encoder, VAE, UNet and the
/// real DDIM configuration — with invented weights (`SyntheticWeights`, no files), for timing the
/// standard job end to end where the checkpoint cannot be downloaded (the GPU benchmark host).
/// Compute is exactly the real model's; only the numbers in the weights are made up, so the video
/// is noise. Prompts go through `SyntheticTokenizer` (no vocabulary files needed).
public enum SyntheticPipeline {
    public static func make(backend: any Backend, vaeBackend: (any Backend)? = nil, weightDType: DType = .float16,
                            unetOptions: UNetOptions = UNetOptions()) throws -> I2VGenXLPipeline {
        func weights(_ salt: UInt64, on b: any Backend = backend) -> SyntheticWeights {
            SyntheticWeights(backend: b, dtype: weightDType, seed: 0x9E37_79B9_7F4A_7C15 &+ salt)
        }
        return I2VGenXLPipeline(
            backend: backend,
            tokenizer: SyntheticTokenizer(),
            textEncoder: try CLIPTextModel(config: UNetBenchmark.realText, weights: weights(1)),
            imageEncoder: try CLIPVisionModelWithProjection(config: UNetBenchmark.realVision, weights: weights(2)),
            imageProcessor: CLIPImageProcessorConfig(),
            vae: try AutoencoderKL(config: UNetBenchmark.realVAE, weights: weights(3, on: vaeBackend ?? backend)),
            unet: try I2VGenXLUNet(config: .real, weights: WeightScope(weights(4)), options: unetOptions),
            schedulerConfig: realScheduler,
            vaeBackend: vaeBackend)
    }

    /// `scheduler/scheduler_config.json` of ali-vilab/i2vgen-xl (reference §6).
    public static var realScheduler: DDIMSchedulerConfig {
        var c = DDIMSchedulerConfig()
        c.betaSchedule = "squaredcos_cap_v2"
        c.rescaleBetasZeroSnr = true
        c.predictionType = "v_prediction"
        c.clipSample = false
        c.setAlphaToOne = true
        c.stepsOffset = 1
        c.timestepSpacing = "leading"
        return c
    }
}

/// CLIP-shaped token ids without a vocabulary: BOS, one id per UTF-8 byte of the prompt (inside
/// the real 49,408-token range), EOS, then EOS padding to 77 — the shape and padding the real
/// tokenizer produces, which is all the encoder's cost depends on.
public struct SyntheticTokenizer: PromptTokenizer {
    public init() {}
    public func inputIDs(for prompt: String) throws -> [Int] {
        let bos = 49406, eos = 49407, length = 77
        let body = prompt.utf8.prefix(length - 2).map { 256 + Int($0) }
        return [bos] + body + Array(repeating: eos, count: length - 1 - body.count)
    }
}
