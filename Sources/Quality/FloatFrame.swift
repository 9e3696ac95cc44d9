/// A frame as the engine produces it before 8-bit conversion: RGB values nominally in [0, 1].
/// QC of float frames additionally catches NaN / ±Inf, which an 8-bit conversion would hide.
public struct FloatFrame: Sendable {
    public enum Layout: String, Sendable, Codable {
        /// R, G, B interleaved per pixel, rows top to bottom: [H, W, 3].
        case interleavedRGB
        /// Three full planes R, G, B: [3, H, W] (one frame of a diffusers [B, C, F, H, W] video).
        case planarRGB
    }

    public let width: Int
    public let height: Int
    public let layout: Layout
    /// `width * height * 3` values.
    public var values: [Float]

    public init(width: Int, height: Int, layout: Layout = .interleavedRGB, values: [Float]) {
        self.width = width
        self.height = height
        self.layout = layout
        self.values = values
    }

    /// Luma (0…255, BT.601) of the clamped values and the number of non-finite values. A
    /// pixel with any non-finite channel gets luma 0.
    func luma() -> (plane: LumaPlane, nonFinite: Int) {
        let n = width * height
        var bad = 0
        let out = [Float](unsafeUninitializedCapacity: n) { dst, count in
            values.withUnsafeBufferPointer { v in
                let (sp, sc): (Int, Int) = layout == .interleavedRGB ? (3, 1) : (1, n)
                for i in 0..<n {
                    let r = v[i * sp], g = v[i * sp + sc], b = v[i * sp + 2 * sc]
                    if r.isFinite && g.isFinite && b.isFinite {
                        let y = 0.299 * min(max(r, 0), 1) + 0.587 * min(max(g, 0), 1) + 0.114 * min(max(b, 0), 1)
                        dst[i] = 255 * y
                    } else {
                        bad += (r.isFinite ? 0 : 1) + (g.isFinite ? 0 : 1) + (b.isFinite ? 0 : 1)
                        dst[i] = 0
                    }
                }
            }
            count = n
        }
        return (LumaPlane(checkedWidth: width, height: height, values: out), bad)
    }
}
