import Foundation

/// Where a watermark sits.
public enum WatermarkPosition: String, Sendable, CaseIterable {
    case topLeft = "top-left", topRight = "top-right", bottomLeft = "bottom-left", bottomRight = "bottom-right", center
}

public struct WatermarkOptions: Sendable, Equatable {
    public var position: WatermarkPosition
    /// Distance from the frame edges, as a fraction of the frame's shorter side.
    public var margin: Double
    /// Logo: its width as a fraction of the frame width. Text: its cap height as a fraction of
    /// the frame's shorter side.
    public var scale: Double
    /// 0 (invisible) … 1 (as drawn).
    public var opacity: Double

    public init(position: WatermarkPosition = .bottomRight, margin: Double = 0.03, scale: Double = 0.15, opacity: Double = 0.8) {
        self.position = position
        self.margin = margin
        self.scale = scale
        self.opacity = opacity
    }

    func validate() throws {
        guard (0...0.4).contains(margin) else { throw MediaError.invalidArgument("watermark margin \(margin) must be 0...0.4") }
        guard scale > 0, scale <= 1 else { throw MediaError.invalidArgument("watermark scale \(scale) must be in (0, 1]") }
        guard (0...1).contains(opacity) else { throw MediaError.invalidArgument("watermark opacity \(opacity) must be 0...1") }
    }
}

/// A watermark prepared for one frame size (scaled once, applied to every frame): a PNG logo
/// with alpha, or a line of text in the embedded bitmap font. Off unless a caller makes one
/// (Taobao and Amazon reject visible marks).
public struct Watermark: Sendable, Equatable {
    /// The overlay with opacity folded into its alpha, and where its top-left corner goes.
    public let overlay: RGBAImage
    public let x: Int
    public let y: Int

    /// A logo scaled (premultiplied Lanczos) to `scale` of the frame width, kept inside the
    /// margins.
    public init(logo: RGBAImage, frameWidth: Int, frameHeight: Int, options: WatermarkOptions = WatermarkOptions()) throws {
        try options.validate()
        let m = Self.marginPixels(frameWidth, frameHeight, options)
        let maxW = max(1, frameWidth - 2 * m), maxH = max(1, frameHeight - 2 * m)
        var w = max(1, Int((Double(frameWidth) * options.scale).rounded()))
        var h = max(1, Int((Double(w) * Double(logo.height) / Double(logo.width)).rounded()))
        if w > maxW || h > maxH {
            let shrink = min(Double(maxW) / Double(w), Double(maxH) / Double(h))
            w = max(1, Int(Double(w) * shrink))
            h = max(1, Int(Double(h) * shrink))
        }
        let scaled = (w == logo.width && h == logo.height) ? logo : Resampler.resize(logo, width: w, height: h)
        try self.init(overlay: scaled, frameWidth: frameWidth, frameHeight: frameHeight, options: options)
    }

    /// Text in `color` with a soft dark shadow (legible on light and dark backgrounds), the
    /// bitmap font scaled by the whole number nearest to `scale` × shorter side / 7 px.
    public init(text: String, color: RGBColor = .white, frameWidth: Int, frameHeight: Int,
                options: WatermarkOptions = WatermarkOptions(scale: 0.05)) throws {
        try options.validate()
        let short = Double(min(frameWidth, frameHeight))
        let factor = max(1, Int((short * options.scale / Double(BitmapFont.glyphHeight)).rounded()))
        let (ink, tw, th) = try BitmapFont.render(text, scale: factor)
        let shadow = max(1, factor / 2)
        let w = tw + shadow, h = th + shadow
        guard w <= frameWidth, h <= frameHeight else {
            throw MediaError.invalidArgument("watermark text '\(text)' is \(w) px wide at this scale, wider than the \(frameWidth) px frame")
        }
        var px = [UInt8](repeating: 0, count: w * h * 4)
        for y in 0..<th {
            for x in 0..<tw where ink[y * tw + x] {
                let s = ((y + shadow) * w + x + shadow) * 4
                if px[s + 3] == 0 { px[s + 3] = 140 }   // shadow: black at 55 %
            }
        }
        for y in 0..<th {
            for x in 0..<tw where ink[y * tw + x] {
                let d = (y * w + x) * 4
                px[d] = color.r; px[d + 1] = color.g; px[d + 2] = color.b; px[d + 3] = 255
            }
        }
        try self.init(overlay: RGBAImage(width: w, height: h, pixels: px), frameWidth: frameWidth, frameHeight: frameHeight, options: options)
    }

    private init(overlay: RGBAImage, frameWidth: Int, frameHeight: Int, options: WatermarkOptions) throws {
        let m = Self.marginPixels(frameWidth, frameHeight, options)
        var faded = overlay
        if options.opacity < 1 {
            let o = options.opacity
            for i in stride(from: 3, to: faded.pixels.count, by: 4) { faded.pixels[i] = UInt8((Double(faded.pixels[i]) * o).rounded()) }
        }
        self.overlay = faded
        let w = overlay.width, h = overlay.height
        switch options.position {
        case .topLeft: (x, y) = (m, m)
        case .topRight: (x, y) = (frameWidth - w - m, m)
        case .bottomLeft: (x, y) = (m, frameHeight - h - m)
        case .bottomRight: (x, y) = (frameWidth - w - m, frameHeight - h - m)
        case .center: (x, y) = ((frameWidth - w) / 2, (frameHeight - h) / 2)
        }
    }

    private static func marginPixels(_ w: Int, _ h: Int, _ o: WatermarkOptions) -> Int {
        Int((Double(min(w, h)) * o.margin).rounded())
    }

    /// Alpha-blends the overlay into the frame (parts outside the frame are clipped).
    public func apply(to frame: inout RGBImage) {
        let ow = overlay.width, fw = frame.width
        let xs = max(0, -x)..<min(ow, fw - x), ys = max(0, -y)..<min(overlay.height, frame.height - y)
        guard !xs.isEmpty, !ys.isEmpty else { return }
        overlay.pixels.withUnsafeBufferPointer { o in
            frame.pixels.withUnsafeMutableBufferPointer { f in
                for oy in ys {
                    for ox in xs {
                        let s = (oy * ow + ox) * 4
                        let a = UInt32(o[s + 3])
                        if a == 0 { continue }
                        let d = ((y + oy) * fw + x + ox) * 3
                        for c in 0..<3 { f[d + c] = UInt8((UInt32(o[s + c]) * a + UInt32(f[d + c]) * (255 - a) + 127) / 255) }
                    }
                }
            }
        }
    }

    public func applied(to frames: [RGBImage]) -> [RGBImage] {
        frames.map { var f = $0; apply(to: &f); return f }
    }
}
