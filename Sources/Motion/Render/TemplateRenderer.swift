import Foundation
import Media

/// The procedural engine: animates the product photo with the plan's motion spec (push-in,
/// pan, orbit parallax, sway, light sweep, vibrate, float, combined). Deterministic: the same
/// plan and image give the same frames on every run and thread count.
public enum TemplateRenderer {
    /// Smallest source side the renderer accepts.
    public static let minimumSourceSide = 16
    /// Largest upscaling from source to frame.
    public static let maximumUpscale = 16.0
    /// Largest ratio between the photo's aspect and the frame's.
    public static let maximumAspectMismatch = 4.0
    public static let maximumSide = 4096
    public static let maximumFrames = 1000

    /// Renders `plan.frames` frames of `plan.width`×`plan.height`.
    /// - progress: called after each finished frame with (finished, total), from worker threads.
    /// - isCancelled: polled before each frame; when it returns true, rendering stops and
    ///   `MotionError.cancelled` is thrown.
    public static func render(plan: GenerationPlan, image: RGBImage,
                              progress: (@Sendable (_ completed: Int, _ total: Int) -> Void)? = nil,
                              isCancelled: (@Sendable () -> Bool)? = nil) throws -> [RGBImage] {
        try validate(plan: plan, image: image)
        let W = plan.width, H = plan.height, n = plan.frames
        let mask = ForegroundMask(image: image)
        let plain = mask.plainBackground

        // Fit: plain backdrops are padded seamlessly (the whole product stays in view); busy
        // photos are centre-cropped so no padding shows.
        let sx = Double(W) / Double(image.width), sy = Double(H) / Double(image.height)
        let outputPerSource = plain ? min(sx, sy) : max(sx, sy)
        let uPerPixel = 1 / (outputPerSource * Double(image.width))
        let vPerPixel = 1 / (outputPerSource * Double(image.height))
        // Product bounds in normalised frame coordinates.
        let b = mask.bounds
        func fu(_ u: Double) -> Double { 0.5 + (u - 0.5) / (uPerPixel * Double(W)) }
        func fv(_ v: Double) -> Double { 0.5 + (v - 0.5) / (vPerPixel * Double(H)) }
        let bounds = (x0: fu(b.x0), y0: fv(b.y0), x1: fu(b.x1), y1: fv(b.y1))

        let timeline = MotionTimeline(spec: plan.motion, strength: plan.motionStrength, seed: plan.seed,
                                      frameCount: n, width: W, height: H, bounds: bounds)
        // Busy backgrounds: zoom in just enough that displaced content never reveals the edge.
        let baseZoom = plain ? 1 : 1 + 2 * (timeline.maxShift + 1) / Double(min(W, H))
        // The working image matches the frame at the clip's widest view (zoom 1), so frames only
        // ever magnify it by their zoom and never minify: all anti-aliasing happens once, in the
        // Lanczos prefilter.
        let working = WorkingImage(source: image, outputPerSource: outputPerSource, detailZoom: baseZoom)

        // The dilated mask lets a moving product carry a margin of its background with it, so
        // its silhouette moves instead of its texture sliding inside a fixed outline.
        var motionMask = mask.values
        if !plain {
            motionMask = MaskOps.dilate(motionMask, width: mask.width, height: mask.height, radius: 4)
            motionMask = ImageOps.boxBlur(motionMask, width: mask.width, height: mask.height, radius: 3)
        }
        let warper = FrameWarper(working: working, timeline: timeline, width: W, height: H, mask: mask,
                                 motionMask: motionMask, plainBackground: plain,
                                 uPerPixel: uPerPixel, vPerPixel: vPerPixel, baseZoom: baseZoom)

        let state = RenderState(count: n)
        DispatchQueue.concurrentPerform(iterations: n) { i in
            if state.stopped { return }
            if let isCancelled, isCancelled() { state.stop(); return }
            let frame = warper.render(frame: i)
            let done = state.store(frame, at: i)
            progress?(done, n)
        }
        if state.stopped { throw MotionError.cancelled }
        return try state.frames()
    }

