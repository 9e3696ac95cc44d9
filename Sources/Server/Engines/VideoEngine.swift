import Foundation
import Media
import Motion

/// What an engine hands back: the frames, and the input image framed as the video frames it
/// (same size and crop/pad), which the quality checks compare the first frame with.
public struct EngineFrames: Sendable {
    public var frames: [RGBImage]
    public var framedInput: RGBImage

    public init(frames: [RGBImage], framedInput: RGBImage) {
        self.frames = frames
        self.framedInput = framedInput
    }
}

/// A renderer of frames from a plan and a photo: the template renderer, or I2VGen-XL.
///
/// `generate` runs on a worker's engine thread (never an event loop); it calls `progress` after
/// each step — `.generating` for a denoising step or rendered frame, `.decoding` for a decoded
/// VAE chunk — and stops, throwing `PipelineError.cancelled`, soon after `isCancelled` returns
/// true.
public protocol VideoEngine: Sendable {
    /// `template` or `i2vgen-xl`: the names plans and `/healthz` use.
    var name: String { get }
    var status: EngineStatus { get }
    /// Loads weights in the background after start-up (no-op for engines without weights).
    func prepare() async
    func generate(
        plan: GenerationPlan, image: RGBImage, progress: @escaping @Sendable (_ stage: PipelineProgress.Stage, _ done: Int, _ total: Int) -> Void,
        isCancelled: @escaping @Sendable () -> Bool
    ) throws -> EngineFrames
}
