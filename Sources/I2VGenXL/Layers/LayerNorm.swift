// Matches torch.nn.LayerNorm over the last dimension.
import ModelIO
import Tensor

/// LayerNorm over the last dimension, with or without affine parameters.
/// Keys (affine): `<scope>.weight` [D], `<scope>.bias` [D].
public struct LayerNorm {
    public let dim: Int
    public let eps: Float
    public let weight: Tensor?  // [D]
    public let bias: Tensor?    // [D]

    public init(_ scope: WeightScope, dim: Int, eps: Float, affine: Bool = true, bias: Bool = true) throws {
        self.dim = dim
        self.eps = eps
        self.weight = affine ? try scope.take("weight", [dim]) : nil
        self.bias = affine && bias ? try scope.take("bias", [dim]) : nil
    }

    /// x: [..., D] → same shape
    public func callAsFunction(_ b: any Backend, _ x: Tensor) -> Tensor {
        b.layerNorm(x, weight: weight, bias: bias, eps: eps)
    }
}
