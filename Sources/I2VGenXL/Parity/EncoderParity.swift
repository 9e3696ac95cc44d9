import ModelIO
import Tensor

/// `text-encoder`: input_ids int64 [N, 77] → prompt_embeds [N, 77, D] (penultimate layer, then
/// the final layer norm — what the pipeline feeds the UNet).
public struct TextEncoderParity: ParityComponent {
    public init() {}
    public var name: String { "text-encoder" }
    public var summary: String { "input_ids int64 [N,77] → prompt_embeds [N,77,D]" }

    public func run(_ ctx: ParityContext) throws -> ParityOutputs {
        let model = try CLIPTextModel.load(from: ctx.model, backend: ctx.backend)
        let (ids, shape) = try ctx.inputs.intValues("input_ids", pattern: [nil, nil], expected: "int64 [N, 77]")
        let n = shape[0], l = shape[1]
        let rows = (0..<n).map { Array(ids[($0 * l)..<(($0 + 1) * l)]) }
        let embeds = try model.encode(ctx.backend, ids: rows)  // [N, L, D]
        var out = ParityOutputs()
        try out.add("prompt_embeds", embeds, on: ctx.backend)
        return out
    }
}

/// `image-encoder`: pixel_values [N, 3, S, S] (already normalised) → image_embeds [N, P].
public struct ImageEncoderParity: ParityComponent {
    public init() {}
    public var name: String { "image-encoder" }
    public var summary: String { "pixel_values [N,3,S,S] → image_embeds [N,P]" }

    public func run(_ ctx: ParityContext) throws -> ParityOutputs {
        let model = try CLIPVisionModelWithProjection.load(from: ctx.model, backend: ctx.backend)
        let s = model.config.imageSize, c = model.config.numChannels
        let pixels = try ctx.inputs.floatTensor("pixel_values", pattern: [nil, c, s, s], expected: "float32 [N, \(c), \(s), \(s)]", on: ctx.backend)
        var out = ParityOutputs()
        try out.add("image_embeds", model.imageEmbeds(ctx.backend, pixelValues: pixels), on: ctx.backend)
        return out
    }
}
