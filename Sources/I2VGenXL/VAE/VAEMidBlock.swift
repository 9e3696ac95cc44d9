// Matches diffusers models/unets/unet_2d_blocks.py: UNetMidBlock2D as the VAE builds it
// (temb None, resnet_time_scale_shift "default", one single-head attention, output_scale_factor 1).
import ModelIO
import Tensor

/// resnets.0 → attentions.0 (GroupNorm first, one head over all channels, biases on q/k/v/out,
/// residual) → resnets.1. Tokens are the pixels of one sample.
struct VAEMidBlock {
    let resnets: [ResnetBlock2D]
    let attention: Attention?

    init(_ scope: WeightScope, channels: Int, groups: Int, eps: Float, activation: Activation, addAttention: Bool) throws {
        let opts = ResnetBlock2D.Options(groups: groups, eps: eps, activation: activation)
        let r0 = try ResnetBlock2D(scope["resnets"]["0"], inChannels: channels, outChannels: channels, options: opts)
        if addAttention {
            attention = try Attention(
                scope["attentions"]["0"], queryDim: channels,
                options: .init(heads: 1, dimHead: channels, qkvBias: true, outBias: true,
                               groupNorm: (groups, eps), residualConnection: true))
        } else {
            attention = nil
        }
        let r1 = try ResnetBlock2D(scope["resnets"]["1"], inChannels: channels, outChannels: channels, options: opts)
        resnets = [r0, r1]
    }

    /// x: [N, C, H, W] → [N, C, H, W]
    func callAsFunction(_ b: any Backend, _ x: Tensor) -> Tensor {
        var h = resnets[0](b, x)
        if let attention { h = attention.image(b, h) }
        return resnets[1](b, h)
    }
}
