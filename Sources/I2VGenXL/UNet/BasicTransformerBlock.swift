// Matches diffusers src/diffusers/models/attention.py: BasicTransformerBlock
// (norm_type "layer_norm", eps 1e-5, activation "geglu", attention_bias False, no positional
// embedding, one layer) as built by Transformer2DModel and TransformerTemporalModel.
import ModelIO
import Tensor

/// Memory knobs of a UNet forward pass. None of them changes a number.
public struct UNetOptions: Sendable, Equatable {
    /// Largest feed-forward intermediate (the GEGLU `proj` output, float32) computed at once;
    /// the feed-forward runs over token slices that fit it.
    public var feedForwardChunkBytes: Int

    public init(feedForwardChunkBytes: Int = 64 << 20) {
        self.feedForwardChunkBytes = feedForwardChunkBytes
    }

    /// For a GPU: feed-forward chunks of up to 3 GiB of float32-equivalent activations (1.5 GiB
    /// in half precision), so the standard job and, where GEGLU is fused into the projection
    /// (only the [T, inner] activation exists), 1280×704 and 768×768×24 run each feed-forward in
    /// one piece — chunking there only adds launches, smaller GEMMs and a concatenating copy.
    public static let gpu = UNetOptions(feedForwardChunkBytes: 3 << 30)
}

/// The transformer layer shared by the spatial and the temporal transformer.
/// Keys: `norm1`, `attn1`, `norm2`, `attn2`, `norm3`, `ff`.
struct BasicTransformerBlock {
    let norm1: LayerNorm
    let attn1: Attention
    let norm2: LayerNorm
    /// Cross-attention to the context (spatial transformer) or a second self-attention
    /// (temporal transformer, `double_self_attention=True`: K/V project from `dim`, not the context).
    let attn2: Attention
    let crossAttention: Bool
    let norm3: LayerNorm
    let ff: UNetFeedForward

    /// - Parameter contextDim: the cross-attention context width, or nil for a second self-attention.
    init(_ s: WeightScope, dim: Int, heads: Int, headDim: Int, contextDim: Int?) throws {
        norm1 = try LayerNorm(s["norm1"], dim: dim, eps: 1e-5)
        attn1 = try Attention.unet(s["attn1"], queryDim: dim, heads: heads, headDim: headDim)
        norm2 = try LayerNorm(s["norm2"], dim: dim, eps: 1e-5)
        attn2 = try Attention.unet(s["attn2"], queryDim: dim, contextDim: contextDim, heads: heads, headDim: headDim)
        crossAttention = contextDim != nil
        norm3 = try LayerNorm(s["norm3"], dim: dim, eps: 1e-5)
        ff = try UNetFeedForward(s["ff"], dim: dim, activation: .geglu)
    }

    /// x: [Bq, L, dim] → [Bq, L, dim]. With cross-attention, `context` is [Bq/groups, Lk, contextDim]
    /// and query batch row r attends context row r / groups.
    func callAsFunction(_ be: any Backend, _ x: Tensor, context: Tensor?, groups: Int, options: UNetOptions) -> Tensor {
        var x = x
        x = attn1(be, norm1(be, x), adding: x)  // [Bq, L, dim]
        if crossAttention, let context {
            x = attn2.grouped(be, norm2(be, x), context: context, groups: groups, adding: x)
        } else {
            x = attn2(be, norm2(be, x), adding: x)
        }
        let chunk = max(1, options.feedForwardChunkBytes / max(1, ff.floatsPerToken(on: be) * 4))
        return perTokenChunked(be, x, chunkTokens: chunk) { t in  // t: [T, dim]
            ff(be, norm3(be, t), adding: t)
        }
    }
}
