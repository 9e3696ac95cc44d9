// Matches diffusers models/autoencoders/autoencoder_kl.py: AutoencoderKL (encode → the
// DiagonalGaussianDistribution's parameters; decode, optionally in frame chunks and spatial tiles).
import ModelIO
import Tensor

/// The posterior of `AutoencoderKL.encode`: `mean` and `logvar` (clamped to [−30, 20], as
/// diffusers' DiagonalGaussianDistribution stores it), each [N, latent, h, w], before any scaling.
public struct LatentPosterior {
    public let mean: Tensor    // [N, latent, h, w]
    public let logvar: Tensor  // [N, latent, h, w]

    /// z = mean + exp(0.5·logvar)·ε with injected ε [N, latent, h, w] (diffusers draws ε from the
    /// global torch RNG; parity injects it).
    public func sample(_ b: any Backend, noise: Tensor) -> Tensor {
        let std = b.unary(.exp, b.scale(logvar, 0.5))
        return b.add(mean, b.mul(std, noise))
    }
}

/// How `decode` bounds its memory: `chunkSize` samples (frames) at a time, and, when `tiling` is
/// set, spatial tiles for latents larger than one tile.
public struct VAEDecodeOptions: Sendable, Equatable {
    /// Frames decoded at once (diffusers' `decode_chunk_size`; results do not depend on it).
    public var chunkSize: Int
    public var tiling: VAETiling?

    public init(chunkSize: Int = 1, tiling: VAETiling? = nil) {
        self.chunkSize = chunkSize
        self.tiling = tiling
    }
}

public final class AutoencoderKL {
    public let config: AutoencoderKLConfig
    let encoder: VAEEncoder
    let decoder: VAEDecoder
    let quantConv: Conv2d?
    let postQuantConv: Conv2d?

    public convenience init(config: AutoencoderKLConfig, weights provider: any WeightProvider) throws {
        try self.init(config: config, scope: WeightScope(provider))
    }

    public init(config: AutoencoderKLConfig, scope: WeightScope) throws {
        try config.validate()
        self.config = config
        encoder = try VAEEncoder(scope["encoder"], config: config)
        decoder = try VAEDecoder(scope["decoder"], config: config)
        let l = config.latentChannels
        quantConv = config.useQuantConv ? try Conv2d(scope["quant_conv"], inChannels: 2 * l, outChannels: 2 * l, kernelSize: 1) : nil
        postQuantConv = config.usePostQuantConv ? try Conv2d(scope["post_quant_conv"], inChannels: l, outChannels: l, kernelSize: 1) : nil
    }

    /// Pixels per latent along each axis, 2^(len(block_out_channels)−1).
    public var scaleFactor: Int { config.scaleFactor }

    /// sample: [N, in, H, W] in [−1, 1] (H, W multiples of the scale factor) → posterior parameters.
    public func encode(_ b: any Backend, _ sample: Tensor) throws -> LatentPosterior {
        let f = scaleFactor
        guard sample.rank == 4, sample.shape[0] > 0, sample.shape[1] == config.inChannels,
              sample.shape[2] > 0, sample.shape[3] > 0, sample.shape[2] % f == 0, sample.shape[3] % f == 0 else {
            throw EncoderInputError.invalid(
                input: "sample",
                reason: "shape \(sample.shape) is not [N, \(config.inChannels), H, W] with H, W positive multiples of \(f)")
        }
        var moments = encoder(b, sample)                        // [N, 2·latent, h, w]
        if let q = quantConv { moments = q(b, moments) }
        let l = config.latentChannels
        let mean = b.slice(moments, axis: 1, range: 0..<l)      // [N, latent, h, w]
        let logvar = b.clamp(b.slice(moments, axis: 1, range: l..<(2 * l)), min: -30, max: 20)
        return LatentPosterior(mean: mean, logvar: logvar)
    }

    /// latents: [N, latent, h, w], unscaled (already divided by the scaling factor) → [N, out, h·f, w·f].
    public func decode(_ b: any Backend, _ latents: Tensor, options: VAEDecodeOptions = .init()) throws -> Tensor {
        guard latents.rank == 4, latents.shape[0] > 0, latents.shape[1] == config.latentChannels,
              latents.shape[2] > 0, latents.shape[3] > 0 else {
            throw EncoderInputError.invalid(input: "latents", reason: "shape \(latents.shape) is not [N, \(config.latentChannels), h, w]")
        }
        guard options.chunkSize > 0 else {
            throw EncoderInputError.invalid(input: "decode chunk size", reason: "\(options.chunkSize) (must be ≥ 1)")
        }
        if let t = options.tiling { try t.validate(scaleFactor: scaleFactor) }
        let n = latents.shape[0]
        var outputs: [Tensor] = []
        var start = 0
        while start < n {
            let end = min(start + options.chunkSize, n)
            let chunk = (start == 0 && end == n) ? latents : b.slice(latents, axis: 0, range: start..<end)
            outputs.append(decodeChunk(b, chunk, tiling: options.tiling))
            start = end
        }
        return outputs.count == 1 ? outputs[0] : b.concat(outputs, axis: 0)
    }

    /// The untiled decode of one chunk: post_quant_conv → decoder.
    func decodeTile(_ b: any Backend, _ z: Tensor) -> Tensor {
        var h = z
        if let p = postQuantConv { h = p(b, h) }
        return decoder(b, h)
    }

    private func decodeChunk(_ b: any Backend, _ z: Tensor, tiling: VAETiling?) -> Tensor {
        if let t = tiling, t.applies(toLatentHeight: z.shape[2], width: z.shape[3], scaleFactor: scaleFactor) {
            return t.decode(b, z, scaleFactor: scaleFactor) { decodeTile(b, $0) }
        }
        return decodeTile(b, z)
    }
}
