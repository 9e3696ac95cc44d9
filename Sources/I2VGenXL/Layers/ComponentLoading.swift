import ModelIO
import Tensor

/// Builds one model component from its folder in a diffusers pipeline directory: decodes the
/// config, binds every weight strictly (shape-checked; fp16 variant preferred; sharded sets
/// supported) and fails, naming the keys, if the folder holds tensors the model did not take.
public enum ComponentLoader {
    /// Decodes `<component>/<configFile>` into `T`, with errors naming the file and key.
    public static func config<T: Decodable>(_ type: T.Type, in dir: ModelDirectory, component: String, file: String = "config.json") throws -> T {
        try ConfigFile.decode(type, from: dir.file(file, in: component))
    }

    /// Opens `<component>/`'s weights, lets `build` take them, then checks nothing was left over.
    /// A config value the model cannot be built with is reported against `<component>/config.json`.
    public static func build<M>(
        _ dir: ModelDirectory, component: String, backend: any Backend, aliases: [WeightKeyAlias] = [],
        _ build: (StrictWeights) throws -> M
    ) throws -> M {
        let weights = try StrictWeights(folder: dir.component(component), backend: backend, aliases: aliases)
        let model = try naming(configFile: dir.path + "/" + component + "/config.json") { try build(weights) }
        try weights.finish()
        return model
    }

    /// Runs `body`, turning a `ModelConfigError` into a one-line error that names `configFile`.
    public static func naming<R>(configFile: String, _ body: () throws -> R) throws -> R {
        do {
            return try body()
        } catch let error as ModelConfigError {
            switch error {
            case .invalid(let field, let reason):
                throw ModelIOError.invalidJSON(file: configFile, key: field, detail: reason)
            }
        }
    }
}

extension CLIPTextModel {
    /// The pipeline's `text_encoder/` (keys with or without the `text_model.` prefix).
    public static func load(from dir: ModelDirectory, component: String = "text_encoder", backend: any Backend) throws -> CLIPTextModel {
        let config = try ComponentLoader.config(CLIPTextConfig.self, in: dir, component: component)
        return try ComponentLoader.build(dir, component: component, backend: backend, aliases: [.clipTextModel]) {
            try CLIPTextModel(config: config, weights: $0)
        }
    }
}

extension CLIPVisionModelWithProjection {
    /// The pipeline's `image_encoder/` (keys with or without the `vision_model.` prefix).
    public static func load(from dir: ModelDirectory, component: String = "image_encoder", backend: any Backend) throws -> CLIPVisionModelWithProjection {
        let config = try ComponentLoader.config(CLIPVisionConfig.self, in: dir, component: component)
        return try ComponentLoader.build(dir, component: component, backend: backend, aliases: [.clipVisionModel]) {
            try CLIPVisionModelWithProjection(config: config, weights: $0)
        }
    }
}

extension AutoencoderKL {
    /// The pipeline's `vae/`.
    public static func load(from dir: ModelDirectory, component: String = "vae", backend: any Backend) throws -> AutoencoderKL {
        let config = try ComponentLoader.config(AutoencoderKLConfig.self, in: dir, component: component)
        return try ComponentLoader.build(dir, component: component, backend: backend) {
            try AutoencoderKL(config: config, weights: $0)
        }
    }
}

extension DDIMScheduler {
    /// The pipeline's `scheduler/scheduler_config.json`.
    public static func load(from dir: ModelDirectory, component: String = "scheduler") throws -> DDIMScheduler {
        let file = "scheduler_config.json"
        let config = try ComponentLoader.config(DDIMSchedulerConfig.self, in: dir, component: component, file: file)
        return try ComponentLoader.naming(configFile: dir.path + "/" + component + "/" + file) {
            try DDIMScheduler(config: config)
        }
    }
}

extension CLIPImageProcessorConfig {
    /// The pipeline's `feature_extractor/preprocessor_config.json`.
    public static func load(from dir: ModelDirectory, component: String = "feature_extractor") throws -> CLIPImageProcessorConfig {
        try ComponentLoader.config(CLIPImageProcessorConfig.self, in: dir, component: component, file: "preprocessor_config.json")
    }
}
