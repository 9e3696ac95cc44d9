// Matches diffusers models/attention_processor.py: Attention with AttnProcessor2_0
// (scale_qk, no added KV, no cross-norm, no spatial norm).
import ModelIO
import Tensor

/// diffusers' `Attention` module: optional input GroupNorm, q/k/v projections from the query and
/// the context, multi-head scaled dot-product attention (heads are contiguous channel groups),
/// output projection `to_out.0`, optional residual and output rescale.
///
/// Keys: `to_q`, `to_k`, `to_v`, `to_out.0` (`.weight` and, where enabled, `.bias`), and
/// `group_norm.{weight,bias}` when `groupNorm` is configured.
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

        public init(
            heads: Int, dimHead: Int, contextDim: Int? = nil, outDim: Int? = nil,
            qkvBias: Bool = false, outBias: Bool = true, groupNorm: (groups: Int, eps: Float)? = nil,
            residualConnection: Bool = false, rescaleOutputFactor: Float = 1
        ) {
            self.heads = heads; self.dimHead = dimHead; self.contextDim = contextDim; self.outDim = outDim
            self.qkvBias = qkvBias; self.outBias = outBias; self.groupNorm = groupNorm
            self.residualConnection = residualConnection; self.rescaleOutputFactor = rescaleOutputFactor
        }
    }

    public let queryDim: Int
    public let options: Options
    public let groupNorm: GroupNorm?
    public let toQ: Linear
    public let toK: Linear
    public let toV: Linear
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
        toQ = try Linear(scope["to_q"], inFeatures: queryDim, outFeatures: inner, bias: options.qkvBias)
        toK = try Linear(scope["to_k"], inFeatures: contextDim, outFeatures: inner, bias: options.qkvBias)
        toV = try Linear(scope["to_v"], inFeatures: contextDim, outFeatures: inner, bias: options.qkvBias)
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
        let kv = context ?? x
        let a = b.attention(toQ(b, x), toK(b, kv), toV(b, kv), heads: options.heads, scale: scale, causal: false)
        return toOut(b, a, adding: residual)  // [B, L, Dout]
    }

    private func attend(_ b: any Backend, _ h: Tensor, context: Tensor?) -> Tensor {
        let kv = context ?? h
        let q = toQ(b, h)    // [B, L, heads·dimHead]
        let k = toK(b, kv)   // [B, Lk, heads·dimHead]
        let v = toV(b, kv)   // [B, Lk, heads·dimHead]
        let a = b.attention(q, k, v, heads: options.heads, scale: scale, causal: false)
        return toOut(b, a)   // [B, L, Dout]
    }

    private func finish(_ b: any Backend, _ out: Tensor, residual: Tensor) -> Tensor {
        var y = out
        if options.residualConnection { y = b.add(y, residual) }
        if options.rescaleOutputFactor != 1 { y = b.scale(y, 1 / options.rescaleOutputFactor) }
        return y
    }
}
