// Matches diffusers src/diffusers/models/unets/unet_i2vgen_xl.py: I2VGenXLUNet
import ModelIO
import Tensor

/// The I2VGen-XL denoiser: a 3-D UNet conditioned on the timestep, the target fps, CLIP text
/// tokens, the CLIP image embedding and the VAE latents of the input image.
///
/// Layers carry the checkpoint's key names (`down_blocks.1.attentions.0.proj_in.weight`, ...);
/// weights stay in the provider's storage dtype (fp16 files stay fp16 in memory) and the backend
/// widens them per op. `N = Bc·F` below is the batch-major flattening of batch and frames.
public final class I2VGenXLUNet {
    public let config: I2VGenXLUNetConfig
    public var options: UNetOptions

    let convIn: Conv2d               // [C0, 2·in, 3, 3]
    let transformerIn: TransformerTemporalModel
    let imageLatentPath: ImageLatentPath
    let timeEmbedding: EmbeddingMLP          // time_embedding.linear_{1,2}
    let fpsEmbedding: EmbeddingMLP           // fps_embedding.{0,2}
    let contextEmbedding: EmbeddingMLP       // context_embedding.{0,2}
    let downBlocks: [DownBlock3D]
    let midBlock: MidBlock3D
    let upBlocks: [UpBlock3D]
    let convNormOut: GroupNorm
    let convOut: Conv2d               // [out, C0, 3, 3]

    /// Binds every UNet tensor from `weights` (keys as in `unet/diffusion_pytorch_model.safetensors`).
    public init(config: I2VGenXLUNetConfig, weights: WeightScope, options: UNetOptions = UNetOptions()) throws {
        try config.validate()
        self.config = config
        self.options = options
        let c = config
        let s = weights
        let c0 = c.blockOutChannels[0]
        let temb = c.timeEmbedDim

        convIn = try Conv2d(s["conv_in"], inChannels: 2 * c.inChannels, outChannels: c0, kernelSize: 3, padding: .same(1))
        // transformer_in: 8 heads of attention_head_dim on a (8·head_dim)-wide projection.
        transformerIn = try TransformerTemporalModel(s["transformer_in"], channels: c0, heads: 8, headDim: c.attentionHeadDim, groups: c.normNumGroups)
        imageLatentPath = try ImageLatentPath(s, inChannels: c.inChannels, crossAttentionDim: c.crossAttentionDim)
        timeEmbedding = try EmbeddingMLP(s["time_embedding"], firstKey: "linear_1", secondKey: "linear_2", in: c0, hidden: temb, out: temb)
        fpsEmbedding = try EmbeddingMLP(s["fps_embedding"], firstKey: "0", secondKey: "2", in: c0, hidden: temb, out: temb)
        contextEmbedding = try EmbeddingMLP(s["context_embedding"], firstKey: "0", secondKey: "2",
                                            in: c.crossAttentionDim, hidden: temb, out: c.crossAttentionDim * c.inChannels)

        var down: [DownBlock3D] = []
        var outCh = c0
        for (i, type) in c.downBlockTypes.enumerated() {
            let inCh = outCh
            outCh = c.blockOutChannels[i]
            down.append(try DownBlock3D(s["down_blocks.\(i)"], inChannels: inCh, outChannels: outCh,
                                        crossAttention: type == "CrossAttnDownBlock3D",
                                        addDownsample: i != c.blockOutChannels.count - 1, config: c))
        }
        downBlocks = down
        midBlock = try MidBlock3D(s["mid_block"], channels: c.blockOutChannels[c.blockOutChannels.count - 1], config: c)

        let rev = Array(c.blockOutChannels.reversed())
        var up: [UpBlock3D] = []
        var prevOut = rev[0]
        for (i, type) in c.upBlockTypes.enumerated() {
            let out = rev[i]
            let skipIn = rev[min(i + 1, rev.count - 1)]
            up.append(try UpBlock3D(s["up_blocks.\(i)"], prevOutputChannels: prevOut, outChannels: out, skipInChannels: skipIn,
                                    crossAttention: type == "CrossAttnUpBlock3D", addUpsample: i != rev.count - 1, config: c))
            prevOut = out
        }
        upBlocks = up
        convNormOut = try GroupNorm(s["conv_norm_out"], groups: c.normNumGroups, channels: c0, eps: 1e-5)
        convOut = try Conv2d(s["conv_out"], inChannels: c0, outChannels: c.outChannels, kernelSize: 3, padding: .same(1))
    }

