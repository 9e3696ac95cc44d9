import Foundation
import Media
import Motion

/// The procedural template renderer (Motion's `TemplateRenderer`): camera and product moves
/// computed from the photo, no model weights, seconds per clip on CPU.
public struct TemplateEngine: VideoEngine {
    public init() {}

    public var name: String { "template" }
    public var status: EngineStatus { EngineStatus(name: name, state: .ready, detail: "procedural renderer (no weights needed)") }
    public func prepare() async {}

    public func generate(
        plan: GenerationPlan, image: RGBImage, progress: @escaping @Sendable (PipelineProgress.Stage, Int, Int) -> Void, isCancelled: @escaping @Sendable () -> Bool
    ) throws -> EngineFrames {
        do {
            let frames = try TemplateRenderer.render(plan: plan, image: image, progress: { progress(.generating, $0, $1) }, isCancelled: isCancelled)
            // The same framing without motion: what the first frame is measured against.
            var still = plan
            still.frames = 1
            still.motionStrength = 0
            let framed = try TemplateRenderer.render(plan: still, image: image)
            return EngineFrames(frames: frames, framedInput: framed[0])
        } catch MotionError.cancelled {
            throw PipelineError.cancelled
        } catch let error as MotionError {
            throw PipelineError.badInput(error.description)
        }
    }
}

/// The diffusion engine's place when it cannot run: reports why on `/healthz` and refuses jobs
/// that ask for it explicitly (`engine=i2vgen-xl`), which then fail as `engine_unavailable`.
public struct UnavailableEngine: VideoEngine {
    public var name: String
    public var detail: String

    public init(name: String, detail: String) {
        self.name = name
        self.detail = detail
    }

    public var status: EngineStatus { EngineStatus(name: name, state: .unavailable, detail: detail) }
    public func prepare() async {}

    public func generate(
        plan: GenerationPlan, image: RGBImage, progress: @escaping @Sendable (PipelineProgress.Stage, Int, Int) -> Void, isCancelled: @escaping @Sendable () -> Bool
    ) throws -> EngineFrames {
        throw PipelineError.engineUnavailable("\(name) is not available: \(detail)")
    }
}
