// Matches torch.nn: Linear, Conv2d, Conv3d (kernel (k,1,1)), GroupNorm, LayerNorm — the parameter
// holders the UNet builds on. They take their weights by checkpoint key with a shape check.
//
// Note: these live in `UNet/` (namespaced as `UNetNN`) because the shared `Layers/` folder did not
// exist when the UNet was written; they are thin wrappers over `Backend` ops.
import ModelIO
import Tensor

enum UNetNN {
    /// `nn.Linear(inFeatures, outFeatures, bias:)`: y = x·Wᵀ + b.
    struct Linear {
        let weight: Tensor  // [out, in]
        let bias: Tensor?   // [out]
        var outFeatures: Int { weight.shape[0] }

        init(_ s: WeightScope, in inFeatures: Int, out outFeatures: Int, bias: Bool = true) throws {
            weight = try s.take("weight", [outFeatures, inFeatures])
            self.bias = bias ? try s.take("bias", [outFeatures]) : nil
        }

        /// x: [..., in] → [..., out]
        func callAsFunction(_ be: Backend, _ x: Tensor) -> Tensor {
            be.linear(x, weight: weight, bias: bias)
        }
    }

    /// `nn.Conv2d(in, out, kernel, stride, padding)` with a bias.
    struct Conv2d {
        let weight: Tensor  // [out, in, k, k]
        let bias: Tensor    // [out]
        let stride: Int
        let padding: Int

        init(_ s: WeightScope, in inChannels: Int, out outChannels: Int, kernel: Int, stride: Int = 1, padding: Int) throws {
            weight = try s.take("weight", [outChannels, inChannels, kernel, kernel])
            bias = try s.take("bias", [outChannels])
            self.stride = stride
            self.padding = padding
        }

        /// x: [N, Cin, H, W] → [N, Cout, Ho, Wo]
        func callAsFunction(_ be: Backend, _ x: Tensor) -> Tensor {
            be.conv2d(x, weight: weight, bias: bias, stride: stride, padding: .same(padding))
        }
    }

    /// `nn.Conv3d(in, out, (k, 1, 1), padding=((k-1)/2, 0, 0))` with a bias.
    struct TemporalConv3d {
        let weight: Tensor  // [out, in, k, 1, 1]
        let bias: Tensor    // [out]

        init(_ s: WeightScope, in inChannels: Int, out outChannels: Int, kernel: Int = 3) throws {
            weight = try s.take("weight", [outChannels, inChannels, kernel, 1, 1])
            bias = try s.take("bias", [outChannels])
        }

        /// x: [B, C, F, H, W] → [B, Cout, F, H, W]
        func callAsFunction(_ be: Backend, _ x: Tensor) -> Tensor {
            be.conv3dTemporal(x, weight: weight, bias: bias)
        }
    }

    /// `nn.GroupNorm(groups, channels, eps, affine=True)`. A 5-D input [B, C, F, H, W] pools its
    /// statistics across frames, exactly as torch does.
    struct GroupNorm {
        let weight: Tensor  // [C]
        let bias: Tensor    // [C]
        let groups: Int
        let eps: Float

        init(_ s: WeightScope, groups: Int, channels: Int, eps: Float) throws {
            weight = try s.take("weight", [channels])
            bias = try s.take("bias", [channels])
            self.groups = groups
            self.eps = eps
        }

        func callAsFunction(_ be: Backend, _ x: Tensor) -> Tensor {
            be.groupNorm(x, groups: groups, weight: weight, bias: bias, eps: eps)
        }
    }

    /// `nn.LayerNorm(dim, eps, elementwise_affine=True)` over the last dimension.
    struct LayerNorm {
        let weight: Tensor  // [D]
        let bias: Tensor    // [D]
        let eps: Float

        init(_ s: WeightScope, dim: Int, eps: Float = 1e-5) throws {
            weight = try s.take("weight", [dim])
            bias = try s.take("bias", [dim])
            self.eps = eps
        }

        func callAsFunction(_ be: Backend, _ x: Tensor) -> Tensor {
            be.layerNorm(x, weight: weight, bias: bias, eps: eps)
        }
    }
}
