import Foundation
import I2VGenXL
import Media
import Motion
import Tensor
import TensorCUDA

/// The I2VGen-XL engine: the diffusers-layout weights in the model folder, loaded in the
/// background after start-up on the selected device (`auto` = the first CUDA GPU when there is
/// one, else the CPU). Until loading finishes `/healthz` says `loading`; a folder that does not
/// load says `failed` with the reason, and `auto` jobs fall back to the template engine.
public final class DiffusionEngine: VideoEngine, @unchecked Sendable {
    public let modelPath: String
    public let device: DeviceSelection
    private let lock = NSLock()
    private var pipeline: I2VGenXLPipeline?
    private var currentStatus: EngineStatus

    public init(modelPath: String, device: DeviceSelection) {
        self.modelPath = modelPath
        self.device = device
        self.currentStatus = EngineStatus(name: "i2vgen-xl", state: .loading, detail: "loading weights from \(modelPath)")
    }

    public var name: String { "i2vgen-xl" }

    public var status: EngineStatus {
        lock.lock(); defer { lock.unlock() }
        return currentStatus
    }

    private func set(_ s: EngineStatus, pipeline p: I2VGenXLPipeline? = nil) {
        lock.lock(); defer { lock.unlock() }
        currentStatus = s
        if let p { pipeline = p }
    }

    /// Starts loading the weights on a background thread (never an event loop) and returns at
    /// once, so template jobs run while the model loads; `status` tracks the load.
    public func prepare() async {
        let thread = Thread { [self] in
            do {
                let (backend, note) = try device.makeBackend()
                let p = try I2VGenXLPipeline.load(from: modelPath, backend: backend)
                set(EngineStatus(name: name, state: .ready, detail: "\(backend.name)" + (note.map { "; \($0)" } ?? "")), pipeline: p)
            } catch {
                set(EngineStatus(name: name, state: .failed, detail: "could not load \(modelPath): \(error)"))
            }
        }
        thread.name = "i2v-model-load"
        thread.stackSize = 8 << 20
        thread.start()
    }

    public func generate(
        plan: GenerationPlan, image: RGBImage, progress: @escaping @Sendable (Int, Int) -> Void,
        isCancelled: @escaping @Sendable () -> Bool
    ) throws -> EngineFrames {
        lock.lock()
        let loaded = pipeline
        let detail = currentStatus.detail
        lock.unlock()
        guard let pipeline = loaded else { throw PipelineError.engineUnavailable("i2vgen-xl is not ready: \(detail)") }
        do {
            let source = try RGB8Image(width: image.width, height: image.height, pixels: image.pixels)
            let request = I2VGenXLRequest(image: source, prompt: plan.prompt, negativePrompt: plan.negativePrompt,
                                          width: plan.width, height: plan.height, numFrames: plan.frames,
                                          numInferenceSteps: plan.steps, guidanceScale: plan.guidance, targetFPS: plan.fps)
            let token = CancellationToken()
            let output = try pipeline.generate(request, noise: .seed(plan.seed), cancellation: token) { p in
                if isCancelled() { token.cancel() }
                if p.stage == .denoising { progress(p.step, p.total) }
            }
            let frames = (0..<output.numFrames).map {
                RGBImage(width: output.width, height: output.height, pixels: output.frame8Bit($0))
            }
            // What the model saw of the photo: the same centre crop the pipeline feeds the VAE.
            let framed = try ImageCrop.centerCropWide(source, width: plan.width, height: plan.height)
            return EngineFrames(frames: frames, framedInput: RGBImage(width: framed.width, height: framed.height, pixels: framed.pixels))
        } catch let error as I2VGenXL.PipelineError {
            if case .cancelled = error { throw PipelineError.cancelled }
            throw PipelineError.badInput(error.description)
        } catch let error as PreprocessError {
            throw PipelineError.badInput("\(error)")
        }
    }
}
