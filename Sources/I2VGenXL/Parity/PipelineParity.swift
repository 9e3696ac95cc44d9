import ModelIO
import Tensor

/// `pipeline`: image uint8 [H0,W0,3]; metadata prompt, optional negative_prompt, height, width,
/// num_frames, num_inference_steps, guidance_scale, target_fps; latents [1,4,F,h,w] (initial
/// noise) and image_latents_noise [1,4,h,w] (the VAE posterior ε) → frames [F,H,W,3] in [0,1]
/// (before 8-bit rounding) and latents [1,4,F,h,w] (final, scaled).
public struct PipelineParity: ParityComponent {
    public init() {}
    public var name: String { "pipeline" }
    public var summary: String { "image, prompt, sizes, steps, guidance, fps, latents, image_latents_noise → frames, latents" }

    public func run(_ ctx: ParityContext) throws -> ParityOutputs {
        let ins = ctx.inputs
        let request = try Self.request(ins)
        let pipeline = try I2VGenXLPipeline.load(from: ctx.model.path, backend: ctx.backend)
        let shape = pipeline.latentShape(request)
        let eps = [1, shape[1], shape[3], shape[4]]
        let latents = try ins.floatTensor("latents", pattern: shape.map { Optional($0) }, expected: "float32 \(shape)", on: ctx.backend)
        let noise = try ins.floatTensor("image_latents_noise", pattern: eps.map { Optional($0) }, expected: "float32 \(eps)", on: ctx.backend)
        let result = try pipeline.generate(request, noise: .injected(latents: ctx.backend.toHost(latents),
                                                                      imageLatentsNoise: ctx.backend.toHost(noise)))
        var out = ParityOutputs()
        try out.add("frames", float32: result.frames, shape: [result.numFrames, result.height, result.width, 3])
        try out.add("latents", float32: result.latents, shape: result.latentShape)
        return out
    }

    /// The request described by the inputs file (diffusers' defaults where metadata is absent).
    static func request(_ ins: ParityInputs) throws -> I2VGenXLRequest {
        let (bytes, shape) = try ins.bytes("image", pattern: [nil, nil, 3], expected: "uint8 [H0, W0, 3]")
        let image = try RGB8Image(width: shape[1], height: shape[0], pixels: bytes)
        guard let prompt = ins.metadata("prompt") else {
            throw ParityError.missingInput(file: ins.path, name: "prompt", expected: "a string in __metadata__")
        }
        var r = I2VGenXLRequest(image: image, prompt: prompt, negativePrompt: ins.metadata("negative_prompt") ?? "")
        func optionalInt(_ key: String) throws -> Int? { ins.metadata(key) == nil ? nil : try ins.int(key) }
        if let v = try optionalInt("height") { r.height = v }
        if let v = try optionalInt("width") { r.width = v }
        if let v = try optionalInt("num_frames") { r.numFrames = v }
        if let v = try optionalInt("num_inference_steps") { r.numInferenceSteps = v }
        if let v = try optionalInt("target_fps") { r.targetFPS = v }
        if let v = try ins.double("guidance_scale") { r.guidanceScale = v }
        return r
    }
}
