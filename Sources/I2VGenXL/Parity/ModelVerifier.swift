import Foundation
import ModelIO
import Tensor

/// How one component folder of a pipeline is built, for `i2v models verify`: the same model
/// construction code as loading, driven by a shape-only provider.
public struct WeightSchema: Sendable {
    /// The folder name in the pipeline directory (`text_encoder`, `vae`, ...).
    public let component: String
    public let aliases: [WeightKeyAlias]
    /// Decodes the component's config from the pipeline folder and builds the model on `weights`.
    public let build: @Sendable (ModelDirectory, any WeightProvider) throws -> Void

    public init(component: String, aliases: [WeightKeyAlias] = [], build: @escaping @Sendable (ModelDirectory, any WeightProvider) throws -> Void) {
        self.component = component
        self.aliases = aliases
        self.build = build
    }

    /// The component schemas `i2v models verify` checks: every weight-bearing folder of the pipeline.
    public static let all: [WeightSchema] = [unet, textEncoder, imageEncoder, vae]

    public static let unet = WeightSchema(component: "unet") { dir, w in
        let config = try ComponentLoader.config(I2VGenXLUNetConfig.self, in: dir, component: "unet")
        _ = try ComponentLoader.naming(configFile: dir.path + "/unet/config.json") {
            try I2VGenXLUNet(config: config, weights: WeightScope(w))
        }
    }

    public static let textEncoder = WeightSchema(component: "text_encoder", aliases: [.clipTextModel]) { dir, w in
        let config = try ComponentLoader.config(CLIPTextConfig.self, in: dir, component: "text_encoder")
        _ = try ComponentLoader.naming(configFile: dir.path + "/text_encoder/config.json") {
            try CLIPTextModel(config: config, weights: w)
        }
    }

    public static let imageEncoder = WeightSchema(component: "image_encoder", aliases: [.clipVisionModel]) { dir, w in
        let config = try ComponentLoader.config(CLIPVisionConfig.self, in: dir, component: "image_encoder")
        _ = try ComponentLoader.naming(configFile: dir.path + "/image_encoder/config.json") {
            try CLIPVisionModelWithProjection(config: config, weights: w)
        }
    }

    public static let vae = WeightSchema(component: "vae") { dir, w in
        let config = try ComponentLoader.config(AutoencoderKLConfig.self, in: dir, component: "vae")
        _ = try ComponentLoader.naming(configFile: dir.path + "/vae/config.json") {
            try AutoencoderKL(config: config, weights: w)
        }
    }
}

/// The result of checking one weight file (or sharded set) against its component's schema.
public struct WeightFileReport: Sendable {
    public let component: String
    /// The file, or the sharded index.
    public let file: String
    public let expectedCount: Int
    public let storedCount: Int
    public let missing: [String]
    public let misshaped: [String]
    public let extra: [String]
    /// Tensors not stored as F32/F16/BF16.
    public let badDType: [String]

    public var ok: Bool { missing.isEmpty && misshaped.isEmpty && extra.isEmpty && badDType.isEmpty }
}

public enum ModelVerifier {
    /// Checks every weight file of every schema's component in `path`: all variants present
    /// (`*.safetensors`, `*.fp16.safetensors`, sharded sets). Fails only when a folder, config or
    /// file cannot be read; key problems are in the reports.
    public static func verify(_ path: String, schemas: [WeightSchema] = WeightSchema.all) throws -> [WeightFileReport] {
        let dir = try ModelDirectory(path: path)
        var reports: [WeightFileReport] = []
        for schema in schemas {
            let folder = try dir.component(schema.component)
            let sets = try weightFileSets(in: folder)
            for set in sets {
                reports.append(try verify(set, schema: schema, dir: dir))
            }
        }
        return reports
    }

    /// Every weight file set stored in `folder` (not just the preferred one).
    /// (label, files): a single file labelled by itself, or a sharded set labelled by its index.
    static func weightFileSets(in folder: String) throws -> [(label: String, files: [String])] {
        var sets: [(label: String, files: [String])] = []
        for (path, sharded) in WeightFileSet.candidates(in: folder) where FileManager.default.fileExists(atPath: path) {
            sets.append(sharded ? (path, try WeightFileSet.fromIndex(path, folder: folder).files) : (path, [path]))
        }
        if sets.isEmpty { _ = try WeightFileSet.locate(in: folder) }  // throws the "no weights" error
        return sets
    }

    static func verify(_ set: (label: String, files: [String]), schema: WeightSchema, dir: ModelDirectory) throws -> WeightFileReport {
        var table: [String: [Int]] = [:]
        var badDType: [String] = []
        for path in set.files {
            let file = try SafetensorsFile(path: path)
            for t in file.tensors {
                table[t.name] = t.shape
                if t.dtype.tensorDType == nil && !StrictWeights.nonParameterBuffers.contains(t.name) {
                    badDType.append("\(t.name) (\(t.dtype.rawValue))")
                }
            }
        }
        let label = set.label
        let weights = ShapeOnlyWeights(table, source: label, mode: .collect, aliases: schema.aliases)
        try schema.build(dir, weights)
        try weights.finish()
        var missing: [String] = [], misshaped: [String] = [], extra: [String] = []
        for p in weights.problems {
            switch p.kind {
            case .missing: missing.append("\(p.key) \(p.expected ?? [])")
            case .misshaped(let stored): misshaped.append("\(p.key): stored \(stored), expected \(p.expected ?? [])")
            case .extra: extra.append("\(p.key) \(table[p.key] ?? [])")
            }
        }
        return WeightFileReport(
            component: schema.component, file: label, expectedCount: weights.requested.count, storedCount: table.count,
            missing: missing, misshaped: misshaped, extra: extra, badDType: badDType.sorted())
    }
}
