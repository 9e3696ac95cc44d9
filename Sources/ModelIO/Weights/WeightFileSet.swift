import Foundation

/// The safetensors file(s) holding one component's weights, as diffusers/transformers name them:
/// `diffusion_pytorch_model[.fp16].safetensors` (diffusers models) or `model[.fp16].safetensors`
/// (transformers models), or a sharded set described by `*.safetensors.index.json`.
/// The fp16 variant is preferred when present (PARITY.md).
public struct WeightFileSet: Equatable, Sendable {
    public let folder: String
    /// Absolute paths of the files to open, in a stable order.
    public let files: [String]
    /// The sharded index, when the weights are sharded.
    public let index: String?
    /// key → file path, from the index (nil for a single file).
    public let weightMap: [String: String]?

    public static let baseNames = ["diffusion_pytorch_model", "model"]

    /// The candidates in order of preference: fp16 before full precision; a single file before
    /// a sharded index.
    public static func candidates(in folder: String) -> [(path: String, sharded: Bool)] {
        var result: [(String, Bool)] = []
        for variant in [".fp16", ""] {
            for base in baseNames {
                result.append(("\(folder)/\(base)\(variant).safetensors", false))
                result.append(("\(folder)/\(base)\(variant).safetensors.index.json", true))
                if !variant.isEmpty {
                    // diffusers/transformers `_add_variant` spelling of a variant index.
                    result.append(("\(folder)/\(base).safetensors.index\(variant).json", true))
                }
            }
        }
        return result
    }

    /// Finds the weight files of the component folder `folder`.
    public static func locate(in folder: String) throws -> WeightFileSet {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ModelIOError.missingFile(path: folder, expected: "a model component folder")
        }
        for (path, sharded) in candidates(in: folder) where FileManager.default.fileExists(atPath: path) {
            if !sharded { return WeightFileSet(folder: folder, files: [path], index: nil, weightMap: nil) }
            return try fromIndex(path, folder: folder)
        }
        let bin = baseNames.map { "\(folder)/\($0).bin" }.first { FileManager.default.fileExists(atPath: $0) }
        let expected = bin != nil
            ? "safetensors weights; only PyTorch .bin weights are present, which i2v does not load"
            : "diffusion_pytorch_model.safetensors or model.safetensors (or their .fp16 / sharded forms)"
        throw ModelIOError.missingFile(path: folder + "/*.safetensors", expected: expected)
    }

    /// Reads a sharded index: `{"metadata": {...}, "weight_map": {key: shard file name}}`.
    public static func fromIndex(_ indexPath: String, folder: String) throws -> WeightFileSet {
        let json = try JSONFile.read(indexPath)
        guard case .object(let root) = json else {
            throw ModelIOError.invalidJSON(file: indexPath, key: nil, detail: "is not a JSON object")
        }
        guard let mapValue = root["weight_map"] else {
            throw ModelIOError.invalidJSON(file: indexPath, key: "weight_map", detail: "is missing")
        }
        guard case .object(let map) = mapValue else {
            throw ModelIOError.invalidJSON(file: indexPath, key: "weight_map", detail: "must be an object of strings")
        }
        var weightMap: [String: String] = [:]
        var files: [String] = []
        for key in map.keys {
            guard let name = map[key]?.stringValue else {
                throw ModelIOError.invalidJSON(file: indexPath, key: "weight_map.\(key)", detail: "must be a string")
            }
            // Shards live beside the index; a path component could point anywhere.
            guard !name.isEmpty, !name.contains("/"), name != ".", name != ".." else {
                throw ModelIOError.invalidJSON(file: indexPath, key: "weight_map.\(key)", detail: "must be a file name in the same folder, not '\(name)'")
            }
            let path = folder + "/" + name
            if !files.contains(path) { files.append(path) }
            weightMap[key] = path
        }
        return WeightFileSet(folder: folder, files: files.sorted(), index: indexPath, weightMap: weightMap)
    }
}
