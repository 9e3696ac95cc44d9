/// The seam between model code and compute. Model code (encoders, VAE, UNet, pipeline) only
/// calls these functions; the CPU backend implements them over OpenBLAS and vectorised Swift,
/// and a CUDA backend implements the same protocol on the GPU.
///
/// Conventions:
/// - Inputs may be stored as float32, float16 or bfloat16; every result is float32.
/// - Layouts are PyTorch's (row-major, NCHW / NCFHW); shape comments in model code use them.
/// - Violated shape contracts are programming errors (`precondition`); user-facing validation
///   (weights, inputs) happens before compute, in ModelIO and the pipeline.
public protocol Backend: AnyObject, Sendable {
    /// Human-readable name, e.g. "cpu (openblas, 2 threads)".
    var name: String { get }

    /// Upper bound, in bytes, of the attention score block materialised at once.
    var attentionBudgetBytes: Int { get set }

    /// Returns memory a backend keeps cached for reuse (a GPU's free blocks) to the system, so a
    /// pipeline stage's activations do not stay reserved through the next stage. No-op by default.
    func releaseCachedMemory()

    // MARK: Creation and transfer

    /// A float32 tensor holding `values` (row-major).
    func tensor(_ values: [Float], shape: [Int]) -> Tensor
    /// A float32 tensor of zeros.
    func zeros(_ shape: [Int]) -> Tensor
    /// A float32 tensor filled with `value`.
    func full(_ shape: [Int], value: Float) -> Tensor
    /// Wraps (CPU: zero-copy) or uploads (GPU) bytes of the given dtype. `owner` keeps the memory
    /// alive, e.g. the memory-mapped safetensors file.
    func wrap(bytes: UnsafeRawPointer, dtype: DType, shape: [Int], owner: AnyObject) -> Tensor
    /// Reads a tensor back as float32 values (widening half-precision storage).
    func toHost(_ x: Tensor) -> [Float]
    /// A float32 copy of `x` (widens half-precision storage).
    func toFloat32(_ x: Tensor) -> Tensor

    // MARK: Linear algebra

    /// y = x·Wᵀ + b. x: [..., in], weight: [out, in] (PyTorch `Linear`), bias: [out] → [..., out].
    func linear(_ x: Tensor, weight: Tensor, bias: Tensor?) -> Tensor
    /// y = x·Wᵀ + b + residual (the residual has y's shape). A backend may fuse the additions into
    /// the matrix product; the default adds afterwards.
    func linear(_ x: Tensor, weight: Tensor, bias: Tensor?, adding residual: Tensor) -> Tensor
    /// GEGLU of a linear layer, `geglu(linear(x, weight, bias))`: weight [2·inner, in] holds the
    /// value rows above the gate rows, bias [2·inner] → [..., inner]. A backend may keep the
    /// [..., 2·inner] product out of memory; the default composes the two ops.
    func linearGEGLU(_ x: Tensor, weight: Tensor, bias: Tensor?) -> Tensor
    /// Whether `linearGEGLU` with these widths runs without materialising the [rows, 2·inner]
    /// product (so callers can size their token chunks by `inner`). The default says no.
    func fusesLinearGEGLU(inFeatures: Int, inner: Int) -> Bool
    /// Batched matrix product. a: [B, M, K]; b: [B, K, N] (or [B, N, K] when `transposeB`) → [B, M, N].
    func matmul(_ a: Tensor, _ b: Tensor, transposeB: Bool) -> Tensor
    /// 2-D convolution. x: [N, C, H, W], weight: [O, C, kh, kw], bias: [O] → [N, O, Ho, Wo].
    func conv2d(_ x: Tensor, weight: Tensor, bias: Tensor?, stride: Int, padding: Padding2D) -> Tensor
    /// Whether the ResNet blocks' convolutions over maps of `pixels` pixels should run channels-last
    /// (`groupNormSiLUTokens` → `conv2dTokens` → `tokensToFeatureMaps(_:height:width:adding:channelBias:)`),
    /// the layout a backend's convolution kernels may read natively. The default says no.
    func prefersChannelsLastConvolution(pixels: Int) -> Bool
    /// Stride-1 convolution with an odd square kernel and "same" zero padding on channels-last maps:
    /// t: [N, h·w, C] (pixel-major rows of C), weight: [O, C, k, k] → [N, h·w, O], no bias.
    func conv2dTokens(_ t: Tensor, height: Int, width: Int, weight: Tensor) -> Tensor
    /// Temporal 3-D convolution with kernel (k, 1, 1) and zero padding (k-1)/2 on the frame axis.
    /// x: [B, C, F, H, W], weight: [O, C, k, 1, 1], bias: [O] → [B, O, F, H, W].
    func conv3dTemporal(_ x: Tensor, weight: Tensor, bias: Tensor?) -> Tensor
    /// The same temporal convolution on frame-major feature maps, the layout of the UNet's spatial
    /// layers, so no permute to [B, C, F, H, W] and back is needed (the default composes them).
    /// x: [B·F, C, H, W] (sample b·F + f), weight: [O, C, k, 1, 1], bias: [O] → [B·F, O, H, W];
    /// zero padding (k-1)/2 on the frame axis, as in `conv3dTemporal`.
    func conv3dTemporalFrames(_ x: Tensor, weight: Tensor, bias: Tensor?, frames: Int) -> Tensor
    /// residual + conv3dTemporalFrames(x) — the last convolution of a temporal layer and the
    /// layer's residual, which a backend may add in the convolution's bias pass (the default
    /// composes the two). residual: [B·F, O, H, W].
    func conv3dTemporalFrames(_ x: Tensor, weight: Tensor, bias: Tensor?, frames: Int, adding residual: Tensor) -> Tensor
    /// Whether a temporal convolution layer over frames of `pixels` pixels should run on the
    /// frame-major maps (`conv3dTemporalFrames`, `groupNormSiLU(frames:)`) rather than permute
    /// once to [B, C, F, H, W] and use the 5-D ops. The default says yes.
    func prefersFrameMajorTemporal(pixels: Int) -> Bool

