// Matches torch.nn.Linear (weights keep PyTorch's [out, in] layout and key names).
import ModelIO
import Tensor

/// y = x·Wᵀ + b over the last dimension. Keys: `<scope>.weight` [out, in], `<scope>.bias` [out].
public struct Linear {
    public let inFeatures: Int
    public let outFeatures: Int
    public let weight: Tensor  // [out, in]
    public let bias: Tensor?   // [out]

    public init(_ scope: WeightScope, inFeatures: Int, outFeatures: Int, bias: Bool = true) throws {
        self.inFeatures = inFeatures
        self.outFeatures = outFeatures
        self.weight = try scope.take("weight", [outFeatures, inFeatures])
        self.bias = bias ? try scope.take("bias", [outFeatures]) : nil
    }

    /// A projection from tensors already taken (e.g. stacked weights). weight: [out, in], bias: [out].
    public init(weight: Tensor, bias: Tensor?) {
        precondition(weight.rank == 2 && bias.map { $0.shape == [weight.shape[0]] } ?? true, "Linear: weight \(weight.shape)")
        self.inFeatures = weight.shape[1]
        self.outFeatures = weight.shape[0]
        self.weight = weight
        self.bias = bias
    }

    /// x: [..., in] → [..., out]
    public func callAsFunction(_ b: any Backend, _ x: Tensor) -> Tensor {
        b.linear(x, weight: weight, bias: bias)
    }

    /// x·Wᵀ + b + residual in one backend call (fused into the GEMM on the GPU).
    /// x: [..., in], residual: [..., out] → [..., out]
    public func callAsFunction(_ b: any Backend, _ x: Tensor, adding residual: Tensor) -> Tensor {
        b.linear(x, weight: weight, bias: bias, adding: residual)
    }
}
