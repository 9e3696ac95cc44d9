// Matches torch.nn.GroupNorm (affine).
import ModelIO
import Tensor

/// GroupNorm with per-channel affine. Statistics pool over C/G channels and every remaining
/// dimension, so a 5-D input [B, C, F, H, W] normalises across frames too (diffusers' temporal
/// layers rely on that); reshape to [B·F, C, H, W] first for per-frame statistics.
/// Keys: `<scope>.weight` [C], `<scope>.bias` [C].
public struct GroupNorm {
    public let groups: Int
    public let channels: Int
    public let eps: Float
    public let weight: Tensor  // [C]
    public let bias: Tensor    // [C]

    public init(_ scope: WeightScope, groups: Int, channels: Int, eps: Float) throws {
        guard groups > 0, channels % groups == 0 else {
            throw ModelConfigError.invalid(field: "norm_num_groups", reason: "\(channels) channels are not divisible into \(groups) groups at \(scope.prefix)")
        }
        self.groups = groups
        self.channels = channels
        self.eps = eps
        self.weight = try scope.take("weight", [channels])
        self.bias = try scope.take("bias", [channels])
    }

    /// x: [N, C, ...] → same shape
    public func callAsFunction(_ b: any Backend, _ x: Tensor) -> Tensor {
        b.groupNorm(x, groups: groups, weight: weight, bias: bias, eps: eps)
    }

    /// GroupNorm of [B·F, C, h, w] written as transformer tokens: [B, h·w, C] with per-frame
    /// statistics (`frames == 1`), or [B·h·w, F, C] with statistics over all F frames.
    public func tokens(_ b: any Backend, _ x: Tensor, frames: Int) -> Tensor {
        b.groupNormTokens(x, groups: groups, weight: weight, bias: bias, eps: eps, frames: frames)
    }

    /// SiLU(GroupNorm(x)) in one backend call (one pass over memory on the GPU).
    public func silu(_ b: any Backend, _ x: Tensor) -> Tensor {
        b.groupNormSiLU(x, groups: groups, weight: weight, bias: bias, eps: eps)
    }

    /// SiLU(GroupNorm(x)) of frame-major maps [B·F, C, h, w] with statistics per video over all
    /// F frames (the 5-D GroupNorm of the temporal layers), in x's layout.
    /// `inputBias` ([C]) is added to x per channel first (a preceding convolution's bias).
    public func silu(_ b: any Backend, _ x: Tensor, inputBias: Tensor? = nil, frames: Int) -> Tensor {
        b.groupNormSiLU(x, inputBias: inputBias, groups: groups, weight: weight, bias: bias, eps: eps, frames: frames)
    }

    /// act(GroupNorm(x)), fused when `act` is SiLU.
    public func activated(_ b: any Backend, _ x: Tensor, _ act: Activation) -> Tensor {
        act == .silu ? silu(b, x) : act(b, callAsFunction(b, x))
    }
}
