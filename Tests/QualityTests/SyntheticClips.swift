import Foundation
import Media
import Quality

/// The synthetic validation clips: one clean product shot (slow pan + push-in, light sensor
/// noise) and one clip per defect the QC must catch, each derived from the clean one.
struct SyntheticClip {
    var name: String
    var frames: [RGBImage]
    var input: RGBImage
}

enum SyntheticClips {
    static let frameCount = 16
    /// Per-pixel sensor/codec noise of the "generated" frames, levels.
    static let noiseSigma = 1.0

    /// The clean camera: 0.6 px/frame right, 0.25 px/frame down, 0.4 %/frame push-in
    /// (at 256 px: 0.23 % and 0.1 % of the short side per frame).
    static func cleanCamera(_ t: Int, scale: Double = 1) -> Camera {
        Camera(zoom: 1 + 0.004 * Double(t), panX: 0.6 * Double(t) * scale, panY: 0.25 * Double(t) * scale)
    }

    static func scene(width: Int = 256, height: Int = 256, seed: UInt64 = 7) -> SyntheticScene {
        SyntheticScene(width: width, height: height, seed: seed)
    }

    /// The prepared input: the scene as the first frame's camera sees it, without noise.
    static func input(_ s: SyntheticScene) -> RGBImage { s.render(cleanCamera(0)) }

    /// The default clean clip, rendered once per test run (the defect clips derive from it).
    static let standard = clean()

    static func clean(width: Int = 256, height: Int = 256, seed: UInt64 = 7) -> SyntheticClip {
        let s = scene(width: width, height: height, seed: seed)
        let scale = Double(min(width, height)) / 256
        let frames = (0..<frameCount).map { s.render(cleanCamera($0, scale: scale), noise: noiseSigma, noiseSeed: UInt64(100 + $0)) }
        return SyntheticClip(name: "clean pan + push-in", frames: frames, input: input(s))
    }

    /// Random per-frame translations of up to ±1 % of the short side (±2.6 px) on top of the
    /// clean camera (frame 0 unshaken).
    static func shaken() -> SyntheticClip {
        let s = scene()
        var rng = SplitMix64(seed: 42)
        let frames = (0..<frameCount).map { t -> RGBImage in
            var cam = cleanCamera(t)
            if t > 0 { cam.panX += rng.uniform(-2.56, 2.56); cam.panY += rng.uniform(-2.56, 2.56) }
            return s.render(cam, noise: noiseSigma, noiseSeed: UInt64(100 + t))
        }
        return SyntheticClip(name: "shaken (±1 % random translation)", frames: frames, input: input(s))
    }

    /// The clean frames through a Gaussian blur (σ in pixels).
    static func blurred(sigma: Double = 1.5) -> SyntheticClip {
        let c = standard
        return SyntheticClip(name: "blurred (Gaussian σ \(sigma) px)", frames: c.frames.map { Synthetic.blurred($0, sigma: sigma) },
                             input: c.input)
    }

    /// Brightness alternating ±`amplitude` levels frame to frame (frame 0 unchanged).
    static func flickering(amplitude: Int = 6) -> SyntheticClip {
        let c = standard
        let frames = c.frames.enumerated().map { t, f in t == 0 ? f : Synthetic.brightened(f, by: t % 2 == 1 ? amplitude : -amplitude) }
        return SyntheticClip(name: "flickering (±\(amplitude) levels alternating)", frames: frames, input: c.input)
    }

    /// Sixteen identical frames.
    static func frozen() -> SyntheticClip {
        let c = standard
        return SyntheticClip(name: "frozen (identical frames)", frames: Array(repeating: c.frames[0], count: frameCount), input: c.input)
    }

    /// The clean clip whose last frame is uniform grey (the I2VGen-XL blank-last-frame defect).
    static func blankLastFrame() -> SyntheticClip {
        var c = standard
        c.frames[frameCount - 1] = RGBImage(width: 256, height: 256, fill: (128, 128, 128))
        c.name = "blank last frame"
        return c
    }

    /// A clip of another scene (another product) than the input.
    static func unrelated() -> SyntheticClip {
        let other = clean(seed: 1234)
        return SyntheticClip(name: "frame 0 unrelated to the input", frames: other.frames, input: input(scene()))
    }

    /// A pan of 3 % of the short side per frame: the product leaves the frame.
    static func runaway() -> SyntheticClip {
        let s = scene()
        let frames = (0..<frameCount).map { t in
            s.render(Camera(zoom: 1, panX: 7.68 * Double(t), panY: 0), noise: noiseSigma, noiseSeed: UInt64(100 + t))
        }
        return SyntheticClip(name: "runaway pan (3 % per frame)", frames: frames, input: input(s))
    }

    /// First half of one scene, second half of another: a cut inside the clip.
    static func cut() -> SyntheticClip {
        let a = standard, b = clean(seed: 99)
        return SyntheticClip(name: "cut to another scene at frame 8",
                             frames: Array(a.frames[0..<8]) + Array(b.frames[8...]), input: a.input)
    }

    /// The clean clip as float frames [0, 1]; `nanFrame` gets NaN in a 32×32 block.
    static func floatFrames(nanFrame: Int?) -> (frames: [FloatFrame], input: RGBImage) {
        let s = scene()
        var frames = (0..<frameCount).map { t in
            FloatFrame(width: 256, height: 256, values: s.renderFloat(cleanCamera(t), noise: noiseSigma, noiseSeed: UInt64(100 + t)))
        }
        if let k = nanFrame {
            for y in 100..<132 { for x in 60..<92 { frames[k].values[(y * 256 + x) * 3 + 1] = .nan } }
        }
        return (frames, input(s))
    }
}
