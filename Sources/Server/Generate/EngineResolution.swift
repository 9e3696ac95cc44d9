import Foundation
import ModelIO
import Motion

/// Whether the I2VGen-XL weights are installed in a model folder, and which engine a choice of
/// `auto`, `template` or `i2vgen-xl` comes to, with the reason. Checks files only (no loading).
public enum EngineResolution {
    /// Nil when `path` holds a diffusers I2VGen-XL folder (`model_index.json` and every
    /// component folder), else why not, in words.
    public static func missingWeights(at path: String) -> String? {
        let index = URL(fileURLWithPath: path).appendingPathComponent("model_index.json").path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else {
            return "model folder \(path) not found"
        }
        guard FileManager.default.fileExists(atPath: index) else { return "model folder \(path) has no model_index.json" }
        do {
            try ModelDirectory(path: path).requireComponents()
        } catch {
            return "model folder \(path) is incomplete: \(error)"
        }
        return nil
    }

    /// The engine for `choice` and why. An explicit `i2vgen-xl` without weights throws
    /// `LocalGenerationError.modelNotInstalled`; `auto` falls back to the template renderer.
    public static func resolve(_ choice: EngineChoice, modelPath: String) throws -> (engine: Engine, reason: String) {
        switch choice {
        case .template:
            return (.template, "template engine requested")
        case .i2vgenXL:
            if let problem = missingWeights(at: modelPath) { throw LocalGenerationError.modelNotInstalled(path: modelPath, problem: problem) }
            return (.i2vgenXL, "i2vgen-xl requested; weights found in \(modelPath)")
        case .auto:
            if let problem = missingWeights(at: modelPath) {
                return (.template, "auto: no I2VGen-XL weights (\(problem)), so the procedural template renderer")
            }
            return (.i2vgenXL, "auto: I2VGen-XL weights are installed in \(modelPath)")
        }
    }
}

/// Why `i2v generate` cannot run, in one line naming the option or file.
public enum LocalGenerationError: Error, Equatable, CustomStringConvertible {
    case modelNotInstalled(path: String, problem: String)
    case invalidOption(name: String, problem: String)
    case unreadableImage(path: String, problem: String)
    case failed(String)

    public var description: String {
        switch self {
        case let .modelNotInstalled(_, problem):
            return "\(problem): install the ali-vilab/i2vgen-xl weights with scripts/download_weights.sh "
                + "(it fills Models/i2vgen-xl), pass --model DIR, or use --engine template"
        case let .invalidOption(name, problem): return "--\(name) \(problem)"
        case let .unreadableImage(path, problem): return "cannot read the image \(path): \(problem)"
        case let .failed(why): return why
        }
    }
}
