// Matches diffusers src/diffusers/pipelines/i2vgen_xl/pipeline_i2vgen_xl.py (0.33.1): I2VGenXLPipeline.__call__
// with num_videos_per_prompt 1, eta 0, clip_skip 1, output_type "np".
import Foundation
import ModelIO
import Tensor

/// The whole image-to-video pipeline: tokenizer → CLIP text, CLIP image embedding, VAE image
/// latents → DDIM loop over the UNet with classifier-free guidance → chunked VAE decode →
/// frames in [0, 1].
///
/// Memory: weights stay in their storage dtype (memory-mapped fp16 stays fp16); the UNet's
/// attention and feed-forward run in bounded chunks; conditioning that does not change between
/// steps is computed once; decoded frames are post-processed chunk by chunk, so at most
/// `decodeChunkSize` decoded frames exist at once.
public final class I2VGenXLPipeline {
    public let backend: any Backend
    /// Where the VAE runs: `backend` unless given (on a GPU the UNet runs in fp16 and the VAE,
    /// whose config says `force_upcast` because fp16 overflows in it, in bf16). Tensors cross
    /// between the two through the host: the image latents once, each decoded chunk's latents.
    public let vaeBackend: any Backend
    public let tokenizer: any PromptTokenizer
    public let textEncoder: CLIPTextModel
    public let imageEncoder: CLIPVisionModelWithProjection
    public let imageProcessor: CLIPImageProcessorConfig
    public let vae: AutoencoderKL
    public let unet: I2VGenXLUNet
    public let schedulerConfig: DDIMSchedulerConfig

    public init(backend: any Backend, tokenizer: any PromptTokenizer, textEncoder: CLIPTextModel,
                imageEncoder: CLIPVisionModelWithProjection, imageProcessor: CLIPImageProcessorConfig,
                vae: AutoencoderKL, unet: I2VGenXLUNet, schedulerConfig: DDIMSchedulerConfig, vaeBackend: (any Backend)? = nil) {
        self.backend = backend
        self.vaeBackend = vaeBackend ?? backend
        self.tokenizer = tokenizer
        self.textEncoder = textEncoder
        self.imageEncoder = imageEncoder
        self.imageProcessor = imageProcessor
        self.vae = vae
        self.unet = unet
        self.schedulerConfig = schedulerConfig
    }

    /// Checks a request against this model before any compute.
    public func validate(_ r: I2VGenXLRequest) throws {
        let f = vae.scaleFactor
        for (name, v) in [("width", r.width), ("height", r.height)] {
            guard v > 0, v % 8 == 0, v % f == 0 else {
                throw PipelineError.invalidRequest(field: name, reason: "is \(v); it must be a positive multiple of \(max(8, f))")
            }
        }
        guard r.numFrames >= 1 else {
            throw PipelineError.invalidRequest(field: "num_frames", reason: "is \(r.numFrames); it must be at least 1")
        }
        guard r.numInferenceSteps >= 1, r.numInferenceSteps <= schedulerConfig.numTrainTimesteps else {
            throw PipelineError.invalidRequest(field: "num_inference_steps",
                                               reason: "is \(r.numInferenceSteps); it must be in 1...\(schedulerConfig.numTrainTimesteps)")
        }
        guard r.guidanceScale.isFinite else {
            throw PipelineError.invalidRequest(field: "guidance_scale", reason: "is not a finite number")
        }
        guard r.decodeChunkSize >= 1 else {
            throw PipelineError.invalidRequest(field: "decode_chunk_size", reason: "is \(r.decodeChunkSize); it must be at least 1")
        }
        guard r.targetFPS >= 0 else {
            throw PipelineError.invalidRequest(field: "target_fps", reason: "is \(r.targetFPS); it must not be negative")
        }
    }

