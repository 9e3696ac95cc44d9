/// How a short clip is repeated to fill a longer video.
public enum LoopMode: String, Sendable, CaseIterable {
    /// 0 1 2 … n−1, 0 1 2 …
    case forward
    /// 0 1 … n−1 n−2 … 1, 0 1 …: plays forwards then backwards, so the loop has no jump cut.
    case pingpong
}

/// Arranging generated frames into the delivered sequence: looping to a duration and raising the
/// frame rate by interpolation. Frames are values with shared storage, so repeats cost nothing.
public enum FrameSequence {
    /// The frame indices one loop cycle plays.
    public static func cycle(count: Int, mode: LoopMode) -> [Int] {
        guard count > 1 else { return count == 1 ? [0] : [] }
        switch mode {
        case .forward: return Array(0..<count)
        case .pingpong: return Array(0..<count) + Array((1..<(count - 1)).reversed())
        }
    }

    /// Loops `frames` to `totalFrames` (cutting the last cycle short), or returns one cycle when
    /// `totalFrames` is nil.
    public static func arrange<T>(_ frames: [T], mode: LoopMode, totalFrames: Int? = nil) throws -> [T] {
        guard !frames.isEmpty else { throw MediaError.invalidArgument("no frames to arrange") }
        let cycle = Self.cycle(count: frames.count, mode: mode)
        guard let total = totalFrames else { return cycle.map { frames[$0] } }
        guard total > 0, total <= 100_000 else { throw MediaError.invalidArgument("output of \(total) frames is out of range (1...100000)") }
        return (0..<total).map { frames[cycle[$0 % cycle.count]] }
    }

    /// Loops `frames` to last `seconds` at `rate`.
    public static func arrange<T>(_ frames: [T], mode: LoopMode, duration seconds: Double, rate: FrameRate) throws -> [T] {
        guard seconds > 0, seconds <= 600 else { throw MediaError.invalidArgument("duration \(seconds) s must be between 0 and 600 s") }
        return try arrange(frames, mode: mode, totalFrames: rate.frames(in: seconds))
    }

    /// Resamples a clip from one frame rate to a higher one by linear blending of the two nearest
    /// source frames (a cross-fade; no motion estimation). Output frame k shows time k/to, which
    /// falls between source frames i and i+1 at weight t. The clip keeps its duration
    /// (n frames at `from` last n/from s), so it has round(n·to/from) frames.
    public static func interpolate(_ frames: [RGBImage], from: FrameRate, to: FrameRate) throws -> [RGBImage] {
        guard let first = frames.first else { throw MediaError.invalidArgument("no frames to interpolate") }
        guard frames.allSatisfy({ $0.width == first.width && $0.height == first.height }) else {
            throw MediaError.invalidArgument("frames to interpolate differ in size")
        }
        guard to.fps > from.fps else { return frames }
        let count = Int((Double(frames.count) * to.fps / from.fps).rounded())
        return (0..<count).map { k in
            let position = to.seconds(ofFrame: k) * from.fps
            let i = min(Int(position), frames.count - 1)
            let t = position - Double(i)
            if i + 1 >= frames.count || t < 1.0 / 512 { return frames[i] }
            return blend(frames[i], frames[i + 1], t: t)
        }
    }

    /// (1−t)·a + t·b, rounded.
    static func blend(_ a: RGBImage, _ b: RGBImage, t: Double) -> RGBImage {
        let wb = UInt32((t * 256).rounded()), wa = 256 - wb
        var out = a
        out.pixels.withUnsafeMutableBufferPointer { o in
            b.pixels.withUnsafeBufferPointer { bp in
                for i in 0..<o.count { o[i] = UInt8((UInt32(o[i]) * wa + UInt32(bp[i]) * wb + 128) >> 8) }
            }
        }
        return out
    }
}
