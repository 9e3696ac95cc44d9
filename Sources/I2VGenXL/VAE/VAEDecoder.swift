// Matches diffusers models/autoencoders/vae.py: Decoder (norm_type "group") with
// models/unets/unet_2d_blocks.py: UpDecoderBlock2D.
import ModelIO
import Tensor

/// One `UpDecoderBlock2D`: `layers` resnets, then (except the last block) nearest ×2 + 3×3 conv.
struct UpDecoderBlock2D {
    let resnets: [ResnetBlock2D]
    let upsampler: Upsample2D?

    init(_ scope: WeightScope, inChannels: Int, outChannels: Int, layers: Int, options: ResnetBlock2D.Options, addUpsample: Bool) throws {
        var rs: [ResnetBlock2D] = []
        for i in 0..<layers {
            rs.append(try ResnetBlock2D(scope["resnets"]["\(i)"], inChannels: i == 0 ? inChannels : outChannels,
                                        outChannels: outChannels, options: options))
        }
        resnets = rs
        upsampler = addUpsample ? try Upsample2D(scope["upsamplers"]["0"], channels: outChannels) : nil
    }

    func callAsFunction(_ b: any Backend, _ x: Tensor) -> Tensor {
        var h = x
        for r in resnets { h = r(b, h) }
        if let u = upsampler { h = u(b, h) }
        return h
    }
}

/// conv_in → mid block → up blocks (reversed channels, layers_per_block + 1 resnets each) →
/// conv_norm_out → act → conv_out. Keys under `decoder.`.
struct VAEDecoder {
    let convIn: Conv2d
    let midBlock: VAEMidBlock
    let upBlocks: [UpDecoderBlock2D]
    let convNormOut: GroupNorm
    let activation: Activation
    let convOut: Conv2d

    static let eps: Float = 1e-6

    init(_ scope: WeightScope, config c: AutoencoderKLConfig) throws {
        let act = try Activation(configName: c.actFn, field: "act_fn")
        activation = act
        let rev = Array(c.blockOutChannels.reversed())
        convIn = try Conv2d(scope["conv_in"], inChannels: c.latentChannels, outChannels: rev[0], kernelSize: 3, padding: .same(1))
        midBlock = try VAEMidBlock(scope["mid_block"], channels: rev[0], groups: c.normNumGroups, eps: Self.eps,
                                   activation: act, addAttention: c.midBlockAddAttention)
        let opts = ResnetBlock2D.Options(groups: c.normNumGroups, eps: Self.eps, activation: act)
        var blocks: [UpDecoderBlock2D] = []
        var outCh = rev[0]
        for i in 0..<rev.count {
            let inCh = outCh
            outCh = rev[i]
            blocks.append(try UpDecoderBlock2D(scope["up_blocks"]["\(i)"], inChannels: inCh, outChannels: outCh,
                                               layers: c.layersPerBlock + 1, options: opts, addUpsample: i != rev.count - 1))
        }
        upBlocks = blocks
        let last = rev[rev.count - 1]
        convNormOut = try GroupNorm(scope["conv_norm_out"], groups: c.normNumGroups, channels: last, eps: Self.eps)
        convOut = try Conv2d(scope["conv_out"], inChannels: last, outChannels: c.outChannels, kernelSize: 3, padding: .same(1))
    }

    /// z: [N, latent, h, w] (after post_quant_conv) → [N, Cout, h·f, w·f]
    func callAsFunction(_ b: any Backend, _ z: Tensor) -> Tensor {
        var h = convIn(b, z)
        h = midBlock(b, h)
        for block in upBlocks { h = block(b, h) }
        h = convNormOut.activated(b, h, activation)
        return convOut(b, h)
    }
}
