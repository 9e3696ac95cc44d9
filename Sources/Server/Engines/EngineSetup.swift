import Foundation
import Logging
import Media
import Motion
import TensorCUDA

/// Assembles the engine side of the server from the configuration: the planner with its
/// template library, the template engine, the diffusion engine (when given), and the upload
/// decode check.
public enum EngineSetup {
    public struct Engines: Sendable {
        public var pipeline: ProductPipeline
        public var planner: MotionPlanning
        public var verifyImage: @Sendable ([UInt8]) throws -> Void
    }

    /// `diffusion` is the I2VGen-XL engine; without it `/healthz` reports why it is missing
    /// (no weights in `model_dir`, or none wired into this build) and `auto` jobs use templates.
    public static func make(_ config: ServerConfig, logger: Logger, diffusion: (any VideoEngine)? = nil) throws -> Engines {
        let limits = DecodeLimits(maxBytes: config.maxUploadBytes, maxPixels: config.maxImagePixels, minimumSide: config.minImageSide)
        let weights = config.modelURL.appendingPathComponent("model_index.json")
        let i2vgen: any VideoEngine
        if let diffusion {
            i2vgen = diffusion
        } else if FileManager.default.fileExists(atPath: weights.path) {
            if config.devices.isEmpty {
                // device (I2V_DEVICE): auto (the first CUDA GPU if any, else the CPU), cpu, cuda:N.
                i2vgen = DiffusionEngine(modelPath: config.modelURL.path, device: try DeviceSelection(parsing: config.device))
            } else {
                i2vgen = DiffusionEnginePool(config.devices.map { DiffusionEngine(modelPath: config.modelURL.path, device: .cuda($0)) })
            }
        } else {
            i2vgen = UnavailableEngine(
                name: "i2vgen-xl",
                detail: "no weights in \(config.modelURL.path) (see Models/README.md); using the template engine")
        }
        let pipeline = ProductPipeline(planner: try Planner.builtIn(), engines: [TemplateEngine(), i2vgen], decodeLimits: limits)
        let verify: @Sendable ([UInt8]) throws -> Void = { bytes in
            // A full decode at a reduced JPEG scale: catches truncated and corrupt files quickly.
            _ = try ImageDecoder.decode(bytes, options: DecodeOptions(limits: limits, minimumShortSide: limits.minimumSide))
        }
        return Engines(pipeline: pipeline, planner: MotionPlanning(pipeline: pipeline), verifyImage: verify)
    }
}