    static func validate(plan: GenerationPlan, image: RGBImage) throws {
        func bad(_ name: String, _ v: CustomStringConvertible, _ expected: String) -> MotionError {
            .invalidParameter(name: name, value: v.description, expected: expected)
        }
        guard (16...maximumSide).contains(plan.width), plan.width % 2 == 0 else { throw bad("width", plan.width, "an even number in 16...\(maximumSide)") }
        guard (16...maximumSide).contains(plan.height), plan.height % 2 == 0 else { throw bad("height", plan.height, "an even number in 16...\(maximumSide)") }
        guard (1...maximumFrames).contains(plan.frames) else { throw bad("frames", plan.frames, "1...\(maximumFrames)") }
        guard plan.motionStrength.isFinite, (0...1).contains(plan.motionStrength) else { throw bad("motion strength", plan.motionStrength, "0...1") }
        for e in plan.motion.effects {
            guard e.amount.isFinite, (0...1).contains(e.amount) else { throw bad("\(e.kind.rawValue) amount", e.amount, "0...1") }
            if let c = e.cycles, !(c.isFinite && c >= 0 && c <= 64) { throw bad("\(e.kind.rawValue) cycles", c, "0...64") }
            if let d = e.direction, !d.isFinite { throw bad("\(e.kind.rawValue) direction", d, "degrees") }
        }
        let w = image.width, h = image.height
        guard min(w, h) >= minimumSourceSide else {
            throw MotionError.unfittableImage(width: w, height: h, problem: "sides must be at least \(minimumSourceSide) pixels")
        }
        let mismatch = (Double(w) / Double(h)) / (Double(plan.width) / Double(plan.height))
        guard mismatch <= maximumAspectMismatch && mismatch >= 1 / maximumAspectMismatch else {
            throw MotionError.unfittableImage(width: w, height: h, problem: "its aspect differs from the \(plan.width)x\(plan.height) frame's by more than \(Int(maximumAspectMismatch))x; crop it or choose another aspect")
        }
        let upscale = min(Double(plan.width) / Double(w), Double(plan.height) / Double(h))
        guard upscale <= maximumUpscale else {
            throw MotionError.unfittableImage(width: w, height: h, problem: "filling \(plan.width)x\(plan.height) would upscale it \(Int(upscale.rounded()))x (at most \(Int(maximumUpscale))x)")
        }
    }
}

/// Frames finished so far, shared by the worker threads.
private final class RenderState: @unchecked Sendable {
    private let lock = NSLock()
    private var slots: [RGBImage?]
    private var completed = 0
    private var cancelled = false

    init(count: Int) { slots = Array(repeating: nil, count: count) }

    var stopped: Bool { lock.lock(); defer { lock.unlock() }; return cancelled }
    func stop() { lock.lock(); cancelled = true; lock.unlock() }

    func store(_ frame: RGBImage, at i: Int) -> Int {
        lock.lock(); defer { lock.unlock() }
        slots[i] = frame
        completed += 1
        return completed
    }

    func frames() throws -> [RGBImage] {
        lock.lock(); defer { lock.unlock() }
        var out: [RGBImage] = []
        for s in slots {
            guard let s else { throw MotionError.cancelled }
            out.append(s)
        }
        return out
    }
}

enum MaskOps {
    /// Grey-scale dilation (max filter) with a square window.
    static func dilate(_ v: [Float], width: Int, height: Int, radius: Int) -> [Float] {
        var tmp = v, out = v
        for y in 0..<height {
            for x in 0..<width {
                var m: Float = 0
                for k in max(0, x - radius)...min(width - 1, x + radius) { m = max(m, v[y * width + k]) }
                tmp[y * width + x] = m
            }
        }
        for y in 0..<height {
            for x in 0..<width {
                var m: Float = 0
                for k in max(0, y - radius)...min(height - 1, y + radius) { m = max(m, tmp[k * width + x]) }
                out[y * width + x] = m
            }
        }
        return out
    }
}
