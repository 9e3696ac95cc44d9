import ModelIO
import Tensor

extension I2VGenXLUNet {
    /// The pipeline's `unet/`: config.json decoded and validated (errors name the file and key),
    /// every weight bound strictly (fp16 variant preferred, kept fp16 in memory).
    public static func load(from dir: ModelDirectory, component: String = "unet", backend: any Backend,
                            options: UNetOptions = UNetOptions()) throws -> I2VGenXLUNet {
        let config = try ComponentLoader.config(I2VGenXLUNetConfig.self, in: dir, component: component)
        return try ComponentLoader.build(dir, component: component, backend: backend) {
            try I2VGenXLUNet(config: config, weights: WeightScope($0), options: options)
        }
    }
}

extension I2VGenXLPipeline {
    /// Loads every component of a diffusers-layout I2VGen-XL folder (`model_index.json`, `unet/`,
    /// `vae/`, `text_encoder/`, `tokenizer/`, `image_encoder/`, `feature_extractor/`, `scheduler/`).
    /// `unetOptions` nil: the CPU's bounded-memory defaults on the CPU backend, `.gpu` elsewhere.
    /// The VAE runs on `vaeBackend` when given (see `I2VGenXLPipeline.vaeBackend`).
    public static func load(from path: String, backend: any Backend, vaeBackend: (any Backend)? = nil,
                            unetOptions: UNetOptions? = nil) throws -> I2VGenXLPipeline {
        let unetOptions = unetOptions ?? (backend is CPUBackend ? UNetOptions() : .gpu)
        let dir = try ModelDirectory(path: path)
        return I2VGenXLPipeline(
            backend: backend,
            tokenizer: try CLIPTokenizer(folder: dir.component("tokenizer")),
            textEncoder: try CLIPTextModel.load(from: dir, backend: backend),
            imageEncoder: try CLIPVisionModelWithProjection.load(from: dir, backend: backend),
            imageProcessor: try CLIPImageProcessorConfig.load(from: dir),
            vae: try AutoencoderKL.load(from: dir, backend: vaeBackend ?? backend),
            unet: try I2VGenXLUNet.load(from: dir, backend: backend, options: unetOptions),
            schedulerConfig: try DDIMScheduler.load(from: dir).config,
            vaeBackend: vaeBackend)
    }
}

extension CLIPTokenizer: PromptTokenizer {
    /// `[BOS, tokens…, EOS, PAD…]` of `model_max_length` ids, as the pipeline's `encode_prompt` pads.
    public func inputIDs(for prompt: String) throws -> [Int] { encode(prompt) }
}