    /// The inputs of a denoising run that do not change between steps, turned into what the
    /// UNet consumes. Computing them once per run instead of once per step changes no number.
    public struct Conditioning {
        /// [Bc, 77 + 64 + in_channels, D]: text tokens | image-latent tokens | image-embedding tokens.
        public let context: Tensor
        /// [Bc, F, in_channels, h, w]: `image_latents_proj_in` + temporal encoder output.
        public let imageLatents: Tensor
        /// [Bc, temb]: fps_embedding(sinusoid(fps)).
        public let fpsEmbedding: Tensor
        public var batch: Int { context.shape[0] }
        public var frames: Int { imageLatents.shape[1] }
        public var height: Int { imageLatents.shape[3] }
        public var width: Int { imageLatents.shape[4] }
    }

    /// Optional observer of named intermediate tensors (for bisecting parity mismatches):
    /// `context`, `image_latents`, `emb`, `conv_in`, `transformer_in`, `down_blocks.i`,
    /// `mid_block`, `up_blocks.i`, `conv_out`.
    public typealias Inspector = (String, Tensor) -> Void

    /// - Parameters:
    ///   - fps: one value per batch row.
    ///   - encoderHiddenStates: [Bc, Lt, D] CLIP text tokens.
    ///   - imageLatents: [Bc, in_channels, F, h, w] (frame 0 the VAE latent, then the position mask).
    ///   - imageEmbeddings: [Bc, 1, D] projected CLIP image embeddings (zeros for the uncond half).
    public func conditioning(_ be: any Backend, fps: [Int], encoderHiddenStates: Tensor, imageLatents: Tensor,
                             imageEmbeddings: Tensor, inspect: Inspector? = nil) throws -> Conditioning {
        let c = config
        guard imageLatents.rank == 5, imageLatents.shape[1] == c.inChannels, imageLatents.shape[2] >= 1,
              imageLatents.shape[3] >= 1, imageLatents.shape[4] >= 1 else {
            throw UNetError.invalidInput(name: "image_latents", reason: "expected [B, \(c.inChannels), F, h, w], got \(imageLatents.shape)")
        }
        let b = imageLatents.shape[0]
        guard encoderHiddenStates.rank == 3, encoderHiddenStates.shape[0] == b, encoderHiddenStates.shape[2] == c.crossAttentionDim else {
            throw UNetError.invalidInput(name: "encoder_hidden_states", reason: "expected [\(b), L, \(c.crossAttentionDim)], got \(encoderHiddenStates.shape)")
        }
        guard imageEmbeddings.rank == 3, imageEmbeddings.shape == [b, 1, c.crossAttentionDim] else {
            throw UNetError.invalidInput(name: "image_embeddings", reason: "expected [\(b), 1, \(c.crossAttentionDim)], got \(imageEmbeddings.shape)")
        }
        guard fps.count == b else {
            throw UNetError.invalidInput(name: "fps", reason: "expected \(b) values, got \(fps.count)")
        }
        let c0 = c.blockOutChannels[0]
        let fpsSin = be.tensor(SinusoidalEmbedding.values(fps.map(Double.init), dim: c0), shape: [b, c0])  // [Bc, C0]
        let fpsEmb = fpsEmbedding(be, fpsSin)                                                              // [Bc, temb]

        let latentTokens = imageLatentPath.contextTokens(be, imageLatents)                      // [Bc, 64, D]
        let embTokens = contextEmbedding(be, imageEmbeddings).reshaped([b, c.inChannels, c.crossAttentionDim])  // [Bc, in, D]
        let context = be.concat([be.toFloat32(encoderHiddenStates), latentTokens, embTokens], axis: 1)  // [Bc, 145, D]
        let processed = imageLatentPath.processed(be, imageLatents)                              // [Bc, F, in, h, w]
        inspect?("context", context)
        inspect?("image_latents", processed)
        return Conditioning(context: context, imageLatents: processed, fpsEmbedding: fpsEmb)
    }

