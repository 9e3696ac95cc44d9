// Matches transformers models/clip/modeling_clip.py: CLIPAttention, CLIPMLP, CLIPEncoderLayer,
// CLIPEncoder (pre-LN transformer layers shared by the text and vision towers).
import ModelIO
import Tensor

/// Dimensions of a CLIP transformer tower, read from its config.
struct CLIPEncoderShape: Equatable {
    var hiddenSize: Int
    var intermediateSize: Int
    var heads: Int
    var layers: Int
    var activation: Activation
    var layerNormEps: Float

    init(hiddenSize: Int, intermediateSize: Int, heads: Int, layers: Int, activation: Activation, layerNormEps: Float) throws {
        guard heads > 0, hiddenSize % heads == 0 else {
            throw ModelConfigError.invalid(field: "num_attention_heads", reason: "hidden_size \(hiddenSize) is not divisible by \(heads) heads")
        }
        guard layers >= 0 else {
            throw ModelConfigError.invalid(field: "num_hidden_layers", reason: "negative layer count \(layers)")
        }
        self.hiddenSize = hiddenSize; self.intermediateSize = intermediateSize; self.heads = heads
        self.layers = layers; self.activation = activation; self.layerNormEps = layerNormEps
    }
}

/// One pre-LN layer: x + out_proj(MHA(layer_norm1(x))), then x + fc2(act(fc1(layer_norm2(x)))).
/// Keys: `self_attn.{q,k,v,out}_proj`, `layer_norm1`, `mlp.fc1`, `mlp.fc2`, `layer_norm2`.
struct CLIPEncoderLayer {
    let shape: CLIPEncoderShape
    let qProj: Linear, kProj: Linear, vProj: Linear, outProj: Linear
    let layerNorm1: LayerNorm, layerNorm2: LayerNorm
    let fc1: Linear, fc2: Linear

    init(_ scope: WeightScope, shape: CLIPEncoderShape) throws {
        self.shape = shape
        let d = shape.hiddenSize
        let attn = scope["self_attn"]
        // Taken in checkpoint order so that a missing key is reported where a reader expects it.
        kProj = try Linear(attn["k_proj"], inFeatures: d, outFeatures: d)
        vProj = try Linear(attn["v_proj"], inFeatures: d, outFeatures: d)
        qProj = try Linear(attn["q_proj"], inFeatures: d, outFeatures: d)
        outProj = try Linear(attn["out_proj"], inFeatures: d, outFeatures: d)
        layerNorm1 = try LayerNorm(scope["layer_norm1"], dim: d, eps: shape.layerNormEps)
        fc1 = try Linear(scope["mlp"]["fc1"], inFeatures: d, outFeatures: shape.intermediateSize)
        fc2 = try Linear(scope["mlp"]["fc2"], inFeatures: shape.intermediateSize, outFeatures: d)
        layerNorm2 = try LayerNorm(scope["layer_norm2"], dim: d, eps: shape.layerNormEps)
    }

    /// x: [B, L, D] → [B, L, D]
    func callAsFunction(_ b: any Backend, _ x: Tensor, causal: Bool) -> Tensor {
        let h = layerNorm1(b, x)
        let q = qProj(b, h), k = kProj(b, h), v = vProj(b, h)        // [B, L, D] each
        let scale = 1 / Float(shape.hiddenSize / shape.heads).squareRoot()
        let a = b.attention(q, k, v, heads: shape.heads, scale: scale, causal: causal)  // [B, L, D]
        let x1 = b.add(x, outProj(b, a))
        let m = fc2(b, shape.activation(b, fc1(b, layerNorm2(b, x1))))  // [B, L, D]
        return b.add(x1, m)
    }
}

/// The stack of encoder layers (`encoder.layers.{i}`). Only the first `count` layers are built
/// when a caller needs an intermediate hidden state (the text encoder stops one layer early).
struct CLIPEncoder {
    let layers: [CLIPEncoderLayer]

    init(_ scope: WeightScope, shape: CLIPEncoderShape, count: Int) throws {
        var built: [CLIPEncoderLayer] = []
        built.reserveCapacity(count)
        for i in 0..<count {
            built.append(try CLIPEncoderLayer(scope["layers"]["\(i)"], shape: shape))
        }
        layers = built
    }

    /// x: [B, L, D] → hidden state after the built layers, [B, L, D]
    func callAsFunction(_ b: any Backend, _ x: Tensor, causal: Bool) -> Tensor {
        var h = x
        for layer in layers { h = layer(b, h, causal: causal) }
        return h
    }
}
