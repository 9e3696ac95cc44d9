// Matches diffusers src/diffusers/models/attention_processor.py: Attention + AttnProcessor2_0
// (bias=False on q/k/v, out_bias=True, no mask, scale = head_dim^-0.5), as the UNet builds it.
import ModelIO
import Tensor

extension Attention {
    /// The UNet's attention: q/k/v without bias (one stacked projection for self-attention),
    /// `to_out.0` with bias.
    static func unet(_ s: WeightScope, queryDim: Int, contextDim: Int? = nil, heads: Int, headDim: Int) throws -> Attention {
        try Attention(s, queryDim: queryDim, options: .init(heads: heads, dimHead: headDim, contextDim: contextDim,
                                                             qkvBias: false, outBias: true, packedProjections: contextDim == nil))
    }

    /// Cross-attention where `groups` consecutive query batch rows share one context row.
    ///
    /// diffusers repeats the context `F` times (`repeat_interleave`, batch-major) so that every
    /// frame of batch element b sees the same tokens. Softmax is per query row, so attending the
    /// queries of all `F` frames of b at once to one copy of b's keys and values computes exactly
    /// the same numbers, and projects K/V once per batch element instead of once per frame.
    ///
    /// x: [B·groups, L, queryDim], context: [B, Lk, contextDim] → [B·groups, L, queryDim]
    /// With `residual` ([B·groups, L, queryDim]) added in the output projection.
    func grouped(_ be: any Backend, _ x: Tensor, context: Tensor, groups: Int, adding residual: Tensor? = nil) -> Tensor {
        let b = context.shape[0], l = x.shape[1]
        precondition(x.shape[0] == b * groups, "cross-attention: \(x.shape[0]) query rows for \(b)×\(groups)")
        let inner = options.heads * options.dimHead
        guard case .separate(let toQ, let toK, let toV) = projections else { preconditionFailure("cross-attention with packed projections") }
        let q = toQ(be, x).reshaped([b, groups * l, inner])  // [B, groups·L, inner]
        let k = toK(be, context)                              // [B, Lk, inner]
        let v = toV(be, context)                              // [B, Lk, inner]
        let o = be.attention(q, k, v, heads: options.heads, scale: scale, causal: false)
        let flat = o.reshaped([b * groups, l, inner])
        if let residual { return toOut(be, flat, adding: residual) }  // [B·groups, L, queryDim]
        return toOut(be, flat)                                        // [B·groups, L, queryDim]
    }
}
