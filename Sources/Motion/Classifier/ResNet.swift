// Matches torchvision torchvision/models/resnet.py: ResNet with Bottleneck blocks (ResNet-50:
// layers [3, 4, 6, 3]), eval mode. Checkpoint keys are torchvision's state_dict keys.
import Foundation
import ModelIO
import Tensor

/// `config.json` written by scripts/convert_resnet50.py.
public struct ResNetConfig: Codable, Sendable, Equatable {
    public var stem_width: Int
    public var planes: [Int]
    public var blocks: [Int]
    public var expansion: Int
    public var num_classes: Int
    public var bn_eps: Double
    public var mean: [Double]
    public var std: [Double]
    public var resize: Int
    public var crop: Int

    /// torchvision's ResNet-50.
    public static let resnet50 = ResNetConfig(stem_width: 64, planes: [64, 128, 256, 512], blocks: [3, 4, 6, 3], expansion: 4,
                                              num_classes: 1000, bn_eps: 1e-5, mean: [0.485, 0.456, 0.406],
                                              std: [0.229, 0.224, 0.225], resize: 256, crop: 224)

    public static func load(_ url: URL) throws -> ResNetConfig {
        do {
            let c = try JSONDecoder().decode(ResNetConfig.self, from: Data(contentsOf: url))
            guard c.planes.count == c.blocks.count, !c.planes.isEmpty, c.mean.count == 3, c.std.count == 3 else {
                throw MotionError.dataFile(path: url.path, problem: "planes/blocks must have equal length; mean and std three values")
            }
            return c
        } catch let e as MotionError {
            throw e
        } catch {
            throw MotionError.dataFile(path: url.path, problem: DecodingProblem.describe(error))
        }
    }
}

/// ResNet with batch norm folded into the preceding convolution at load time:
/// w' = w·γ/√(σ²+ε), b' = β − μ·γ/√(σ²+ε), which equals conv → BatchNorm2d in eval mode.
public final class ResNet: @unchecked Sendable {
    struct ConvBN {
        var weight: Tensor   // [O, C, k, k]
        var bias: Tensor     // [O]
        var stride: Int
        var padding: Int
    }

    struct Bottleneck {
        var conv1: ConvBN
        var conv2: ConvBN
        var conv3: ConvBN
        var downsample: ConvBN?
    }

    public let config: ResNetConfig
    let backend: any Backend
    let stem: ConvBN
    let layers: [[Bottleneck]]
    let fcWeight: Tensor  // [classes, planes.last · expansion]
    let fcBias: Tensor    // [classes]

    /// Builds the network from `weights` (strict: every tensor must be taken, shapes checked).
    public init(weights: any WeightProvider, config: ResNetConfig, backend: any Backend) throws {
        self.config = config
        self.backend = backend
        let root = WeightScope(weights)
        let eps = Float(config.bn_eps)
        func convBN(_ conv: WeightScope, _ convName: String, _ bn: WeightScope, out: Int, in cin: Int, k: Int, stride: Int, padding: Int) throws -> ConvBN {
            let w = try conv.take(convName, [out, cin, k, k])
            let gamma = backend.toHost(try bn.take("weight", [out]))
            let beta = backend.toHost(try bn.take("bias", [out]))
            let mean = backend.toHost(try bn.take("running_mean", [out]))
            let variance = backend.toHost(try bn.take("running_var", [out]))
            var wv = backend.toHost(w)
            var bv = [Float](repeating: 0, count: out)
            let per = cin * k * k
            for o in 0..<out {
                let s = gamma[o] / (variance[o] + eps).squareRoot()
                for i in 0..<per { wv[o * per + i] *= s }
                bv[o] = beta[o] - mean[o] * s
            }
            return ConvBN(weight: backend.tensor(wv, shape: [out, cin, k, k]), bias: backend.tensor(bv, shape: [out]),
                          stride: stride, padding: padding)
        }
        stem = try convBN(root, "conv1.weight", root["bn1"], out: config.stem_width, in: 3, k: 7, stride: 2, padding: 3)
        var inplanes = config.stem_width
        var built: [[Bottleneck]] = []
        for (li, (planes, count)) in zip(config.planes, config.blocks).enumerated() {
            let layer = root["layer\(li + 1)"]
            var blocks: [Bottleneck] = []
            for b in 0..<count {
                let s = layer["\(b)"]
                let stride = (b == 0 && li > 0) ? 2 : 1
                let out = planes * config.expansion
                let c1 = try convBN(s, "conv1.weight", s["bn1"], out: planes, in: inplanes, k: 1, stride: 1, padding: 0)
                // torchvision ≥ 0.x (ResNet v1.5) strides the 3×3 convolution.
                let c2 = try convBN(s, "conv2.weight", s["bn2"], out: planes, in: planes, k: 3, stride: stride, padding: 1)
                let c3 = try convBN(s, "conv3.weight", s["bn3"], out: out, in: planes, k: 1, stride: 1, padding: 0)
                var ds: ConvBN? = nil
                if stride != 1 || inplanes != out {
                    ds = try convBN(s["downsample"], "0.weight", s["downsample"]["1"], out: out, in: inplanes, k: 1, stride: stride, padding: 0)
                }
                blocks.append(Bottleneck(conv1: c1, conv2: c2, conv3: c3, downsample: ds))
                inplanes = out
            }
            built.append(blocks)
        }
        layers = built
        fcWeight = try root.take("fc.weight", [config.num_classes, inplanes])
        fcBias = try root.take("fc.bias", [config.num_classes])
    }

