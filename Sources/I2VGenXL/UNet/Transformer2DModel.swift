// Matches diffusers src/diffusers/models/transformers/transformer_2d.py: Transformer2DModel
// (continuous input, use_linear_projection=True, num_layers=1, GroupNorm eps 1e-6).
import ModelIO
import Tensor

/// Spatial transformer of the 3-D blocks (`attentions.j`): self-attention over the h·w tokens of
/// each frame, cross-attention to the context tokens, GEGLU feed-forward.
/// Keys: `norm`, `proj_in`, `transformer_blocks.0`, `proj_out`.
struct Transformer2DModel {
    let norm: GroupNorm
    let projIn: Linear   // [inner, C]
    let block: BasicTransformerBlock
    let projOut: Linear  // [C, inner]
    let channels: Int
    let inner: Int

    init(_ s: WeightScope, channels: Int, heads: Int, headDim: Int, groups: Int, contextDim: Int) throws {
        let inner = heads * headDim
        self.channels = channels
        self.inner = inner
        norm = try GroupNorm(s["norm"], groups: groups, channels: channels, eps: 1e-6)
        projIn = try Linear(s["proj_in"], inFeatures: channels, outFeatures: inner)
        block = try BasicTransformerBlock(s["transformer_blocks.0"], dim: inner, heads: heads, headDim: headDim, contextDim: contextDim)
        projOut = try Linear(s["proj_out"], inFeatures: inner, outFeatures: channels)
    }

    /// x: [N, C, h, w] with N = Bc·F frames (batch-major); context: [Bc, Lk, D] (one row per
    /// batch element, shared by its F frames) → [N, C, h, w]
    func callAsFunction(_ be: any Backend, _ x: Tensor, context: Tensor, frames: Int, options: UNetOptions) -> Tensor {
        var t = norm.tokens(be, x, frames: 1)                            // [N, h·w, C], per-frame stats, tokens y·w + x
        t = projIn(be, t)                                                // [N, h·w, inner]
        t = block(be, t, context: context, groups: frames, options: options)
        t = projOut(be, t)                                               // [N, h·w, C]
        return be.tokensToFeatureMaps(t, adding: x, frames: 1)           // [N, C, h, w] + x
    }
}