    /// Latent shape [1, 4, F, h, w] of a request.
    public func latentShape(_ r: I2VGenXLRequest) -> [Int] {
        [1, unet.config.inChannels, r.numFrames, r.height / vae.scaleFactor, r.width / vae.scaleFactor]
    }

    /// Runs the pipeline. `progress` is called after every denoising step and decoded chunk;
    /// `cancellation` is checked before every step and chunk (throws `PipelineError.cancelled`).
    public func generate(_ r: I2VGenXLRequest, noise: I2VGenXLNoise, cancellation: CancellationToken? = nil,
                         progress: ((PipelineProgress) -> Void)? = nil) throws -> I2VGenXLOutput {
        try validate(r)
        let be = backend
        let shape = latentShape(r)
        let (h, w, f) = (shape[3], shape[4], shape[2])
        let latentChannels = vae.config.latentChannels
        let (initialLatents, epsilon) = try drawNoise(noise, latentShape: shape, epsilonShape: [1, latentChannels, h, w])
        var clock = ProgressClock()
        let cfg = r.usesGuidance

        // 1. Text: [uncond, cond] under CFG. [Bc, 77, D]
        var ids = [try tokenizer.inputIDs(for: r.prompt)]
        if cfg { ids.insert(try tokenizer.inputIDs(for: r.negativePrompt), at: 0) }
        let promptEmbeds = try textEncoder.encode(be, ids: ids)

        // 2. Image: CLIP embedding (zeros for the uncond half) and VAE latents with the frame mask.
        let pre = try ImagePreprocessor.preprocess(r.image, width: r.width, height: r.height, config: imageProcessor)
        let imageEmbeds = try imageEncoder.imageEmbeds(be, pixelValues: pre.clipTensor(be))  // [1, P]
        let p = imageEmbeds.shape[1]
        var imageEmbeddings = imageEmbeds.reshaped([1, 1, p])                                  // [1, 1, P]
        if cfg { imageEmbeddings = be.concat([be.zeros([1, 1, p]), imageEmbeddings], axis: 0) }  // [2, 1, P]
        let vb = vaeBackend
        let posterior = try vae.encode(vb, pre.vaeTensor(vb))
        let z = LatentPosterior(mean: Self.move(posterior.mean, from: vb, to: be),
                                logvar: Self.move(posterior.logvar, from: vb, to: be)).sample(be, noise: epsilon)  // [1, 4, h, w]
        var imageLatents = PipelineMath.imageLatents(be, z: z, scalingFactor: vae.config.scalingFactor, frames: f)
        if cfg { imageLatents = be.concat([imageLatents, imageLatents], axis: 0) }             // [Bc, 4, F, h, w]
        let batch = cfg ? 2 : 1
        let conditioning = try unet.conditioning(be, fps: Array(repeating: r.targetFPS, count: batch),
                                                 encoderHiddenStates: promptEmbeds, imageLatents: imageLatents,
                                                 imageEmbeddings: imageEmbeddings)

        // 3. Denoising. The VAE's encode activations are not needed again before the decode.
        if vb !== be { vb.releaseCachedMemory() }
        let scheduler = try DDIMScheduler(config: schedulerConfig)
        try scheduler.setTimesteps(r.numInferenceSteps)
        var latents = be.scale(initialLatents, scheduler.initNoiseSigma)                       // [1, 4, F, h, w]
        let steps = scheduler.timesteps
        clock.beginStage()
        for (i, t) in steps.enumerated() {
            if cancellation?.isCancelled == true { throw PipelineError.cancelled(stage: "denoising step \(i + 1)/\(steps.count)") }
            let input = cfg ? be.concat([latents, latents], axis: 0) : latents                  // [Bc, 4, F, h, w]
            let out = try unet(be, sample: input, timesteps: Array(repeating: Double(t), count: batch), conditioning: conditioning)
            let pred: Tensor
            if cfg {
                let u = be.slice(out, axis: 0, range: 0..<1), c = be.slice(out, axis: 0, range: 1..<2)
                pred = PipelineMath.guided(be, uncond: u, cond: c, scale: r.guidanceScale)
            } else {
                pred = out
            }
            // The DDIM step (eta 0) is element-wise, so diffusers' reshape to [B·F, 4, h, w] around it
            // changes nothing.
            latents = try scheduler.step(be, modelOutput: pred, timestep: t, sample: latents)
            progress?(clock.event(.denoising, done: i + 1, total: steps.count))
        }

        // 4. Decode in chunks and post-process each chunk at once; the UNet's cached activations go
        // back first (on a GPU they would otherwise sit beside the decoder's), and the decoder's after.
        be.releaseCachedMemory()
        let frames = try decode(latents, request: r, clock: &clock, cancellation: cancellation, progress: progress)
        vb.releaseCachedMemory()
        return I2VGenXLOutput(width: r.width, height: r.height, numFrames: f, frames: frames,
                              latents: be.toHost(latents), latentShape: shape)
    }

