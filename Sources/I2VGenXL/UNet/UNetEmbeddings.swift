// Matches diffusers src/diffusers/models/embeddings.py: get_timestep_embedding, Timesteps,
// TimestepEmbedding; and the `fps_embedding` / `context_embedding` Sequentials of
// src/diffusers/models/unets/unet_i2vgen_xl.py: I2VGenXLUNet.
import Foundation
import ModelIO
import Tensor

/// `Timesteps(dim, flip_sin_to_cos=True, downscale_freq_shift=0)`: [cos(t·f) | sin(t·f)] with
/// f_i = exp(−ln(10000)·i/half), every step rounded to float32 in torch's order.
enum SinusoidalEmbedding {
    /// values: one timestep (or fps) per batch row → [values.count · dim] row-major.
    static func values(_ values: [Double], dim: Int) -> [Float] {
        let half = dim / 2
        let lnMax = Float(-log(10000.0))
        let freqs: [Float] = (0..<half).map { i in
            let exponent = (lnMax * Float(i)) / Float(half)
            return Float(exp(Double(exponent)))  // correctly rounded float32 exp
        }
        var out = [Float](repeating: 0, count: values.count * dim)
        for (row, v) in values.enumerated() {
            let t = Float(v)
            let base = row * dim
            for i in 0..<half {
                let arg = t * freqs[i]
                out[base + i] = cos(arg)
                out[base + half + i] = sin(arg)
            }
        }
        return out
    }
}

/// `TimestepEmbedding` (keys `linear_1`, `linear_2`) or the equivalent `Sequential(Linear, SiLU,
/// Linear)` (keys `0`, `2`): linear_2(SiLU(linear_1(x))).
struct EmbeddingMLP {
    let first: Linear   // [hidden, in]
    let second: Linear  // [out, hidden]

    init(_ s: WeightScope, firstKey: String, secondKey: String, in inDim: Int, hidden: Int, out outDim: Int) throws {
        first = try Linear(s[firstKey], inFeatures: inDim, outFeatures: hidden)
        second = try Linear(s[secondKey], inFeatures: hidden, outFeatures: outDim)
    }

    /// x: [..., in] → [..., out]
    func callAsFunction(_ be: any Backend, _ x: Tensor) -> Tensor {
        second(be, be.silu(first(be, x)))
    }
}
