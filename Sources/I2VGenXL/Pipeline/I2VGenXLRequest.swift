import Tensor

/// One image-to-video generation: the photo, the text and the sampling parameters. Defaults are
/// diffusers' `I2VGenXLPipeline.__call__` defaults.
public struct I2VGenXLRequest: Sendable {
    public var image: RGB8Image
    public var prompt: String
    /// diffusers' default is no negative prompt (the empty string); `vgenNegativePrompt` is the
    /// original VGen default.
    public var negativePrompt: String
    public var width: Int
    public var height: Int
    public var numFrames: Int
    public var numInferenceSteps: Int
    /// Classifier-free guidance is on iff this is > 1.
    public var guidanceScale: Double
    public var targetFPS: Int
    /// Frames per VAE decode call (diffusers' `decode_chunk_size`; does not change results).
    public var decodeChunkSize: Int
    /// Spatial tiling of the VAE decode for large frames (nil: decode whole frames).
    public var vaeTiling: VAETiling?

    /// The negative prompt of the original VGen inference config (`tools/modules/config.py`),
    /// which the diffusers docs example also passes.
    public static let vgenNegativePrompt =
        "Distorted, discontinuous, Ugly, blurry, low resolution, motionless, static, disfigured, disconnected limbs, Ugly faces, incomplete arms"

    public init(image: RGB8Image, prompt: String, negativePrompt: String = "", width: Int = 1280, height: Int = 704,
                numFrames: Int = 16, numInferenceSteps: Int = 50, guidanceScale: Double = 9.0, targetFPS: Int = 16,
                decodeChunkSize: Int = 1, vaeTiling: VAETiling? = nil) {
        self.image = image
        self.prompt = prompt
        self.negativePrompt = negativePrompt
        self.width = width
        self.height = height
        self.numFrames = numFrames
        self.numInferenceSteps = numInferenceSteps
        self.guidanceScale = guidanceScale
        self.targetFPS = targetFPS
        self.decodeChunkSize = decodeChunkSize
        self.vaeTiling = vaeTiling
    }

    /// Whether the run batches an unconditional half (diffusers: `guidance_scale > 1`).
    public var usesGuidance: Bool { guidanceScale > 1 }
}

/// Where the run's random numbers come from.
public enum I2VGenXLNoise: Sendable {
    /// Drawn from `TorchCPUGenerator(seed:)`: first the VAE posterior ε [1, 4, h, w], then the
    /// initial latents [1, 4, F, h, w] — the order in which diffusers consumes
    /// `generator=torch.manual_seed(seed)` on CPU (the posterior sample uses the global generator,
    /// which `torch.manual_seed` seeds and returns).
    case seed(UInt64)
    /// Given explicitly (parity): `latents` [1, 4, F, h, w] and `imageLatentsNoise` [1, 4, h, w],
    /// row-major float32.
    case injected(latents: [Float], imageLatentsNoise: [Float])
}

/// The generated video.
public struct I2VGenXLOutput: Sendable {
    public let width: Int
    public let height: Int
    public let numFrames: Int
    /// [F, H, W, 3] in [0, 1]: after diffusers' post-processing, before 8-bit rounding.
    public let frames: [Float]
    /// [1, 4, F, h, w]: the final latents, still scaled by the VAE scaling factor.
    public let latents: [Float]
    public let latentShape: [Int]

    /// Frame `i` as 8-bit RGB, rounded as diffusers' `numpy_to_pil` does: (x·255).round() with
    /// NumPy's round-half-to-even.
    public func frame8Bit(_ i: Int) -> [UInt8] {
        let n = width * height * 3
        return frames[(i * n)..<((i + 1) * n)].map { UInt8(($0 * 255).rounded(.toNearestOrEven)) }
    }
}

/// Failures of a pipeline run, each one line naming the field or stage.
public enum PipelineError: Error, Equatable, CustomStringConvertible {
    case invalidRequest(field: String, reason: String)
    case invalidNoise(name: String, reason: String)
    /// The run was cancelled; `stage` says where it stopped ("denoising step 3/50", "decoding frame 5/16").
    case cancelled(stage: String)

    public var description: String {
        switch self {
        case let .invalidRequest(field, reason): return "invalid request: \(field) \(reason)"
        case let .invalidNoise(name, reason): return "invalid noise: \(name) \(reason)"
        case let .cancelled(stage): return "cancelled at \(stage)"
        }
    }
}

extension I2VGenXLRequest {
    /// Most frames a request may ask for. The model was trained on 16-frame clips; its temporal
    /// layers have no positional encoding and accept any count, but activation memory and time
    /// grow linearly with frames, so the CLI and the service stop at 64.
    public static let maxFrames = 64

    /// The checks that need no model: sizes positive multiples of 8, 2…`maxFrames` frames,
    /// at least one step, a finite guidance scale, a non-negative fps. Run before loading anything.
    public func checkLimits() throws {
        for (name, v) in [("width", width), ("height", height)] where v <= 0 || v % 8 != 0 {
            throw PipelineError.invalidRequest(field: name, reason: "is \(v); it must be a positive multiple of 8")
        }
        guard (2...Self.maxFrames).contains(numFrames) else {
            throw PipelineError.invalidRequest(field: "num_frames", reason: "is \(numFrames); it must be between 2 and \(Self.maxFrames)")
        }
        guard numInferenceSteps >= 1 else {
            throw PipelineError.invalidRequest(field: "num_inference_steps", reason: "is \(numInferenceSteps); it must be at least 1")
        }
        guard guidanceScale.isFinite, guidanceScale >= 0 else {
            throw PipelineError.invalidRequest(field: "guidance_scale", reason: "is \(guidanceScale); it must be a finite number ≥ 0")
        }
        guard targetFPS >= 1 else {
            throw PipelineError.invalidRequest(field: "target_fps", reason: "is \(targetFPS); it must be at least 1")
        }
    }
}
