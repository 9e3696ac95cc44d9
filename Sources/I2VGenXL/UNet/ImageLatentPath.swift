// Matches diffusers src/diffusers/models/unets/unet_i2vgen_xl.py: I2VGenXLTransformerTemporalEncoder
// and the `image_latents_proj_in` / `image_latents_context_embedding` Sequentials of I2VGenXLUNet.
import ModelIO
import Tensor

/// `image_latents_temporal_encoder`: x = attn1(LayerNorm(x)) + x; x = FF(x) + x — note no norm
/// before the GELU feed-forward. Keys: `norm1`, `attn1`, `ff`.
struct ImageLatentTemporalEncoder {
    let norm1: LayerNorm
    let attn1: Attention
    let ff: UNetFeedForward

    init(_ s: WeightScope, dim: Int, heads: Int, headDim: Int, ffInner: Int) throws {
        norm1 = try LayerNorm(s["norm1"], dim: dim, eps: 1e-5)
        attn1 = try Attention.unet(s["attn1"], queryDim: dim, heads: heads, headDim: headDim)
        ff = try UNetFeedForward(s["ff"], dim: dim, inner: ffInner, activation: .gelu)
    }

    /// x: [S, F, dim] (one sequence of frames per latent pixel) → [S, F, dim]
    func callAsFunction(_ be: any Backend, _ x: Tensor) -> Tensor {
        let x = be.add(attn1(be, norm1(be, x)), x)
        return be.add(ff(be, x.reshaped([x.count / x.dim(-1), x.dim(-1)])).reshaped(x.shape), x)
    }
}

/// The two paths that turn the VAE image latents into conditioning:
/// - `image_latents_context_embedding` (frame 0 → 64 context tokens): Conv(4→8c) → SiLU →
///   AdaptiveAvgPool2d(32) → Conv(8c→16c, s2) → SiLU → Conv(16c→D, s2). Keys `.0`, `.3`, `.5`.
/// - `image_latents_proj_in` (every frame, concatenated to the noisy latents): Conv(4→4c) → SiLU →
///   Conv(4c→4c) → SiLU → Conv(4c→c), keys `.0`, `.2`, `.4`; then the temporal encoder along frames.
struct ImageLatentPath {
    let ctx0: Conv2d, ctx3: Conv2d, ctx5: Conv2d
    let proj0: Conv2d, proj2: Conv2d, proj4: Conv2d
    let temporalEncoder: ImageLatentTemporalEncoder
    let inChannels: Int

    init(_ s: WeightScope, inChannels c: Int, crossAttentionDim d: Int) throws {
        inChannels = c
        // diffusers hard-codes 4 input channels for the first conv of both paths.
        let ctx = s["image_latents_context_embedding"]
        ctx0 = try Conv2d(ctx["0"], inChannels: 4, outChannels: c * 8, kernelSize: 3, padding: .same(1))
        ctx3 = try Conv2d(ctx["3"], inChannels: c * 8, outChannels: c * 16, kernelSize: 3, stride: 2, padding: .same(1))
        ctx5 = try Conv2d(ctx["5"], inChannels: c * 16, outChannels: d, kernelSize: 3, stride: 2, padding: .same(1))
        let proj = s["image_latents_proj_in"]
        proj0 = try Conv2d(proj["0"], inChannels: 4, outChannels: c * 4, kernelSize: 3, padding: .same(1))
        proj2 = try Conv2d(proj["2"], inChannels: c * 4, outChannels: c * 4, kernelSize: 3, padding: .same(1))
        proj4 = try Conv2d(proj["4"], inChannels: c * 4, outChannels: c, kernelSize: 3, padding: .same(1))
        temporalEncoder = try ImageLatentTemporalEncoder(s["image_latents_temporal_encoder"], dim: c, heads: 2, headDim: c, ffInner: c * 4)
    }

    /// imageLatents: [Bc, 4, F, h, w] → context tokens [Bc, 64, D] from frame 0 (row-major 8×8).
    func contextTokens(_ be: any Backend, _ imageLatents: Tensor) -> Tensor {
        let b = imageLatents.shape[0], h = imageLatents.shape[3], w = imageLatents.shape[4]
        let first = be.slice(imageLatents, axis: 2, range: 0..<1).reshaped([b, imageLatents.shape[1], h, w])  // [Bc, 4, h, w]
        var t = be.silu(ctx0(be, first))                 // [Bc, 8c, h, w]
        t = be.adaptiveAvgPool2d(t, outH: 32, outW: 32)  // [Bc, 8c, 32, 32]
        t = be.silu(ctx3(be, t))                         // [Bc, 16c, 16, 16]
        t = ctx5(be, t)                                  // [Bc, D, 8, 8]
        let d = t.shape[1], th = t.shape[2], tw = t.shape[3]
        return be.permute(t, [0, 2, 3, 1]).reshaped([b, th * tw, d])  // [Bc, 64, D]
    }

    /// imageLatents: [Bc, 4, F, h, w] → processed latents in frame-major layout [Bc, F, c, h, w],
    /// ready to be concatenated after the noisy latents' channels.
    func processed(_ be: any Backend, _ imageLatents: Tensor) -> Tensor {
        let b = imageLatents.shape[0], cin = imageLatents.shape[1], f = imageLatents.shape[2]
        let h = imageLatents.shape[3], w = imageLatents.shape[4]
        var t = be.permute(imageLatents, [0, 2, 1, 3, 4]).reshaped([b * f, cin, h, w])  // [N, 4, h, w]
        t = be.silu(proj0(be, t))
        t = be.silu(proj2(be, t))
        t = proj4(be, t)                                                                  // [N, c, h, w]
        let c = inChannels
        t = be.permute(t.reshaped([b, f, c, h, w]), [0, 3, 4, 1, 2]).reshaped([b * h * w, f, c])  // [Bc·h·w, F, c]
        t = temporalEncoder(be, t)
        return be.permute(t.reshaped([b, h, w, f, c]), [0, 3, 4, 1, 2])                  // [Bc, F, c, h, w]
    }
}