    /// One denoiser evaluation.
    /// - Parameters:
    ///   - sample: [Bc, in_channels, F, h, w] noisy latents.
    ///   - timesteps: one value per batch row.
    /// - Returns: [Bc, out_channels, F, h, w]
    public func callAsFunction(_ be: any Backend, sample: Tensor, timesteps: [Double], conditioning cond: Conditioning,
                               inspect: Inspector? = nil) throws -> Tensor {
        let c = config
        let b = cond.batch, f = cond.frames, h = cond.height, w = cond.width
        guard sample.shape == [b, c.inChannels, f, h, w] else {
            throw UNetError.invalidInput(name: "sample", reason: "expected [\(b), \(c.inChannels), \(f), \(h), \(w)], got \(sample.shape)")
        }
        guard timesteps.count == b else {
            throw UNetError.invalidInput(name: "timestep", reason: "expected \(b) values, got \(timesteps.count)")
        }
        let c0 = c.blockOutChannels[0]
        let n = b * f

        let tSin = be.tensor(SinusoidalEmbedding.values(timesteps, dim: c0), shape: [b, c0])  // [Bc, C0]
        let emb = be.add(timeEmbedding(be, tSin), cond.fpsEmbedding)                         // [Bc, temb]
        inspect?("emb", emb)
        // diffusers: emb.repeat_interleave(F) — one row per frame, batch-major.
        let tembPerFrame = be.add(be.zeros([b, f, emb.shape[1]]), emb.reshaped([b, 1, emb.shape[1]])).reshaped([n, emb.shape[1]])  // [N, temb]
        let inputs = UNetBlockInputs(temb: tembPerFrame, context: cond.context, frames: f, options: options)

        let noisy = be.permute(sample, [0, 2, 1, 3, 4])                                        // [Bc, F, in, h, w]
        var x = be.concat([noisy, cond.imageLatents], axis: 2).reshaped([n, 2 * c.inChannels, h, w])  // [N, 2·in, h, w]
        x = convIn(be, x)                                                                      // [N, C0, h, w]
        inspect?("conv_in", x)
        x = transformerIn(be, x, frames: f, options: options)
        inspect?("transformer_in", x)

        var skips: [Tensor] = [x]
        for (i, block) in downBlocks.enumerated() {
            x = block(be, x, inputs, skips: &skips)
            inspect?("down_blocks.\(i)", x)
        }
        x = midBlock(be, x, inputs)
        inspect?("mid_block", x)
        for (i, block) in upBlocks.enumerated() {
            x = block(be, x, inputs, skips: &skips)
            inspect?("up_blocks.\(i)", x)
        }
        x = convOut(be, convNormOut.silu(be, x))                                         // [N, out, h, w]
        inspect?("conv_out", x)
        return be.permute(x.reshaped([b, f, c.outChannels, h, w]), [0, 2, 1, 3, 4])          // [Bc, out, F, h, w]
    }

    /// Convenience: conditioning + one evaluation (the `i2v parity unet` call).
    public func callAsFunction(_ be: any Backend, sample: Tensor, timesteps: [Double], fps: [Int], encoderHiddenStates: Tensor,
                               imageLatents: Tensor, imageEmbeddings: Tensor, inspect: Inspector? = nil) throws -> Tensor {
        let cond = try conditioning(be, fps: fps, encoderHiddenStates: encoderHiddenStates, imageLatents: imageLatents,
                                    imageEmbeddings: imageEmbeddings, inspect: inspect)
        return try self(be, sample: sample, timesteps: timesteps, conditioning: cond, inspect: inspect)
    }
}