    /// latents [1, 4, F, h, w] (scaled) → frames [F, H, W, 3] in [0, 1].
    func decode(_ latents: Tensor, request r: I2VGenXLRequest, clock: inout ProgressClock, cancellation: CancellationToken?,
                progress: ((PipelineProgress) -> Void)?) throws -> [Float] {
        let be = backend, vb = vaeBackend
        let z = PipelineMath.unscaledFrames(be, latents: latents, scalingFactor: vae.config.scalingFactor)  // [F, 4, h, w]
        let f = z.shape[0]
        let frameFloats = r.width * r.height * 3
        var frames = [Float](repeating: 0, count: f * frameFloats)
        let chunks = (f + r.decodeChunkSize - 1) / r.decodeChunkSize
        clock.beginStage()
        var start = 0, chunk = 0
        while start < f {
            if cancellation?.isCancelled == true { throw PipelineError.cancelled(stage: "decoding frame \(start + 1)/\(f)") }
            let end = min(f, start + r.decodeChunkSize)
            let part = Self.move(be.slice(z, axis: 0, range: start..<end), from: be, to: vb)    // [n, 4, h, w]
            let decoded = try vae.decode(vb, part, options: VAEDecodeOptions(chunkSize: end - start, tiling: r.vaeTiling))
            let rgb = vb.toHost(PipelineMath.postprocess(vb, decoded: decoded))                  // [n, H, W, 3]
            frames.replaceSubrange((start * frameFloats)..<(end * frameFloats), with: rgb)
            start = end
            chunk += 1
            progress?(clock.event(.decoding, done: chunk, total: chunks))
        }
        return frames
    }

    func drawNoise(_ noise: I2VGenXLNoise, latentShape: [Int], epsilonShape: [Int]) throws -> (latents: Tensor, epsilon: Tensor) {
        let be = backend
        switch noise {
        case .seed(let seed):
            var g = TorchCPUGenerator(seed: seed)
            let eps = g.randn(shape: epsilonShape)
            let lat = g.randn(shape: latentShape)
            return (be.tensor(lat, shape: latentShape), be.tensor(eps, shape: epsilonShape))
        case .injected(let lat, let eps):
            guard lat.count == latentShape.reduce(1, *) else {
                throw PipelineError.invalidNoise(name: "latents", reason: "has \(lat.count) values, expected shape \(latentShape)")
            }
            guard eps.count == epsilonShape.reduce(1, *) else {
                throw PipelineError.invalidNoise(name: "image_latents_noise", reason: "has \(eps.count) values, expected shape \(epsilonShape)")
            }
            return (be.tensor(lat, shape: latentShape), be.tensor(eps, shape: epsilonShape))
        }
    }

    /// `x` on backend `to` (itself when both are the same backend).
    static func move(_ x: Tensor, from: any Backend, to: any Backend) -> Tensor {
        from === to ? x : to.tensor(from.toHost(x), shape: x.shape)
    }
}
