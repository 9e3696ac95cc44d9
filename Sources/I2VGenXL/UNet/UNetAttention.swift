// Matches diffusers src/diffusers/models/attention_processor.py: Attention + AttnProcessor2_0
// (bias=False on q/k/v, out_bias=True, no mask, scale = head_dim^-0.5), as the UNet builds it.
import ModelIO
import Tensor

/// Multi-head attention of the UNet's transformer blocks. Keys: `to_q`, `to_k`, `to_v`, `to_out.0`.
struct UNetAttention {
    let toQ: UNetNN.Linear    // [inner, queryDim], no bias
    let toK: UNetNN.Linear    // [inner, contextDim], no bias
    let toV: UNetNN.Linear    // [inner, contextDim], no bias
    let toOut: UNetNN.Linear  // [queryDim, inner] + bias
    let heads: Int
    let headDim: Int

    init(_ s: WeightScope, queryDim: Int, contextDim: Int? = nil, heads: Int, headDim: Int) throws {
        let inner = heads * headDim
        let kvDim = contextDim ?? queryDim
        toQ = try UNetNN.Linear(s["to_q"], in: queryDim, out: inner, bias: false)
        toK = try UNetNN.Linear(s["to_k"], in: kvDim, out: inner, bias: false)
        toV = try UNetNN.Linear(s["to_v"], in: kvDim, out: inner, bias: false)
        toOut = try UNetNN.Linear(s["to_out.0"], in: inner, out: queryDim)
        self.heads = heads
        self.headDim = headDim
    }

    /// Self-attention. x: [B, L, queryDim] → [B, L, queryDim]
    func callAsFunction(_ be: Backend, _ x: Tensor) -> Tensor {
        let q = toQ(be, x)  // [B, L, inner]
        let k = toK(be, x)  // [B, L, inner]
        let v = toV(be, x)  // [B, L, inner]
        let o = be.attention(q, k, v, heads: heads, scale: 1 / Float(headDim).squareRoot(), causal: false)
        return toOut(be, o)  // [B, L, queryDim]
    }

    /// Cross-attention where `groups` consecutive query batch rows share one context row.
    ///
    /// diffusers repeats the context `F` times (`repeat_interleave`, batch-major) so that every
    /// frame of batch element b sees the same tokens. Softmax is per query row, so attending the
    /// queries of all `F` frames of b at once to one copy of b's keys and values computes exactly
    /// the same numbers, and projects K/V once per batch element instead of once per frame.
    ///
    /// x: [B·groups, L, queryDim], context: [B, Lk, contextDim] → [B·groups, L, queryDim]
    func cross(_ be: Backend, _ x: Tensor, context: Tensor, groups: Int) -> Tensor {
        let b = context.shape[0], l = x.shape[1]
        precondition(x.shape[0] == b * groups, "cross-attention: \(x.shape[0]) query rows for \(b)×\(groups)")
        let q = toQ(be, x).reshaped([b, groups * l, heads * headDim])  // [B, groups·L, inner]
        let k = toK(be, context)                                        // [B, Lk, inner]
        let v = toV(be, context)                                        // [B, Lk, inner]
        let o = be.attention(q, k, v, heads: heads, scale: 1 / Float(headDim).squareRoot(), causal: false)
        return toOut(be, o.reshaped([b * groups, l, heads * headDim]))  // [B·groups, L, queryDim]
    }
}
