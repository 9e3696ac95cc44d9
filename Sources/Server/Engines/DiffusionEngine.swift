import Foundation
import I2VGenXL
import Media
import Motion
import Tensor
import TensorCUDA

/// The I2VGen-XL engine: the diffusers-layout weights in the model folder, loaded in the
/// background after start-up on the selected device (`auto` = the first CUDA GPU when there is
/// one, else the CPU). Until loading finishes `/healthz` says `loading`; a folder that does not
/// load says `failed` with the reason, and `auto` jobs fall back to the template engine. A job
/// that asks for `i2vgen-xl` while the weights load waits for them (cancellable) instead of
/// failing.
public final class DiffusionEngine: VideoEngine, @unchecked Sendable {
    public typealias Loader = @Sendable (_ modelPath: String, _ backends: PipelineBackends) throws -> I2VGenXLPipeline

    public let modelPath: String
    public let device: DeviceSelection
    private let loader: Loader
    private let condition = NSCondition()
    private var loadStarted = false
    private var pipeline: I2VGenXLPipeline?
    private var currentStatus: EngineStatus
    /// One generation at a time on the loaded model (one backend, one cuBLAS handle, one set of
    /// cached activations): a second worker slot's job waits here, cancellably. More GPUs are more
    /// engines (`DiffusionEnginePool`).
    private let inference = DevicePool([()])

    /// `loader` reads the weights (`I2VGenXLPipeline.load` unless a test wraps it).
    public init(modelPath: String, device: DeviceSelection,
                loader: @escaping Loader = { try I2VGenXLPipeline.load(from: $0, backend: $1.model, vaeBackend: $1.vae) }) {
        self.modelPath = modelPath
        self.device = device
        self.loader = loader
        self.currentStatus = EngineStatus(name: "i2vgen-xl", state: .loading, detail: "loading weights from \(modelPath)")
    }

    public var name: String { "i2vgen-xl" }

    public var status: EngineStatus {
        condition.lock(); defer { condition.unlock() }
        return currentStatus
    }

    private func set(_ s: EngineStatus, pipeline p: I2VGenXLPipeline? = nil) {
        condition.lock(); defer { condition.unlock() }
        currentStatus = s
        if let p { pipeline = p }
        condition.broadcast()
    }

    /// Starts loading the weights on a background thread (never an event loop) and returns at
    /// once, so template jobs run while the model loads; `status` tracks the load.
    public func prepare() async { startLoading() }

    private func startLoading() {
        condition.lock()
        let first = !loadStarted
        loadStarted = true
        condition.unlock()
        guard first else { return }
        let thread = Thread { [self] in
            do {
                let (backends, note) = try device.makePipelineBackends()
                let p = try loader(modelPath, backends)
                let placement = backends.model === backends.vae ? backends.model.name : "\(backends.model.name), VAE \(backends.vae.name)"
                set(EngineStatus(name: name, state: .ready, detail: placement + (note.map { "; \($0)" } ?? "")), pipeline: p)
            } catch {
                set(EngineStatus(name: name, state: .failed, detail: "could not load \(modelPath): \(error)"))
            }
        }
        thread.name = "i2v-model-load"
        thread.stackSize = 8 << 20
        thread.start()
    }

    /// The loaded pipeline, waiting while the weights load; nil (with the reason) when they failed.
    private func loadedPipeline(isCancelled: @Sendable () -> Bool) throws -> (I2VGenXLPipeline?, String) {
        startLoading()
        condition.lock(); defer { condition.unlock() }
        while currentStatus.state == .loading {
            if isCancelled() { throw PipelineError.cancelled }
            _ = condition.wait(until: Date().addingTimeInterval(0.2))
        }
        return (pipeline, currentStatus.detail)
    }

    public func generate(
        plan: GenerationPlan, image: RGBImage, progress: @escaping @Sendable (PipelineProgress.Stage, Int, Int) -> Void,
        isCancelled: @escaping @Sendable () -> Bool
    ) throws -> EngineFrames {
        let (loaded, detail) = try loadedPipeline(isCancelled: isCancelled)
        guard let pipeline = loaded else { throw PipelineError.engineUnavailable("i2vgen-xl is not available: \(detail)") }
        do {
            let source = try RGB8Image(width: image.width, height: image.height, pixels: image.pixels)
            let request = I2VGenXLRequest(image: source, prompt: plan.prompt, negativePrompt: plan.negativePrompt,
                                          width: plan.width, height: plan.height, numFrames: plan.frames,
                                          numInferenceSteps: plan.steps, guidanceScale: plan.guidance, targetFPS: plan.fps)
            let token = CancellationToken()
            let output = try inference.withResource(isCancelled: isCancelled) { _, _ in
                try pipeline.generate(request, noise: .seed(plan.seed), cancellation: token) { p in
                    if isCancelled() { token.cancel() }
                    progress(p.stage == .denoising ? .generating : .decoding, p.step, p.total)
                }
            }
            let frames = (0..<output.numFrames).map {
                RGBImage(width: output.width, height: output.height, pixels: output.frame8Bit($0))
            }
            // What the model saw of the photo: the same centre crop the pipeline feeds the VAE.
            let framed = try ImageCrop.centerCropWide(source, width: plan.width, height: plan.height)
            return EngineFrames(frames: frames, framedInput: RGBImage(width: framed.width, height: framed.height, pixels: framed.pixels))
        } catch DevicePoolError.cancelled {
            throw PipelineError.cancelled
        } catch let error as I2VGenXL.PipelineError {
            if case .cancelled = error { throw PipelineError.cancelled }
            throw PipelineError.badInput(error.description)
        } catch let error as PreprocessError {
            throw PipelineError.badInput("\(error)")
        }
    }
}
