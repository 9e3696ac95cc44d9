/// An 8-bit RGBA image with straight (not premultiplied) alpha, rows top to bottom. Used for
/// logos and for decoded images that carry transparency before they are composited.
public struct RGBAImage: Sendable, Equatable {
    public let width: Int
    public let height: Int
    /// `width * height * 4` bytes, R, G, B, A.
    public var pixels: [UInt8]

    public init(width: Int, height: Int, pixels: [UInt8]) {
        precondition(width > 0 && height > 0 && pixels.count == width * height * 4,
                     "RGBAImage \(width)x\(height) needs \(width * height * 4) bytes, got \(pixels.count)")
        self.width = width
        self.height = height
        self.pixels = pixels
    }

    /// An opaque copy of an RGB image.
    public init(_ rgb: RGBImage) {
        var p = [UInt8](repeating: 255, count: rgb.width * rgb.height * 4)
        rgb.pixels.withUnsafeBufferPointer { src in
            p.withUnsafeMutableBufferPointer { dst in
                for i in 0..<(rgb.width * rgb.height) {
                    dst[4 * i] = src[3 * i]
                    dst[4 * i + 1] = src[3 * i + 1]
                    dst[4 * i + 2] = src[3 * i + 2]
                }
            }
        }
        self.init(width: rgb.width, height: rgb.height, pixels: p)
    }

    /// True when some pixel is not fully opaque.
    public var hasTransparency: Bool {
        pixels.withUnsafeBufferPointer { p in
            var i = 3
            while i < p.count {
                if p[i] != 255 { return true }
                i += 4
            }
            return false
        }
    }

    /// Composites over a solid background in sRGB space (as browsers and Pillow's `paste` do),
    /// with exact rounding: out = (c·a + bg·(255−a)) / 255.
    public func composited(over background: RGBColor) -> RGBImage {
        var out = [UInt8](repeating: 0, count: width * height * 3)
        let bg = (UInt32(background.r), UInt32(background.g), UInt32(background.b))
        pixels.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for i in 0..<(width * height) {
                    let a = UInt32(src[4 * i + 3]), na = 255 - a
                    dst[3 * i] = UInt8((UInt32(src[4 * i]) * a + bg.0 * na + 127) / 255)
                    dst[3 * i + 1] = UInt8((UInt32(src[4 * i + 1]) * a + bg.1 * na + 127) / 255)
                    dst[3 * i + 2] = UInt8((UInt32(src[4 * i + 2]) * a + bg.2 * na + 127) / 255)
                }
            }
        }
        return RGBImage(width: width, height: height, pixels: out)
    }
}
