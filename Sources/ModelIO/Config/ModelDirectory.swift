import Foundation

/// A diffusers pipeline folder as `save_pretrained` writes it: `model_index.json` plus one
/// sub-folder per component. Locating a component that is not there is an error that says what
/// the folder was expected to be.
public struct ModelDirectory: Sendable {
    /// The components of `I2VGenXLPipeline`.
    public static let i2vgenXLComponents = [
        "unet", "vae", "text_encoder", "tokenizer", "image_encoder", "feature_extractor", "scheduler",
    ]
    public static let i2vgenXLHint =
        "expected the ali-vilab/i2vgen-xl diffusers folder; see scripts/download_weights.sh"

    public let path: String
    /// The parsed `model_index.json`, when the folder has one.
    public let index: ModelIndex?
    /// Said in every "missing" error: what the folder should be and how to get it.
    public let hint: String

    public init(path: String, hint: String = ModelDirectory.i2vgenXLHint) throws {
        let trimmed = path.count > 1 && path.hasSuffix("/") ? String(path.dropLast()) : path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: trimmed, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ModelIOError.missingDirectory(path: trimmed, hint: hint)
        }
        self.path = trimmed
        self.hint = hint
        let indexPath = trimmed + "/model_index.json"
        index = FileManager.default.fileExists(atPath: indexPath) ? try ModelIndex.read(indexPath) : nil
    }

    /// Path of the component folder `name` (e.g. `unet`), which must exist.
    public func component(_ name: String) throws -> String {
        let folder = path + "/" + name
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ModelIOError.missingComponent(directory: path, component: name, hint: hint)
        }
        return folder
    }

    /// Path of a file inside a component folder, which must exist.
    public func file(_ name: String, in component: String) throws -> String {
        let folder = try self.component(component)
        let file = folder + "/" + name
        guard FileManager.default.fileExists(atPath: file) else {
            throw ModelIOError.missingFile(path: file, expected: "the \(name) of the \(component) component")
        }
        return file
    }

    /// `<component>/config.json`.
    public func config(_ component: String) throws -> String { try file("config.json", in: component) }

    /// Fails on the first of `names` that has no folder.
    public func requireComponents(_ names: [String] = ModelDirectory.i2vgenXLComponents) throws {
        for name in names { _ = try component(name) }
    }

    /// The components to look at: those listed in `model_index.json`, else every sub-folder.
    public var componentNames: [String] {
        if let index { return index.components.map(\.name) }
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        return entries.filter { name in
            var isDirectory: ObjCBool = false
            return !name.hasPrefix(".") && FileManager.default.fileExists(atPath: path + "/" + name, isDirectory: &isDirectory)
                && isDirectory.boolValue
        }.sorted()
    }
}
