// Matches diffusers models/resnet.py: ResnetBlock2D (time_embedding_norm "default", no up/down
// sampling inside the block, conv_shortcut as a 1×1 convolution when the channel count changes).
import ModelIO
import Tensor

/// norm1 → act → conv1 (+ time_emb_proj(act(temb)) per channel) → norm2 → act → conv2, plus the
/// (projected) input, divided by `outputScaleFactor`.
///
/// Keys: `norm1`, `conv1`, `norm2`, `conv2`, optional `time_emb_proj`, and `conv_shortcut` when
/// `inChannels != outChannels`.
public struct ResnetBlock2D {
    public struct Options {
        public var groups: Int
        /// Groups of norm2; nil means `groups`.
        public var groupsOut: Int?
        public var eps: Float
        /// Width of the time embedding; nil means the block has no `time_emb_proj`.
        public var tembChannels: Int?
        public var activation: Activation
        public var outputScaleFactor: Float

        public init(
            groups: Int, groupsOut: Int? = nil, eps: Float, tembChannels: Int? = nil,
            activation: Activation = .silu, outputScaleFactor: Float = 1
        ) {
            self.groups = groups; self.groupsOut = groupsOut; self.eps = eps; self.tembChannels = tembChannels
            self.activation = activation; self.outputScaleFactor = outputScaleFactor
        }
    }

    public let inChannels: Int
    public let outChannels: Int
    public let options: Options
    public let norm1: GroupNorm
    public let conv1: Conv2d
    public let timeEmbProj: Linear?
    public let norm2: GroupNorm
    public let conv2: Conv2d
    public let convShortcut: Conv2d?

    public init(_ scope: WeightScope, inChannels: Int, outChannels: Int, options: Options) throws {
        self.inChannels = inChannels
        self.outChannels = outChannels
        self.options = options
        norm1 = try GroupNorm(scope["norm1"], groups: options.groups, channels: inChannels, eps: options.eps)
        conv1 = try Conv2d(scope["conv1"], inChannels: inChannels, outChannels: outChannels, kernelSize: 3, padding: .same(1))
        if let temb = options.tembChannels {
            timeEmbProj = try Linear(scope["time_emb_proj"], inFeatures: temb, outFeatures: outChannels)
        } else {
            timeEmbProj = nil
        }
        norm2 = try GroupNorm(scope["norm2"], groups: options.groupsOut ?? options.groups, channels: outChannels, eps: options.eps)
        conv2 = try Conv2d(scope["conv2"], inChannels: outChannels, outChannels: outChannels, kernelSize: 3, padding: .same(1))
        convShortcut = inChannels != outChannels
            ? try Conv2d(scope["conv_shortcut"], inChannels: inChannels, outChannels: outChannels, kernelSize: 1)
            : nil
    }

    /// x: [N, Cin, H, W], temb: [N, T] (required iff the block has `time_emb_proj`) → [N, Cout, H, W]
    public func callAsFunction(_ b: any Backend, _ x: Tensor, temb: Tensor? = nil) -> Tensor {
        let act = options.activation
        var h = norm1.activated(b, x, act)
        if let proj = timeEmbProj {
            precondition(temb != nil, "ResnetBlock2D with time_emb_proj needs a time embedding")
            // conv1's bias rides on the time embedding ([N, Cout], tiny), so the feature map takes
            // one broadcast add instead of a bias pass and an add.
            var t = proj(b, act(b, temb!))                           // [N, Cout]
            if let bias = conv1.bias { t = b.add(t, bias.reshaped([1, outChannels])) }
            h = conv1(b, h, bias: nil)                               // [N, Cout, H, W]
            h = b.add(h, t.reshaped([t.shape[0], outChannels, 1, 1]))
        } else {
            h = conv1(b, h)                                          // [N, Cout, H, W]
        }
        h = norm2.activated(b, h, act)
        var y: Tensor
        if let shortcut = convShortcut {
            // conv2's bias rides on the 1×1 shortcut convolution's.
            let bias: Tensor? = switch (shortcut.bias, conv2.bias) {
            case let (s?, c?): b.add(s, c)
            case let (s, c): s ?? c
            }
            y = b.add(shortcut(b, x, bias: bias), conv2(b, h, bias: nil))  // [N, Cout, H, W]
        } else {
            y = b.add(x, conv2(b, h))
        }
        if options.outputScaleFactor != 1 { y = b.scale(y, 1 / options.outputScaleFactor) }
        return y
    }
}
