/// `model_index.json` of a diffusers pipeline folder: the pipeline class and, for each
/// component, the `[library, class]` pair that `save_pretrained` wrote, e.g.
/// `"unet": ["diffusers", "I2VGenXLUNet"]`. Components saved as `[null, null]` are absent.
public struct ModelIndex: Equatable, Sendable {
    public struct Component: Equatable, Sendable {
        /// Folder name inside the pipeline folder (the model_index key).
        public let name: String
        public let library: String
        public let className: String
    }

    public let pipelineClass: String?
    public let diffusersVersion: String?
    /// Components in file order, absent ones left out.
    public let components: [Component]

    public func component(_ name: String) -> Component? { components.first { $0.name == name } }

    public static func read(_ path: String) throws -> ModelIndex {
        try parse(JSONFile.read(path, expected: "a diffusers model_index.json"), file: path)
    }

    public static func parse(_ json: JSONValue, file: String) throws -> ModelIndex {
        guard case .object(let root) = json else {
            throw ModelIOError.invalidJSON(file: file, key: nil, detail: "is not a JSON object")
        }
        var components: [Component] = []
        for key in root.keys where !key.hasPrefix("_") {
            guard let value = root[key] else { continue }
            guard let pair = value.arrayValue, pair.count == 2 else {
                // Pipelines may store plain settings (e.g. `requires_safety_checker: true`).
                continue
            }
            if pair[0] == .null && pair[1] == .null { continue }
            guard let library = pair[0].stringValue, let className = pair[1].stringValue else {
                throw ModelIOError.invalidJSON(file: file, key: key, detail: "must be [library, class] strings")
            }
            components.append(Component(name: key, library: library, className: className))
        }
        return ModelIndex(
            pipelineClass: root["_class_name"]?.stringValue,
            diffusersVersion: root["_diffusers_version"]?.stringValue,
            components: components)
    }
}
