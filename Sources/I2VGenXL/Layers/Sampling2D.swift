// Matches diffusers models/downsampling.py: Downsample2D and models/upsampling.py: Upsample2D
// (use_conv=True, 3×3 convolution named `conv`).
import ModelIO
import Tensor

/// Stride-2 3×3 convolution. `padding == 0` reproduces diffusers' asymmetric case: zero pad one
/// column on the right and one row at the bottom (F.pad (0,1,0,1)), then convolve without padding
/// (the VAE). Any other value pads symmetrically (the UNet uses 1). Keys: `conv.{weight,bias}`.
public struct Downsample2D {
    public let conv: Conv2d

    public init(_ scope: WeightScope, channels: Int, outChannels: Int? = nil, padding: Int) throws {
        let pad = padding == 0 ? Padding2D(top: 0, bottom: 1, left: 0, right: 1) : .same(padding)
        conv = try Conv2d(scope["conv"], inChannels: channels, outChannels: outChannels ?? channels,
                          kernelSize: 3, stride: 2, padding: pad)
    }

    /// x: [N, C, H, W] → [N, Cout, Ho, Wo], Ho = ⌊(H + padding rows − 3)/2⌋ + 1 (H/2 for even H)
    public func callAsFunction(_ b: any Backend, _ x: Tensor) -> Tensor { conv(b, x) }
}

/// Nearest-neighbour ×2 upsampling followed by a 3×3 convolution (padding 1). Keys: `conv.{weight,bias}`.
public struct Upsample2D {
    public let conv: Conv2d

    public init(_ scope: WeightScope, channels: Int, outChannels: Int? = nil) throws {
        conv = try Conv2d(scope["conv"], inChannels: channels, outChannels: outChannels ?? channels,
                          kernelSize: 3, padding: .same(1))
    }

    /// x: [N, C, H, W] → [N, Cout, 2H, 2W]
    public func callAsFunction(_ b: any Backend, _ x: Tensor) -> Tensor {
        conv(b, b.upsampleNearest2x(x))
    }
}