    // MARK: Normalisation

    /// GroupNorm: statistics per sample over (C/G × all remaining dims), so a 5-D input pools
    /// across frames. x: [N, C, ...], weight/bias: [C].
    func groupNorm(_ x: Tensor, groups: Int, weight: Tensor, bias: Tensor, eps: Float) -> Tensor
    /// silu(groupNorm(x)) — the ResNet block's norm + activation pair, which a backend may fuse
    /// (the default composes the two ops).
    func groupNormSiLU(_ x: Tensor, groups: Int, weight: Tensor, bias: Tensor, eps: Float) -> Tensor
    /// silu(groupNorm) of frame-major feature maps with statistics per video, the norm + activation
    /// of the temporal convolution layers (the default permutes to [B, C, F, H, W] and back).
    /// x: [B·F, C, H, W] (sample b·F + f); statistics per (video b, group) over the group's
    /// channels, all F frames and all pixels — what GroupNorm of the 5-D [B, C, F, H, W] tensor
    /// computes; result in x's layout. `frames == 1` is the per-sample `groupNormSiLU`.
    /// `inputBias` ([C], optional) is added to x per channel first — the bias of the temporal
    /// convolution that produced x, folded into the norm's passes instead of one of its own.
    func groupNormSiLU(_ x: Tensor, inputBias: Tensor?, groups: Int, weight: Tensor, bias: Tensor, eps: Float, frames: Int) -> Tensor
    /// GroupNorm of per-frame feature maps written as transformer tokens — the input side of a
    /// spatial or temporal transformer, which a backend may do in one pass (the default composes
    /// permutes and `groupNorm`). x: [B·F, C, h, w], frame-major (sample b·F + f).
    /// - `frames == 1` (spatial): statistics per sample; tokens [B, h·w, C].
    /// - `frames == F` (temporal): statistics per video over all F frames; tokens [B·h·w, F, C],
    ///   one sequence over frames per pixel.
    func groupNormTokens(_ x: Tensor, groups: Int, weight: Tensor, bias: Tensor, eps: Float, frames: Int) -> Tensor
    /// The output side: tokens back to feature maps plus the residual, the inverse layout of
    /// `groupNormTokens`. t: [B, h·w, C] (`frames == 1`) or [B·h·w, F, C]; residual and result
    /// [B·F, C, h, w].
    func tokensToFeatureMaps(_ t: Tensor, adding residual: Tensor, frames: Int) -> Tensor
    /// silu(groupNorm(x)) written channels-last, the input of `conv2dTokens`: x [N, C, h, w] →
    /// [N, h·w, C], statistics per sample.
    func groupNormSiLUTokens(_ x: Tensor, groups: Int, weight: Tensor, bias: Tensor, eps: Float) -> Tensor
    /// Channels-last maps t [N, h·w, C] back to [N, C, h, w], plus an optional residual
    /// [N, C, h, w] and an optional channel bias ([C], or [N, C] per sample) in the same pass.
    func tokensToFeatureMaps(_ t: Tensor, height: Int, width: Int, adding residual: Tensor?, channelBias: Tensor?) -> Tensor
    /// LayerNorm over the last dimension. weight/bias: [D] (or nil for no affine).
    func layerNorm(_ x: Tensor, weight: Tensor?, bias: Tensor?, eps: Float) -> Tensor
    /// Softmax over the last dimension.
    func softmax(_ x: Tensor) -> Tensor

