import ModelIO
import Tensor

/// `vae-encode`: sample [N, 3, H, W] in [−1, 1] → mean, logvar [N, 4, H/f, W/f] (the posterior's
/// parameters, logvar clamped to [−30, 20] as diffusers stores it; no scaling).
public struct VAEEncodeParity: ParityComponent {
    public init() {}
    public var name: String { "vae-encode" }
    public var summary: String { "sample [N,3,H,W] → mean, logvar [N,4,H/f,W/f]" }

    public func run(_ ctx: ParityContext) throws -> ParityOutputs {
        let vae = try AutoencoderKL.load(from: ctx.model, backend: ctx.backend)
        let c = vae.config.inChannels
        let sample = try ctx.inputs.floatTensor("sample", pattern: [nil, c, nil, nil], expected: "float32 [N, \(c), H, W]", on: ctx.backend)
        let posterior = try vae.encode(ctx.backend, sample)
        var out = ParityOutputs()
        try out.add("mean", posterior.mean, on: ctx.backend)
        try out.add("logvar", posterior.logvar, on: ctx.backend)
        return out
    }
}

/// `vae-decode`: latents [N, 4, h, w] (unscaled) → sample [N, 3, h·f, w·f], decoded one frame
/// at a time as the pipeline does (decode_chunk_size 1).
public struct VAEDecodeParity: ParityComponent {
    public init() {}
    public var name: String { "vae-decode" }
    public var summary: String { "latents [N,4,h,w] → sample [N,3,H,W]" }

    public func run(_ ctx: ParityContext) throws -> ParityOutputs {
        let vae = try AutoencoderKL.load(from: ctx.model, backend: ctx.backend)
        let l = vae.config.latentChannels
        let latents = try ctx.inputs.floatTensor("latents", pattern: [nil, l, nil, nil], expected: "float32 [N, \(l), h, w]", on: ctx.backend)
        var out = ParityOutputs()
        try out.add("sample", vae.decode(ctx.backend, latents, options: .init(chunkSize: 1)), on: ctx.backend)
        return out
    }
}
