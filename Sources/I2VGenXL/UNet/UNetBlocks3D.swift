// Matches diffusers src/diffusers/models/unets/unet_3d_blocks.py: CrossAttnDownBlock3D, DownBlock3D,
// UNetMidBlock3DCrossAttn, CrossAttnUpBlock3D, UpBlock3D (plus Downsample2D / Upsample2D from
// src/diffusers/models/downsampling.py and upsampling.py).
import ModelIO
import Tensor

/// What every block layer needs besides its input.
struct UNetBlockInputs {
    let temb: Tensor      // t_emb + fps_emb repeated per frame (batch-major): [N, temb]
    let context: Tensor   // [Bc, 145, D] (text | image latents | image embedding)
    let frames: Int
    let options: UNetOptions
}

/// One resnet → temp_conv [→ attention → temp_attention] layer of a 3-D block. The resnets are
/// diffusers' ResnetBlock2D with eps 1e-5, SiLU, `time_emb_proj` (per frame).
struct Block3DLayer {
    let resnet: ResnetBlock2D
    let tempConv: TemporalConvLayer
    let attention: Transformer2DModel?
    let tempAttention: TransformerTemporalModel?

    init(_ s: WeightScope, index j: Int, inChannels: Int, outChannels: Int, crossAttention: Bool, config c: I2VGenXLUNetConfig) throws {
        resnet = try ResnetBlock2D(s["resnets.\(j)"], inChannels: inChannels, outChannels: outChannels, options: c.resnetOptions)
        tempConv = try TemporalConvLayer(s["temp_convs.\(j)"], channels: outChannels, groups: c.normNumGroups)
        if crossAttention {
            let heads = outChannels / c.attentionHeadDim  // the head-count quirk: C/64 heads of 64
            attention = try Transformer2DModel(s["attentions.\(j)"], channels: outChannels, heads: heads, headDim: c.attentionHeadDim,
                                               groups: c.normNumGroups, contextDim: c.crossAttentionDim)
            tempAttention = try TransformerTemporalModel(s["temp_attentions.\(j)"], channels: outChannels, heads: heads,
                                                         headDim: c.attentionHeadDim, groups: c.normNumGroups)
        } else {
            attention = nil
            tempAttention = nil
        }
    }

    /// x: [N, Cin, h, w] → [N, Cout, h, w]
    func callAsFunction(_ be: any Backend, _ x: Tensor, _ i: UNetBlockInputs) -> Tensor {
        var x = resnet(be, x, temb: i.temb)
        x = tempConv(be, x, frames: i.frames)
        if let attention, let tempAttention {
            x = attention(be, x, context: i.context, frames: i.frames, options: i.options)
            x = tempAttention(be, x, frames: i.frames, options: i.options)
        }
        return x
    }
}

/// `CrossAttnDownBlock3D` / `DownBlock3D`: layers, then an optional stride-2 conv
/// (`downsamplers.0.conv`, 3×3, symmetric padding 1). Every layer output and the downsampled
/// output are skip connections.
struct DownBlock3D {
    let layers: [Block3DLayer]
    let downsampler: Downsample2D?

    init(_ s: WeightScope, inChannels: Int, outChannels: Int, crossAttention: Bool, addDownsample: Bool, config c: I2VGenXLUNetConfig) throws {
        layers = try (0..<c.layersPerBlock).map { j in
            try Block3DLayer(s, index: j, inChannels: j == 0 ? inChannels : outChannels, outChannels: outChannels,
                             crossAttention: crossAttention, config: c)
        }
        downsampler = addDownsample ? try Downsample2D(s["downsamplers.0"], channels: outChannels, padding: 1) : nil
    }

    /// x: [N, Cin, h, w] → [N, Cout, h', w']; appends this block's skip tensors to `skips`.
    func callAsFunction(_ be: any Backend, _ x: Tensor, _ i: UNetBlockInputs, skips: inout [Tensor]) -> Tensor {
        var x = x
        for layer in layers {
            x = layer(be, x, i)
            skips.append(x)
        }
        if let downsampler {
            x = downsampler(be, x)  // [N, Cout, ceil(h/2), ceil(w/2)] (3×3, stride 2, symmetric padding 1)
            skips.append(x)
        }
        return x
    }
}

/// `UNetMidBlock3DCrossAttn` (num_layers 1): resnet → temp_conv → attention → temp_attention →
/// resnet → temp_conv. Keys: `resnets.{0,1}`, `temp_convs.{0,1}`, `attentions.0`, `temp_attentions.0`.
struct MidBlock3D {
    let resnets: [ResnetBlock2D]
    let tempConvs: [TemporalConvLayer]
    let attention: Transformer2DModel
    let tempAttention: TransformerTemporalModel

