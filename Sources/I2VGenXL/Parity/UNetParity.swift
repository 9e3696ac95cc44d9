import ModelIO
import Tensor

/// `unet`: sample [B,4,F,h,w], timestep int64 [B], fps int64 [B], encoder_hidden_states [B,77,D],
/// image_latents [B,4,F,h,w], image_embeddings [B,1,P] → sample [B,4,F,h,w] (one UNet call).
public struct UNetParity: ParityComponent {
    public init() {}
    public var name: String { "unet" }
    public var summary: String { "sample, timestep, fps, encoder_hidden_states, image_latents, image_embeddings → sample" }

    public func run(_ ctx: ParityContext) throws -> ParityOutputs {
        let unet = try I2VGenXLUNet.load(from: ctx.model, backend: ctx.backend)
        let c = unet.config, be = ctx.backend, ins = ctx.inputs
        let sample = try ins.floatTensor("sample", pattern: [nil, c.inChannels, nil, nil, nil],
                                         expected: "float32 [B, \(c.inChannels), F, h, w]", on: be)
        let b = sample.shape[0]
        let latents = try ins.floatTensor("image_latents", pattern: sample.shape.map { Optional($0) },
                                          expected: "float32 \(sample.shape) (the sample's shape)", on: be)
        let text = try ins.floatTensor("encoder_hidden_states", pattern: [b, nil, c.crossAttentionDim],
                                       expected: "float32 [\(b), L, \(c.crossAttentionDim)]", on: be)
        let emb = try ins.floatTensor("image_embeddings", pattern: [b, 1, c.crossAttentionDim],
                                      expected: "float32 [\(b), 1, \(c.crossAttentionDim)]", on: be)
        let timesteps = try ins.intValues("timestep", pattern: [b], expected: "int64 [\(b)]").values
        let fps = try ins.intValues("fps", pattern: [b], expected: "int64 [\(b)]").values
        let out = try unet(be, sample: sample, timesteps: timesteps.map(Double.init), fps: fps,
                           encoderHiddenStates: text, imageLatents: latents, imageEmbeddings: emb)
        var outputs = ParityOutputs()
        try outputs.add("sample", out, on: be)
        return outputs
    }
}
