// Matches torch.nn.Conv3d with kernel (k, 1, 1) and padding ((k-1)/2, 0, 0), as diffusers'
// TemporalConvLayer builds it.
import ModelIO
import Tensor

/// Convolution along the frame axis only. Keys: `<scope>.weight` [out, in, k, 1, 1], `<scope>.bias` [out].
struct TemporalConv3d {
    let weight: Tensor  // [out, in, k, 1, 1]
    let bias: Tensor    // [out]

    init(_ s: WeightScope, inChannels: Int, outChannels: Int, kernel: Int = 3) throws {
        weight = try s.take("weight", [outChannels, inChannels, kernel, 1, 1])
        bias = try s.take("bias", [outChannels])
    }

    /// x: [B·F, C, H, W] frame-major (sample b·F + f) → [B·F, Cout, H, W]; the conv over
    /// [B, C, F, H, W] with zero padding at both ends of each video's frames, without permutes.
    /// Without `addingBias` the caller adds `bias` itself (folded into the next op).
    func callAsFunction(_ be: any Backend, _ x: Tensor, frames: Int, addingBias: Bool = true) -> Tensor {
        be.conv3dTemporalFrames(x, weight: weight, bias: addingBias ? bias : nil, frames: frames)
    }

    /// residual + the convolution of x (frame-major), in the backend's bias pass where it can.
    func callAsFunction(_ be: any Backend, _ x: Tensor, frames: Int, adding residual: Tensor) -> Tensor {
        be.conv3dTemporalFrames(x, weight: weight, bias: bias, frames: frames, adding: residual)
    }

    /// x: [B, C, F, H, W] → [B, Cout, F, H, W] (the video layout).
    func video(_ be: any Backend, _ x: Tensor) -> Tensor {
        be.conv3dTemporal(x, weight: weight, bias: bias)
    }
}