    init(_ s: WeightScope, channels: Int, config c: I2VGenXLUNetConfig) throws {
        resnets = try (0..<2).map { j in
            try ResnetBlock2D(s["resnets.\(j)"], inChannels: channels, outChannels: channels, options: c.resnetOptions)
        }
        tempConvs = try (0..<2).map { j in try TemporalConvLayer(s["temp_convs.\(j)"], channels: channels, groups: c.normNumGroups) }
        let heads = channels / c.attentionHeadDim
        attention = try Transformer2DModel(s["attentions.0"], channels: channels, heads: heads, headDim: c.attentionHeadDim,
                                           groups: c.normNumGroups, contextDim: c.crossAttentionDim)
        tempAttention = try TransformerTemporalModel(s["temp_attentions.0"], channels: channels, heads: heads,
                                                     headDim: c.attentionHeadDim, groups: c.normNumGroups)
    }

    /// x: [N, C, h, w] → [N, C, h, w]
    func callAsFunction(_ be: any Backend, _ x: Tensor, _ i: UNetBlockInputs) -> Tensor {
        var x = resnets[0](be, x, temb: i.temb)
        x = tempConvs[0](be, x, frames: i.frames)
        x = attention(be, x, context: i.context, frames: i.frames, options: i.options)
        x = tempAttention(be, x, frames: i.frames, options: i.options)
        x = resnets[1](be, x, temb: i.temb)
        return tempConvs[1](be, x, frames: i.frames)
    }
}

/// `CrossAttnUpBlock3D` / `UpBlock3D` (layers_per_block + 1 layers): each layer first concatenates
/// the most recent skip along channels; then an optional nearest ×2 upsample + 3×3 conv
/// (`upsamplers.0.conv`).
struct UpBlock3D {
    let layers: [Block3DLayer]
    let upsampler: Upsample2D?

    /// - Parameters:
    ///   - prevOutputChannels: channels coming from the previous (deeper) block.
    ///   - skipInChannels: channels of the last skip this block consumes (diffusers' `in_channels`).
    init(_ s: WeightScope, prevOutputChannels: Int, outChannels: Int, skipInChannels: Int, crossAttention: Bool,
         addUpsample: Bool, config c: I2VGenXLUNetConfig) throws {
        let n = c.layersPerBlock + 1
        layers = try (0..<n).map { j in
            let skip = j == n - 1 ? skipInChannels : outChannels
            let resIn = j == 0 ? prevOutputChannels : outChannels
            return try Block3DLayer(s, index: j, inChannels: resIn + skip, outChannels: outChannels,
                                    crossAttention: crossAttention, config: c)
        }
        upsampler = addUpsample ? try Upsample2D(s["upsamplers.0"], channels: outChannels) : nil
    }

    /// x: [N, Cprev, h, w] → [N, Cout, h', w']; pops one skip per layer from the end of `skips`.
    func callAsFunction(_ be: any Backend, _ x: Tensor, _ i: UNetBlockInputs, skips: inout [Tensor]) -> Tensor {
        var x = x
        for layer in layers {
            let skip = skips.removeLast()              // released once concatenated
            x = be.concat([x, skip], axis: 1)          // [N, C + Cskip, h, w]
            x = layer(be, x, i)
        }
        if let upsampler {
            // diffusers interpolates to the next skip's size when the latent is not a multiple of
            // 2^num_upsamplers; nearest ×2 followed by a crop gives exactly those indices
            // (floor(d·m/(2m−1)) = floor(d/2) for d < 2m−1).
            let targetH = skips.last?.shape[2] ?? 2 * x.shape[2]
            let targetW = skips.last?.shape[3] ?? 2 * x.shape[3]
            var up = be.upsampleNearest2x(x)           // [N, C, 2h, 2w]
            if up.shape[2] != targetH { up = be.slice(up, axis: 2, range: 0..<targetH) }
            if up.shape[3] != targetW { up = be.slice(up, axis: 3, range: 0..<targetW) }
            x = upsampler.conv(be, up)
        }
        return x
    }
}

extension I2VGenXLUNetConfig {
    /// The UNet's resnets: groups `norm_num_groups`, eps 1e-5, SiLU, `time_emb_proj` from the time embedding.
    var resnetOptions: ResnetBlock2D.Options {
        ResnetBlock2D.Options(groups: normNumGroups, eps: 1e-5, tembChannels: timeEmbedDim, activation: .silu)
    }
}
