import Tensor

/// Strict weight binding for one component folder (`unet/`, `vae/`, `text_encoder/`, ...).
///
/// Every `take` checks the stored shape against the one the layer expects and marks the tensor
/// consumed; a key that is missing, mis-shaped, not floating point or taken twice is an error
/// naming it. After the model is built, `finish()` fails if any stored tensor was never taken
/// (apart from known non-parameter buffers), so a checkpoint that does not match the model
/// definition never loads silently.
public final class StrictWeights: WeightProvider {
    /// Buffers that checkpoints may carry but models do not take (non-persistent in recent
    /// transformers, present in older saves).
    public static let nonParameterBuffers: Set<String> = [
        "text_model.embeddings.position_ids",
        "vision_model.embeddings.position_ids",
        "embeddings.position_ids",
    ]

    public let folder: String
    public let fileSet: WeightFileSet
    public let backend: any Backend
    public let aliases: [WeightKeyAlias]
    public let ignored: Set<String>

    private var files: [SafetensorsFile] = []
    /// Stored key → index into `files`.
    private var location: [String: Int] = [:]
    private var consumed: Set<String> = []

    /// Opens the weights of `folder` (preferring the fp16 variant; sharded sets supported).
    public convenience init(
        folder: String, backend: any Backend, aliases: [WeightKeyAlias] = [],
        ignoring ignored: Set<String> = StrictWeights.nonParameterBuffers
    ) throws {
        try self.init(fileSet: WeightFileSet.locate(in: folder), backend: backend, aliases: aliases, ignoring: ignored)
    }

    public init(
        fileSet: WeightFileSet, backend: any Backend, aliases: [WeightKeyAlias] = [],
        ignoring ignored: Set<String> = StrictWeights.nonParameterBuffers
    ) throws {
        self.folder = fileSet.folder
        self.fileSet = fileSet
        self.backend = backend
        self.aliases = aliases
        self.ignored = ignored
        for (i, path) in fileSet.files.enumerated() {
            let file = try SafetensorsFile(path: path)
            files.append(file)
            for name in file.names {
                if let other = location[name] {
                    throw ModelIOError.inconsistentWeights(
                        folder: folder, detail: "weight '\(name)' is stored in both \(files[other].path) and \(path)")
                }
                if let map = fileSet.weightMap, map[name] != path {
                    let listed = map[name].map { "lists it in \($0)" } ?? "does not list it"
                    throw ModelIOError.inconsistentWeights(
                        folder: folder, detail: "\(path) holds '\(name)' but \(fileSet.index ?? "the index") \(listed)")
                }
                location[name] = i
            }
        }
        if let map = fileSet.weightMap {
            for key in map.keys.sorted() where location[key] == nil {
                throw ModelIOError.inconsistentWeights(
                    folder: folder, detail: "\(fileSet.index ?? "the index") lists '\(key)' in \(map[key] ?? "?"), which does not hold it")
            }
        }
        for alias in aliases {
            for name in location.keys.sorted() where name.hasPrefix(alias.optionalPrefix) {
                let other = alias.alternative(of: name)
                if location[other] != nil {
                    throw ModelIOError.inconsistentWeights(
                        folder: folder, detail: "both '\(name)' and '\(other)' are stored (two spellings of one weight)")
                }
            }
        }
    }

    /// All stored keys, sorted.
    public var storedKeys: [String] { location.keys.sorted() }

    /// The opened files (one, or the shards).
    public var openedFiles: [SafetensorsFile] { files }

    /// The stored spelling of `key` (itself or its alias), if any.
    public func storedKey(for key: String) -> String? {
        if location[key] != nil { return key }
        for alias in aliases {
            let other = alias.alternative(of: key)
            if location[other] != nil { return other }
        }
        return nil
    }

    public func contains(_ key: String) -> Bool { storedKey(for: key) != nil }

    /// Binds `key`: checks shape and dtype and marks it consumed, returning the stored view.
    public func takeView(_ key: String, shape: [Int]) throws -> SafetensorsTensor {
        guard let stored = storedKey(for: key), let fileIndex = location[stored] else {
            throw ModelIOError.missingWeight(key: key, folder: folder)
        }
        let file = files[fileIndex]
        guard !consumed.contains(stored) else { throw ModelIOError.weightTakenTwice(key: stored, file: file.path) }
        guard let view = file.tensor(stored) else { throw ModelIOError.missingWeight(key: key, folder: folder) }
        guard view.shape == shape else {
            throw ModelIOError.weightShapeMismatch(key: stored, expected: shape, stored: view.shape, file: file.path)
        }
        guard view.dtype.tensorDType != nil else {
            throw ModelIOError.wrongDType(file: file.path, key: stored, stored: view.dtype.rawValue, wanted: "F32, F16 or BF16")
        }
        consumed.insert(stored)
        return view
    }

    public func take(_ key: String, shape: [Int]) throws -> Tensor {
        try takeView(key, shape: shape).tensor(on: backend)
    }

    public func takeStacked(_ keys: [String], shape: [Int]) throws -> Tensor {
        try SafetensorsTensor.stacked(keys.map { try takeView($0, shape: shape) }, on: backend)
    }

    /// Stored keys not yet taken (ignored buffers excluded), sorted.
    public var unconsumedKeys: [String] {
        location.keys.filter { !consumed.contains($0) && !ignored.contains($0) }.sorted()
    }

    /// Fails, listing them, if any stored tensors were not taken.
    public func finish() throws {
        let left = unconsumedKeys
        guard left.isEmpty else { throw ModelIOError.unconsumedWeights(keys: left, folder: folder) }
    }
}
