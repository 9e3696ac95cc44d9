// Matches torch.nn.Conv2d (zero padding; weights keep PyTorch's [out, in, kh, kw] layout).
import ModelIO
import Tensor

/// 2-D convolution with explicit (possibly asymmetric) zero padding.
/// Keys: `<scope>.weight` [out, in, k, k], `<scope>.bias` [out].
public struct Conv2d {
    public let inChannels: Int
    public let outChannels: Int
    public let kernelSize: Int
    public let stride: Int
    public let padding: Padding2D
    public let weight: Tensor  // [out, in, k, k]
    public let bias: Tensor?   // [out]

    public init(
        _ scope: WeightScope, inChannels: Int, outChannels: Int, kernelSize: Int,
        stride: Int = 1, padding: Padding2D = .same(0), bias: Bool = true
    ) throws {
        self.inChannels = inChannels
        self.outChannels = outChannels
        self.kernelSize = kernelSize
        self.stride = stride
        self.padding = padding
        self.weight = try scope.take("weight", [outChannels, inChannels, kernelSize, kernelSize])
        self.bias = bias ? try scope.take("bias", [outChannels]) : nil
    }

    /// x: [N, in, H, W] → [N, out, Ho, Wo]
    public func callAsFunction(_ b: any Backend, _ x: Tensor) -> Tensor {
        b.conv2d(x, weight: weight, bias: bias, stride: stride, padding: padding)
    }

    /// The convolution with `bias` in place of the layer's own (nil: none), for callers that fold
    /// the bias into a neighbouring add.
    public func callAsFunction(_ b: any Backend, _ x: Tensor, bias override: Tensor?) -> Tensor {
        b.conv2d(x, weight: weight, bias: override, stride: stride, padding: padding)
    }
}
