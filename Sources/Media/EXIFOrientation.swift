/// The EXIF Orientation tag (0x0112): how the stored pixels must be transformed for display.
/// Cameras store the sensor image as shot and record the rotation here instead of rotating.
public enum EXIFOrientation: Int, Sendable, Equatable, CaseIterable {
    case up = 1                 // as stored
    case upMirrored = 2         // flip left-right
    case down = 3               // rotate 180°
    case downMirrored = 4       // flip top-bottom
    case leftMirrored = 5       // transpose (mirror across the main diagonal)
    case right = 6              // rotate 90° clockwise
    case rightMirrored = 7      // transverse (mirror across the anti-diagonal)
    case left = 8               // rotate 90° counter-clockwise

    /// True when display width and height are the stored height and width.
    public var swapsAxes: Bool { rawValue >= 5 }

    /// Reads the orientation from a TIFF structure (the payload of a JPEG APP1 "Exif\0\0" marker,
    /// a PNG eXIf chunk or a WebP EXIF chunk; a leading "Exif\0\0" is skipped). Every offset is
    /// bounds-checked; anything malformed or absent means `.up`.
    public static func parse(tiff bytes: [UInt8]) -> EXIFOrientation {
        var b = bytes[...]
        if b.count >= 6, b.prefix(6).elementsEqual([0x45, 0x78, 0x69, 0x66, 0, 0]) { b = b.dropFirst(6) }
        let t = Array(b)
        guard t.count >= 8 else { return .up }
        let little: Bool
        if t[0] == 0x49, t[1] == 0x49 { little = true } else if t[0] == 0x4D, t[1] == 0x4D { little = false } else { return .up }
        func u16(_ o: Int) -> Int? {
            guard o >= 0, o + 2 <= t.count else { return nil }
            return little ? Int(t[o]) | Int(t[o + 1]) << 8 : Int(t[o]) << 8 | Int(t[o + 1])
        }
        func u32(_ o: Int) -> Int? {
            guard o >= 0, o + 4 <= t.count else { return nil }
            let v = little
                ? UInt32(t[o]) | UInt32(t[o + 1]) << 8 | UInt32(t[o + 2]) << 16 | UInt32(t[o + 3]) << 24
                : UInt32(t[o]) << 24 | UInt32(t[o + 1]) << 16 | UInt32(t[o + 2]) << 8 | UInt32(t[o + 3])
            return Int(v)
        }
        guard u16(2) == 42, let ifd = u32(4), let count = u16(ifd) else { return .up }
        for i in 0..<min(count, 1000) {
            let entry = ifd + 2 + 12 * i
            guard let tag = u16(entry) else { return .up }
            guard tag == 0x0112 else { continue }
            // Type SHORT (3), count 1: the value sits in the first two bytes of the value field.
            guard u16(entry + 2) == 3, let value = u16(entry + 8) else { return .up }
            return EXIFOrientation(rawValue: value) ?? .up
        }
        return .up
    }

    /// A minimal little-endian TIFF block holding only this orientation; prefix "Exif\0\0" to
    /// use it as a JPEG APP1 payload.
    public var tiffBlock: [UInt8] {
        [0x49, 0x49, 42, 0, 8, 0, 0, 0,          // header, IFD0 at offset 8
         1, 0,                                    // one entry
         0x12, 0x01, 3, 0, 1, 0, 0, 0, UInt8(rawValue), 0, 0, 0,
         0, 0, 0, 0]                              // no next IFD
    }
}

/// Applies an orientation to interleaved 8-bit pixels with `channels` bytes per pixel.
func applyOrientation(_ o: EXIFOrientation, pixels: [UInt8], width w: Int, height h: Int,
                      channels c: Int) -> (pixels: [UInt8], width: Int, height: Int) {
    if o == .up { return (pixels, w, h) }
    let (ow, oh) = o.swapsAxes ? (h, w) : (w, h)
    var out = [UInt8](repeating: 0, count: pixels.count)
    pixels.withUnsafeBufferPointer { src in
        out.withUnsafeMutableBufferPointer { dst in
            for oy in 0..<oh {
                for ox in 0..<ow {
                    let sx: Int, sy: Int
                    switch o {
                    case .up: (sx, sy) = (ox, oy)
                    case .upMirrored: (sx, sy) = (w - 1 - ox, oy)
                    case .down: (sx, sy) = (w - 1 - ox, h - 1 - oy)
                    case .downMirrored: (sx, sy) = (ox, h - 1 - oy)
                    case .leftMirrored: (sx, sy) = (oy, ox)
                    case .right: (sx, sy) = (oy, h - 1 - ox)
                    case .rightMirrored: (sx, sy) = (w - 1 - oy, h - 1 - ox)
                    case .left: (sx, sy) = (w - 1 - oy, ox)
                    }
                    let s = (sy * w + sx) * c, d = (oy * ow + ox) * c
                    for k in 0..<c { dst[d + k] = src[s + k] }
                }
            }
        }
    }
    return (out, ow, oh)
}