    /// Loads `directory/config.json` and the weights in `directory` (model.safetensors).
    public convenience init(directory: String, backend: any Backend) throws {
        let config = try ResNetConfig.load(URL(fileURLWithPath: directory).appendingPathComponent("config.json"))
        let weights = try StrictWeights(folder: directory, backend: backend)
        try self.init(weights: weights, config: config, backend: backend)
        try weights.finish()
    }

    func apply(_ c: ConvBN, _ x: Tensor, relu: Bool) -> Tensor {
        let y = backend.conv2d(x, weight: c.weight, bias: c.bias, stride: c.stride, padding: .same(c.padding))
        return relu ? self.relu(y) : y
    }

    func relu(_ x: Tensor) -> Tensor { backend.clamp(x, min: 0, max: .greatestFiniteMagnitude) }

    /// Stem and max pool. x: [N, 3, H, W] → [N, stem, H/4, W/4]
    func stemForward(_ x: Tensor) -> Tensor {
        let y = apply(stem, x, relu: true)  // y: [N, stem, H/2, W/2]
        return maxPool3x3s2(y)
    }

    func layerForward(_ x: Tensor, _ blocks: [Bottleneck]) -> Tensor {
        var x = x
        for b in blocks {
            var out = apply(b.conv1, x, relu: true)
            out = apply(b.conv2, out, relu: true)
            out = apply(b.conv3, out, relu: false)
            let identity = b.downsample.map { apply($0, x, relu: false) } ?? x
            x = relu(backend.add(out, identity))
        }
        return x
    }

    /// Output of `layer1` (for parity checks). x: [N, 3, H, W] → [N, planes[0]·expansion, H/4, W/4]
    public func layer1Features(_ x: Tensor) -> Tensor {
        layerForward(stemForward(x), layers[0])
    }

    /// Class logits. x: [N, 3, H, W] (normalised) → [N, num_classes]
    public func logits(_ x: Tensor) -> Tensor {
        var h = stemForward(x)
        for blocks in layers { h = layerForward(h, blocks) }
        let pooled = backend.adaptiveAvgPool2d(h, outH: 1, outW: 1)  // pooled: [N, C, 1, 1]
        let flat = pooled.reshaped([pooled.dim(0), pooled.dim(1)])  // flat: [N, C]
        return backend.linear(flat, weight: fcWeight, bias: fcBias)
    }

    /// `nn.MaxPool2d(kernel_size=3, stride=2, padding=1)`, padding never wins. x: [N, C, H, W]
    func maxPool3x3s2(_ x: Tensor) -> Tensor {
        let n = x.dim(0), c = x.dim(1), h = x.dim(2), w = x.dim(3)
        let ho = (h + 2 - 3) / 2 + 1, wo = (w + 2 - 3) / 2 + 1
        let v = backend.toHost(x)
        var out = [Float](repeating: 0, count: n * c * ho * wo)
        for plane in 0..<(n * c) {
            let base = plane * h * w, ob = plane * ho * wo
            for oy in 0..<ho {
                for ox in 0..<wo {
                    var m = -Float.infinity
                    for ky in 0..<3 {
                        let iy = oy * 2 - 1 + ky
                        guard iy >= 0 && iy < h else { continue }
                        for kx in 0..<3 {
                            let ix = ox * 2 - 1 + kx
                            guard ix >= 0 && ix < w else { continue }
                            m = max(m, v[base + iy * w + ix])
                        }
                    }
                    out[ob + oy * wo + ox] = m
                }
            }
        }
        return backend.tensor(out, shape: [n, c, ho, wo])
    }
}
