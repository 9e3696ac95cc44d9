// Matches diffusers src/diffusers/models/attention.py: FeedForward (GEGLU / GELU activations from
// src/diffusers/models/activations.py). Keys: `net.0.proj`, `net.2` (net.1 is Dropout(0)).
import ModelIO
import Tensor

/// `FeedForward(dim, activation_fn=...)`, computed in token chunks by its callers so that the
/// wide inner activation (8·dim floats per token for GEGLU) never exists for all tokens at once.
struct UNetFeedForward {
    enum Activation { case geglu, gelu }

    let proj: Linear  // [2·inner, dim] (GEGLU) or [inner, dim] (GELU)
    let out: Linear   // [dim, inner]
    let activation: Activation

    init(_ s: WeightScope, dim: Int, inner: Int? = nil, activation: Activation) throws {
        let inner = inner ?? 4 * dim
        self.activation = activation
        proj = try Linear(s["net.0.proj"], inFeatures: dim, outFeatures: activation == .geglu ? 2 * inner : inner)
        out = try Linear(s["net.2"], inFeatures: inner, outFeatures: dim)
    }

    /// Float32 elements of the widest intermediate per token: the `proj` output, or only the
    /// activation where the backend fuses GEGLU into the projection.
    func floatsPerToken(on be: any Backend) -> Int {
        activation == .geglu && be.fusesLinearGEGLU(inFeatures: proj.inFeatures, inner: out.inFeatures) ? out.inFeatures : proj.outFeatures
    }

    /// x: [T, dim] → [T, inner]: GEGLU (the first half of `proj`'s output is the value, the
    /// second half the gate; one backend op, which may keep the product out of memory) or exact
    /// (erf) GELU.
    func activated(_ be: any Backend, _ x: Tensor) -> Tensor {
        switch activation {
        case .geglu: return be.linearGEGLU(x, weight: proj.weight, bias: proj.bias)  // [T, inner]
        case .gelu: return be.gelu(proj(be, x))                                      // [T, inner]
        }
    }

    /// x: [T, dim] → [T, dim].
    func callAsFunction(_ be: any Backend, _ x: Tensor) -> Tensor {
        out(be, activated(be, x))  // [T, dim]
    }

    /// ff(x) + residual, the residual added in the output projection. residual: [T, dim]
    func callAsFunction(_ be: any Backend, _ x: Tensor, adding residual: Tensor) -> Tensor {
        out(be, activated(be, x), adding: residual)  // [T, dim]
    }
}

/// Applies a per-token function to `x` ([..., D], viewed as [T, D]) in slices of at most
/// `chunkTokens` rows and reassembles the result. Used for LayerNorm + FeedForward + residual,
/// which are all independent per token, so chunking does not change the math.
func perTokenChunked(_ be: any Backend, _ x: Tensor, chunkTokens: Int, _ body: (Tensor) -> Tensor) -> Tensor {
    let d = x.dim(-1)
    let t = x.count / max(d, 1)
    let flat = x.reshaped([t, d])  // [T, D]
    if t <= chunkTokens { return body(flat).reshaped(x.shape) }
    var parts: [Tensor] = []
    parts.reserveCapacity((t + chunkTokens - 1) / chunkTokens)
    var start = 0
    while start < t {
        let end = min(t, start + chunkTokens)
        parts.append(body(be.slice(flat, axis: 0, range: start..<end)))  // [chunk, D]
        start = end
    }
    return be.concat(parts, axis: 0).reshaped(x.shape)
}
