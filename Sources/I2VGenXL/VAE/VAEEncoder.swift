// Matches diffusers models/autoencoders/vae.py: Encoder (double_z) with
// models/unets/unet_2d_blocks.py: DownEncoderBlock2D.
import ModelIO
import Tensor

/// One `DownEncoderBlock2D`: `layers` resnets, then (except the last block) a stride-2 conv after
/// the asymmetric (0,1,0,1) zero pad.
struct DownEncoderBlock2D {
    let resnets: [ResnetBlock2D]
    let downsampler: Downsample2D?

    init(_ scope: WeightScope, inChannels: Int, outChannels: Int, layers: Int, options: ResnetBlock2D.Options, addDownsample: Bool) throws {
        var rs: [ResnetBlock2D] = []
        for i in 0..<layers {
            rs.append(try ResnetBlock2D(scope["resnets"]["\(i)"], inChannels: i == 0 ? inChannels : outChannels,
                                        outChannels: outChannels, options: options))
        }
        resnets = rs
        downsampler = addDownsample ? try Downsample2D(scope["downsamplers"]["0"], channels: outChannels, padding: 0) : nil
    }

    func callAsFunction(_ b: any Backend, _ x: Tensor) -> Tensor {
        var h = x
        for r in resnets { h = r(b, h) }
        if let d = downsampler { h = d(b, h) }
        return h
    }
}

/// conv_in → down blocks → mid block → conv_norm_out → act → conv_out (2·latent channels).
/// Keys under `encoder.`.
struct VAEEncoder {
    let convIn: Conv2d
    let downBlocks: [DownEncoderBlock2D]
    let midBlock: VAEMidBlock
    let convNormOut: GroupNorm
    let activation: Activation
    let convOut: Conv2d

    static let eps: Float = 1e-6

    init(_ scope: WeightScope, config c: AutoencoderKLConfig) throws {
        let act = try Activation(configName: c.actFn, field: "act_fn")
        activation = act
        let chans = c.blockOutChannels
        convIn = try Conv2d(scope["conv_in"], inChannels: c.inChannels, outChannels: chans[0], kernelSize: 3, padding: .same(1))
        let opts = ResnetBlock2D.Options(groups: c.normNumGroups, eps: Self.eps, activation: act)
        var blocks: [DownEncoderBlock2D] = []
        var outCh = chans[0]
        for i in 0..<chans.count {
            let inCh = outCh
            outCh = chans[i]
            blocks.append(try DownEncoderBlock2D(scope["down_blocks"]["\(i)"], inChannels: inCh, outChannels: outCh,
                                                 layers: c.layersPerBlock, options: opts, addDownsample: i != chans.count - 1))
        }
        downBlocks = blocks
        let last = chans[chans.count - 1]
        midBlock = try VAEMidBlock(scope["mid_block"], channels: last, groups: c.normNumGroups, eps: Self.eps,
                                   activation: act, addAttention: c.midBlockAddAttention)
        convNormOut = try GroupNorm(scope["conv_norm_out"], groups: c.normNumGroups, channels: last, eps: Self.eps)
        convOut = try Conv2d(scope["conv_out"], inChannels: last, outChannels: 2 * c.latentChannels, kernelSize: 3, padding: .same(1))
    }

    /// x: [N, Cin, H, W] → moments before quant_conv [N, 2·latent, H/f, W/f]
    func callAsFunction(_ b: any Backend, _ x: Tensor) -> Tensor {
        var h = convIn(b, x)
        for block in downBlocks { h = block(b, h) }
        h = midBlock(b, h)
        h = convNormOut.activated(b, h, activation)
        return convOut(b, h)
    }
}
