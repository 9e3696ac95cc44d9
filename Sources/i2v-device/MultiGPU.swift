import ArgumentParser
import Foundation
import I2VGenXL
import TensorCUDA

/// `i2v-device multi-gpu`: the server's multi-GPU arrangement (one pipeline per GPU in a
/// `DevicePool`, jobs on their own threads) on the whole real pipeline with random weights. Runs
/// one job alone, then `--jobs` jobs at once, and prints which GPU ran each job and the wall time.
struct MultiGPU: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "multi-gpu", abstract: "Spread generation jobs over several GPUs.")

    @Option(help: "GPUs: 0,1,… or all.") var devices = "all"
    @Option(help: "Jobs run at once in the second phase.") var jobs = 4
    @Option(help: "Job size WxHxF.") var shape = "512x512x16"
    @Option(help: "Denoising steps per job.") var steps = 20
    @Option(help: "Model storage precision (the VAE runs in bfloat16).") var precision = "float16"

    func run() throws {
        let ids = try DeviceSelection.parseList(devices)
        let p = shape.split(separator: "x").compactMap { Int($0) }
        guard p.count == 3, let prec = CUDAPrecision(rawValue: precision) else { throw ValidationError("bad --shape or --precision") }
        // Load one pipeline per GPU, each on its own thread (as the server's engines do).
        let pipelines = Shared([I2VGenXLPipeline?](repeating: nil, count: ids.count))
        let failure = Shared<Error?>(nil)
        let loading = DispatchGroup()
        let t0 = Date()
        for (slot, id) in ids.enumerated() {
            loading.enter()
            Thread {
                defer { loading.leave() }
                do {
                    let pipeline = try SyntheticPipeline.make(backend: try CUDABackend(device: id, precision: prec),
                                                              vaeBackend: try CUDABackend(device: id, precision: .bfloat16), unetOptions: .gpu)
                    pipelines.update { $0[slot] = pipeline }
                } catch { failure.update { $0 = error } }
            }.start()
        }
        loading.wait()
        if let error = failure.value { throw error }
        print(String(format: "loaded %d pipelines in %.1f s", ids.count, Date().timeIntervalSince(t0)))
        let pool = DevicePool(pipelines.value.compactMap { $0 })

        var seed: UInt64 = 5
        let pixels = (0..<(p[0] * p[1] * 3)).map { _ -> UInt8 in seed ^= seed << 13; seed ^= seed >> 7; seed ^= seed << 17; return UInt8(seed & 255) }
        let request = I2VGenXLRequest(image: try RGB8Image(width: p[0], height: p[1], pixels: pixels), prompt: "a watch on a stand, slow orbit",
                                      width: p[0], height: p[1], numFrames: p[2], numInferenceSteps: steps, guidanceScale: 9)
        @Sendable func job(_ n: Int) throws -> (gpu: Int, seconds: Double) {
            try pool.withResource { pipeline, index in
                let start = Date()
                let out = try pipeline.generate(request, noise: .seed(UInt64(n)))
                guard out.frames.allSatisfy({ $0.isFinite }) else { throw ValidationError("job \(n) on GPU \(ids[index]): non-finite pixels") }
                return (ids[index], Date().timeIntervalSince(start))
            }
        }
        // Warm every GPU (kernel compilation, cuDNN searches, allocator growth), then time.
        for _ in ids { _ = try job(0) }
        let alone = try job(1)
        print(String(format: "1 job alone on GPU %d: %.2f s", alone.gpu, alone.seconds))
        let results = Shared([(gpu: Int, seconds: Double)?](repeating: nil, count: jobs))
        let group = DispatchGroup()
        let start = Date()
        for n in 0..<jobs {
            group.enter()
            Thread {
                defer { group.leave() }
                do { let r = try job(100 + n); results.update { $0[n] = r } } catch { failure.update { $0 = error } }
            }.start()
        }
        group.wait()
        if let error = failure.value { throw error }
        let wall = Date().timeIntervalSince(start)
        for (n, r) in results.value.enumerated() { if let r { print(String(format: "job %d: GPU %d, %.2f s", n, r.gpu, r.seconds)) } }
        let perGPU = Dictionary(grouping: results.value.compactMap { $0 }, by: \.gpu).mapValues(\.count)
        print(String(format: "%d jobs on %d GPUs: %.2f s wall (%.2f× one job alone); jobs per GPU: %@", jobs, ids.count, wall,
                     wall / alone.seconds, perGPU.sorted { $0.key < $1.key }.map { "\($0.key):\($0.value)" }.joined(separator: " ") as NSString))
    }
}

/// A value shared by the job threads, behind a lock.
final class Shared<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Value
    init(_ value: Value) { stored = value }
    var value: Value { lock.lock(); defer { lock.unlock() }; return stored }
    func update(_ body: (inout Value) -> Void) { lock.lock(); body(&stored); lock.unlock() }
}
