import ModelIO
import Tensor

/// `preprocess`: image uint8 [H0, W0, 3] with metadata height, width → clip_pixel_values
/// [1, 3, S, S] and vae_pixel_values [1, 3, H, W] in [−1, 1]. Reads the crop size and the
/// normalisation from `feature_extractor/preprocessor_config.json`.
public struct PreprocessParity: ParityComponent {
    public init() {}
    public var name: String { "preprocess" }
    /// Largest accepted output side (the CLIP path crops a width×width square first).
    static let maxSide = 8192
    public var summary: String { "image uint8 [H0,W0,3] + height, width → clip_pixel_values, vae_pixel_values" }

    public func run(_ ctx: ParityContext) throws -> ParityOutputs {
        let config = try CLIPImageProcessorConfig.load(from: ctx.model)
        let (bytes, shape) = try ctx.inputs.bytes("image", pattern: [nil, nil, 3], expected: "uint8 [H0, W0, 3]")
        let height = try ctx.inputs.int("height"), width = try ctx.inputs.int("width")
        for (key, v) in [("height", height), ("width", width)] where v <= 0 || v > Self.maxSide {
            throw ParityError.invalidInput(file: ctx.inputs.path, name: key, reason: "is \(v), expected 1...\(Self.maxSide)")
        }
        let image = try RGB8Image(width: shape[1], height: shape[0], pixels: bytes)
        let p = try ImagePreprocessor.preprocess(image, width: width, height: height, config: config)
        var out = ParityOutputs()
        try out.add("clip_pixel_values", float32: p.clipPixelValues, shape: p.clipShape)
        try out.add("vae_pixel_values", float32: p.vaePixelValues, shape: p.vaeShape)
        return out
    }
}
