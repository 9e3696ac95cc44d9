import Foundation

/// What `i2v models inspect` reports about a diffusers pipeline folder: for each component its
/// class, the weight file(s) that loading would use, their dtypes, parameter count and bytes.
public enum ModelInspector {
    public struct Component: Equatable, Sendable {
        public let name: String
        /// From the component's own config (`_class_name`, `architectures`, `tokenizer_class`,
        /// `image_processor_type`), else from `model_index.json`.
        public let className: String?
        /// File names (inside the component folder) that loading uses; empty for components
        /// without weights (tokenizer, scheduler, feature extractor).
        public let weightFiles: [String]
        /// Other `*.safetensors` files present but not used (e.g. fp32 beside an fp16 variant).
        public let unusedFiles: [String]
        /// Parameter count per stored dtype (floating-point tensors only).
        public let parametersByDType: [SafetensorsDType: Int]
        /// Parameters: elements of floating-point tensors, known non-parameter buffers excluded.
        public let parameterCount: Int
        /// Bytes of all stored tensor data.
        public let byteCount: Int
    }

    public struct Report: Equatable, Sendable {
        public let path: String
        public let pipelineClass: String?
        public let diffusersVersion: String?
        public let components: [Component]

        public var totalParameters: Int { components.reduce(0) { $0 + $1.parameterCount } }
        public var totalBytes: Int { components.reduce(0) { $0 + $1.byteCount } }
    }

    /// Inspects the pipeline folder `path`. A component with a `config.json` must have weights;
    /// a corrupt weight file is an error naming it.
    public static func inspect(_ path: String) throws -> Report {
        let models = try ModelDirectory(path: path, hint: "expected a diffusers pipeline folder")
        var components: [Component] = []
        for name in models.componentNames {
            let folder = try models.component(name)
            components.append(try inspectComponent(name: name, folder: folder, index: models.index))
        }
        return Report(path: models.path, pipelineClass: models.index?.pipelineClass,
                      diffusersVersion: models.index?.diffusersVersion, components: components)
    }

    static func inspectComponent(name: String, folder: String, index: ModelIndex?) throws -> Component {
        let className = try classFromConfig(folder) ?? index?.component(name)?.className
        let present = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [])
            .filter { $0.hasSuffix(".safetensors") }.sorted()
        let hasModelConfig = FileManager.default.fileExists(atPath: folder + "/config.json")
        guard hasModelConfig || !present.isEmpty else {
            return Component(name: name, className: className, weightFiles: [], unusedFiles: [],
                             parametersByDType: [:], parameterCount: 0, byteCount: 0)
        }
        let set = try WeightFileSet.locate(in: folder)
        var byDType: [SafetensorsDType: Int] = [:]
        var parameters = 0
        var bytes = 0
        for path in set.files {
            let file = try SafetensorsFile(path: path)
            for entry in file.header.entries {
                bytes += entry.byteCount
                guard entry.dtype.isFloatingPoint, !StrictWeights.nonParameterBuffers.contains(entry.name) else { continue }
                byDType[entry.dtype, default: 0] += entry.elementCount
                parameters += entry.elementCount
            }
        }
        let used = set.files.map { ($0 as NSString).lastPathComponent }
        return Component(name: name, className: className, weightFiles: used,
                         unusedFiles: present.filter { !used.contains($0) }, parametersByDType: byDType,
                         parameterCount: parameters, byteCount: bytes)
    }

    /// The class named by the component's own configuration file, if any.
    static func classFromConfig(_ folder: String) throws -> String? {
        let candidates: [(file: String, keys: [String])] = [
            ("config.json", ["_class_name", "architectures"]),
            ("scheduler_config.json", ["_class_name"]),
            ("tokenizer_config.json", ["tokenizer_class"]),
            ("preprocessor_config.json", ["image_processor_type", "feature_extractor_type"]),
        ]
        for (file, keys) in candidates {
            let path = folder + "/" + file
            guard FileManager.default.fileExists(atPath: path) else { continue }
            guard case .object(let root) = try JSONFile.read(path) else { continue }
            for key in keys {
                if let s = root[key]?.stringValue { return s }
                if let s = root[key]?.arrayValue?.first?.stringValue { return s }
            }
        }
        return nil
    }
}