    // MARK: Attention

    /// Multi-head scaled dot-product attention, computed in query/key chunks so that no score
    /// block larger than `attentionBudgetBytes` exists at once.
    /// q: [B, Lq, H·D], k: [B, Lk, H·D], v: [B, Lk, H·Dv] → [B, Lq, H·Dv]. Heads are contiguous
    /// channel groups (head j uses channels [j·D, (j+1)·D)). `causal` masks keys after the query.
    func attention(_ q: Tensor, _ k: Tensor, _ v: Tensor, heads: Int, scale: Float, causal: Bool) -> Tensor
    /// Self-attention (not causal) over q, k and v packed side by side in each row, as one
    /// projection with stacked `[to_q; to_k; to_v]` weights writes them. qkv: [B, L, 3·H·D] →
    /// [B, L, H·D]. A backend may read the three in place; the default slices them apart.
    func attention(packed qkv: Tensor, heads: Int, scale: Float) -> Tensor

    // MARK: Pointwise

    func unary(_ op: UnaryOp, _ x: Tensor) -> Tensor
    /// Elementwise op with NumPy broadcasting (result has the broadcast shape).
    func binary(_ op: BinaryOp, _ a: Tensor, _ b: Tensor) -> Tensor
    /// a·x + b·y + c, elementwise over same-shaped tensors (scheduler and guidance arithmetic).
    func axpby(_ a: Float, _ x: Tensor, _ b: Float, _ y: Tensor, constant c: Float) -> Tensor
    /// α·x + β.
    func affine(_ x: Tensor, scale: Float, shift: Float) -> Tensor
    func clamp(_ x: Tensor, min: Float, max: Float) -> Tensor
    /// GEGLU: splits the last dimension into [value | gate] halves → value · GELU(gate).
    func geglu(_ x: Tensor) -> Tensor

    // MARK: Layout

    /// Copy with permuted axes (`torch.permute(...).contiguous()`).
    func permute(_ x: Tensor, _ perm: [Int]) -> Tensor
    /// Concatenation along `axis`.
    func concat(_ xs: [Tensor], axis: Int) -> Tensor
    /// Copy of `x[..., range, ...]` along `axis`.
    func slice(_ x: Tensor, axis: Int, range: Range<Int>) -> Tensor
    /// Nearest-neighbour ×2 upsampling of the last two dims. x: [N, C, H, W] → [N, C, 2H, 2W].
    func upsampleNearest2x(_ x: Tensor) -> Tensor
    /// `nn.AdaptiveAvgPool2d((outH, outW))` over the last two dims, with PyTorch's window bounds
    /// [floor(i·L/out), ceil((i+1)·L/out)).
    func adaptiveAvgPool2d(_ x: Tensor, outH: Int, outW: Int) -> Tensor
    /// Rows of `table` ([V, D]) at `ids` → [ids.count, D].
    func embedding(_ ids: [Int], table: Tensor) -> Tensor
}

