// Matches diffusers models/attention_processor.py: Attention with AttnProcessor2_0
// (scale_qk, no added KV, no cross-norm, no spatial norm).
import ModelIO
import Tensor

/// diffusers' `Attention` module: optional input GroupNorm, q/k/v projections from the query and
/// the context, multi-head scaled dot-product attention (heads are contiguous channel groups),
/// output projection `to_out.0`, optional residual and output rescale.
///
/// Keys: `to_q`, `to_k`, `to_v`, `to_out.0` (`.weight` and, where enabled, `.bias`), and
/// `group_norm.{weight,bias}` when `groupNorm` is configured. With `packedProjections`, a
/// self-attention layer loads `to_q`, `to_k`, `to_v` stacked into one projection.
public struct Attention {
    public struct Options {
        public var heads: Int
        public var dimHead: Int
        /// Width of the context (cross-attention) tokens; nil means self-attention (= query width).
        public var contextDim: Int?
        /// Width of the output; nil means the query width.
        public var outDim: Int?
        public var qkvBias: Bool
        public var outBias: Bool
        /// (groups, eps) of the GroupNorm applied to the input before the projections.
        public var groupNorm: (groups: Int, eps: Float)?
        /// Adds the (un-normalised) input to the output, as `residual_connection=True` does.
        public var residualConnection: Bool
        public var rescaleOutputFactor: Float
        /// Self-attention only: q, k and v from one projection whose weight (and bias) stacks
        /// `to_q`, `to_k`, `to_v` — one wider GEMM instead of three, its output read in place by
        /// `Backend.attention(packed:)`. Same numbers as separate projections.
        public var packedProjections: Bool

        public init(
            heads: Int, dimHead: Int, contextDim: Int? = nil, outDim: Int? = nil,
            qkvBias: Bool = false, outBias: Bool = true, groupNorm: (groups: Int, eps: Float)? = nil,
            residualConnection: Bool = false, rescaleOutputFactor: Float = 1, packedProjections: Bool = false
        ) {
            self.heads = heads; self.dimHead = dimHead; self.contextDim = contextDim; self.outDim = outDim
            self.qkvBias = qkvBias; self.outBias = outBias; self.groupNorm = groupNorm
            self.residualConnection = residualConnection; self.rescaleOutputFactor = rescaleOutputFactor
            self.packedProjections = packedProjections
        }
    }

    /// How q, k and v are projected.
    public enum Projections {
        /// `to_q` from the query, `to_k` and `to_v` from the context (or the query).
        case separate(q: Linear, k: Linear, v: Linear)
        /// Self-attention: one projection [3·inner, queryDim] writing q | k | v side by side.
        case packed(Linear)
    }

    public let queryDim: Int
    public let options: Options
    public let groupNorm: GroupNorm?
    public let projections: Projections
    public let toOut: Linear
    /// dim_head^-0.5
    public let scale: Float

    public init(_ scope: WeightScope, queryDim: Int, options: Options) throws {
        self.queryDim = queryDim
        self.options = options
        let inner = options.heads * options.dimHead
        let contextDim = options.contextDim ?? queryDim
        if let gn = options.groupNorm {
            groupNorm = try GroupNorm(scope["group_norm"], groups: gn.groups, channels: queryDim, eps: gn.eps)
        } else {
            groupNorm = nil
        }
        if options.packedProjections {
            precondition(options.contextDim == nil, "packed q/k/v projections are for self-attention")
            let names = ["to_q", "to_k", "to_v"]
            projections = .packed(Linear(weight: try scope.takeStacked(names, "weight", [inner, queryDim]),
                                         bias: options.qkvBias ? try scope.takeStacked(names, "bias", [inner]) : nil))
        } else {
            projections = .separate(q: try Linear(scope["to_q"], inFeatures: queryDim, outFeatures: inner, bias: options.qkvBias),
                                    k: try Linear(scope["to_k"], inFeatures: contextDim, outFeatures: inner, bias: options.qkvBias),
                                    v: try Linear(scope["to_v"], inFeatures: contextDim, outFeatures: inner, bias: options.qkvBias))
        }
        toOut = try Linear(scope["to_out"]["0"], inFeatures: inner, outFeatures: options.outDim ?? queryDim, bias: options.outBias)
        scale = 1 / Float(options.dimHead).squareRoot()
    }

    /// Token form. x: [B, L, Dq], context: [B, Lk, Dc] (nil: self-attention) → [B, L, Dout].
    public func callAsFunction(_ b: any Backend, _ x: Tensor, context: Tensor? = nil) -> Tensor {
        var h = x
        if let gn = groupNorm {
            // GroupNorm over channels: [B, L, C] → [B, C, L] → norm → [B, L, C]
            h = b.permute(gn(b, b.permute(x, [0, 2, 1])), [0, 2, 1])
        }
        let out = attend(b, h, context: context)  // [B, L, Dout]
        return finish(b, out, residual: x)
    }

    /// Image form (diffusers' 4-D input path). x: [N, C, H, W] → [N, C, H, W]; tokens are the H·W
    /// pixels of each sample.
    public func image(_ b: any Backend, _ x: Tensor, context: Tensor? = nil) -> Tensor {
        let (n, c, hh, ww) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        var h = x.reshaped([n, c, hh * ww])          // [N, C, HW]
        if let gn = groupNorm { h = gn(b, h) }
        h = b.permute(h, [0, 2, 1])                  // [N, HW, C]
        var out = attend(b, h, context: context)     // [N, HW, Dout]
        let outC = out.shape[2]
        out = b.permute(out, [0, 2, 1]).reshaped([n, outC, hh, ww])  // [N, Dout, H, W]
        return finish(b, out, residual: x)
    }

    /// Token form without group norm or residual option, with `residual` added in the output
    /// projection (one fused GEMM on the GPU). x: [B, L, Dq], residual: [B, L, Dout] → [B, L, Dout].
    public func callAsFunction(_ b: any Backend, _ x: Tensor, context: Tensor? = nil, adding residual: Tensor) -> Tensor {
        precondition(groupNorm == nil && !options.residualConnection && options.rescaleOutputFactor == 1,
                     "fused residual is for plain attention layers")
        return toOut(b, attendHeads(b, x, context: context), adding: residual)  // [B, L, Dout]
    }

    private func attend(_ b: any Backend, _ h: Tensor, context: Tensor?) -> Tensor {
        toOut(b, attendHeads(b, h, context: context))  // [B, L, Dout]
    }

    /// The attention before the output projection. h: [B, L, Dq] → [B, L, heads·dimHead]
    private func attendHeads(_ b: any Backend, _ h: Tensor, context: Tensor?) -> Tensor {
        switch projections {
        case .packed(let toQKV):
            precondition(context == nil, "a packed self-attention layer takes no context")
            return b.attention(packed: toQKV(b, h), heads: options.heads, scale: scale)  // qkv: [B, L, 3·inner]
        case .separate(let toQ, let toK, let toV):
            let kv = context ?? h
            let q = toQ(b, h)    // [B, L, heads·dimHead]
            let k = toK(b, kv)   // [B, Lk, heads·dimHead]
            let v = toV(b, kv)   // [B, Lk, heads·dimHead]
            return b.attention(q, k, v, heads: options.heads, scale: scale, causal: false)
        }
    }

    private func finish(_ b: any Backend, _ out: Tensor, residual: Tensor) -> Tensor {
        var y = out
        if options.residualConnection { y = b.add(y, residual) }
        if options.rescaleOutputFactor != 1 { y = b.scale(y, 1 / options.rescaleOutputFactor) }
        return y
    }
}
