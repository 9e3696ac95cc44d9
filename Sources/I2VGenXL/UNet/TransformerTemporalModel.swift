// Matches diffusers src/diffusers/models/transformers/transformer_temporal.py: TransformerTemporalModel
// (num_layers=1, double_self_attention=True, GroupNorm eps 1e-6 over the 5-D tensor, no positional
// embedding, no mask).
import ModelIO
import Tensor

/// Temporal transformer (`temp_attentions.j`, `transformer_in`): every latent pixel is a sequence
/// of F frame tokens; two self-attentions and a GEGLU feed-forward act along time.
/// Keys: `norm`, `proj_in`, `transformer_blocks.0`, `proj_out`.
struct TransformerTemporalModel {
    let norm: GroupNorm
    let projIn: Linear   // [inner, C]
    let block: BasicTransformerBlock
    let projOut: Linear  // [C, inner]

    init(_ s: WeightScope, channels: Int, heads: Int, headDim: Int, groups: Int) throws {
        let inner = heads * headDim
        norm = try GroupNorm(s["norm"], groups: groups, channels: channels, eps: 1e-6)
        projIn = try Linear(s["proj_in"], inFeatures: channels, outFeatures: inner)
        block = try BasicTransformerBlock(s["transformer_blocks.0"], dim: inner, heads: heads, headDim: headDim, contextDim: nil)
        projOut = try Linear(s["proj_out"], inFeatures: inner, outFeatures: channels)
    }

    /// x: [N, C, h, w] with N = Bc·F (batch-major) → [N, C, h, w]
    func callAsFunction(_ be: any Backend, _ x: Tensor, frames: Int, options: UNetOptions) -> Tensor {
        var t = norm.tokens(be, x, frames: frames)          // [Bc·h·w, F, C], stats span all frames
        t = projIn(be, t)                                   // [Bc·h·w, F, inner]
        t = block(be, t, context: nil, groups: 1, options: options)
        t = projOut(be, t)                                  // [Bc·h·w, F, C]
        return be.tokensToFeatureMaps(t, adding: x, frames: frames)  // [Bc·F, C, h, w] + x
    }
}