extension Backend {
    public func releaseCachedMemory() {}
    public func linear(_ x: Tensor, weight: Tensor, bias: Tensor?, adding residual: Tensor) -> Tensor {
        binary(.add, linear(x, weight: weight, bias: bias), residual)
    }
    public func add(_ a: Tensor, _ b: Tensor) -> Tensor { binary(.add, a, b) }
    public func sub(_ a: Tensor, _ b: Tensor) -> Tensor { binary(.sub, a, b) }
    public func mul(_ a: Tensor, _ b: Tensor) -> Tensor { binary(.mul, a, b) }
    public func silu(_ x: Tensor) -> Tensor { unary(.silu, x) }
    public func groupNormSiLU(_ x: Tensor, groups: Int, weight: Tensor, bias: Tensor, eps: Float) -> Tensor {
        unary(.silu, groupNorm(x, groups: groups, weight: weight, bias: bias, eps: eps))
    }
    public func groupNormTokens(_ x: Tensor, groups: Int, weight: Tensor, bias: Tensor, eps: Float, frames: Int) -> Tensor {
        composedGroupNormTokens(x, groups: groups, weight: weight, bias: bias, eps: eps, frames: frames)
    }
    public func tokensToFeatureMaps(_ t: Tensor, adding residual: Tensor, frames: Int) -> Tensor {
        composedTokensToFeatureMaps(t, adding: residual, frames: frames)
    }
    public func attention(packed qkv: Tensor, heads: Int, scale: Float) -> Tensor {
        composedPackedAttention(qkv, heads: heads, scale: scale)
    }
    /// `attention(packed:)` from three slices and `attention` (the default, and a fused backend's fallback).
    public func composedPackedAttention(_ qkv: Tensor, heads: Int, scale: Float) -> Tensor {
        precondition(qkv.rank == 3 && qkv.shape[2] % 3 == 0, "packed attention: \(qkv.shape)")
        let inner = qkv.shape[2] / 3
        let part = { (i: Int) in self.slice(qkv, axis: 2, range: (i * inner)..<((i + 1) * inner)) }
        return attention(part(0), part(1), part(2), heads: heads, scale: scale, causal: false)
    }
    /// `groupNormTokens` from permutes and `groupNorm` (the default, and a fused backend's fallback).
    public func composedGroupNormTokens(_ x: Tensor, groups: Int, weight: Tensor, bias: Tensor, eps: Float, frames: Int) -> Tensor {
        let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        precondition(x.rank == 4 && frames > 0 && n % frames == 0, "groupNormTokens: \(x.shape) with \(frames) frames")
        if frames == 1 {
            let t = groupNorm(x, groups: groups, weight: weight, bias: bias, eps: eps)
            return permute(t, [0, 2, 3, 1]).reshaped([n, h * w, c])
        }
        let b = n / frames
        var t = permute(x.reshaped([b, frames, c, h, w]), [0, 2, 1, 3, 4])      // [B, C, F, h, w]
        t = groupNorm(t, groups: groups, weight: weight, bias: bias, eps: eps)     // stats span all frames
        return permute(t, [0, 3, 4, 2, 1]).reshaped([b * h * w, frames, c])
    }
    /// `tokensToFeatureMaps` from a permute and an add.
    public func composedTokensToFeatureMaps(_ t: Tensor, adding residual: Tensor, frames: Int) -> Tensor {
        let (n, c, h, w) = (residual.shape[0], residual.shape[1], residual.shape[2], residual.shape[3])
        precondition(residual.rank == 4 && t.count == residual.count && n % frames == 0,
                     "tokensToFeatureMaps: tokens \(t.shape), residual \(residual.shape), \(frames) frames")
        let maps = frames == 1
            ? permute(t.reshaped([n, h, w, c]), [0, 3, 1, 2])
            : permute(t.reshaped([n / frames, h, w, frames, c]), [0, 3, 4, 1, 2]).reshaped([n, c, h, w])
        return binary(.add, maps, residual)
    }
    public func gelu(_ x: Tensor) -> Tensor { unary(.gelu, x) }
    public func quickGelu(_ x: Tensor) -> Tensor { unary(.quickGelu, x) }
    public func scale(_ x: Tensor, _ s: Float) -> Tensor { affine(x, scale: s, shift: 0) }
}
