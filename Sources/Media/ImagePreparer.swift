import Foundation

/// How the background around a padded (letterboxed) photo is filled.
public enum PadStyle: Sendable, Equatable {
    /// One colour (white suits most marketplace listings).
    case solid(RGBColor)
    /// The photo's outermost rows/columns repeated outwards.
    case edge
    /// The photo itself, scaled to cover the frame and blurred; `radius` is the blur radius as a
    /// fraction of the frame's longer side (0.04 is a soft, unobtrusive background).
    case blur(radius: Double)
}

/// How a photo is fitted into a frame of another aspect ratio.
public enum FitMode: Sendable, Equatable {
    /// Scale to cover the frame and cut the overflow equally from both sides.
    case centerCrop
    /// Scale to fit inside the frame, keeping the whole product, and fill the rest.
    case pad(PadStyle)

    /// Parses `crop`, `pad` (white), `pad-black`, `pad-#RRGGBB`, `edge`, `blur`.
    public init(parsing text: String, padColor: RGBColor = .white) throws {
        switch text.lowercased() {
        case "crop", "center-crop", "centercrop": self = .centerCrop
        case "pad", "solid": self = .pad(.solid(padColor))
        case "edge", "pad-edge": self = .pad(.edge)
        case "blur", "pad-blur": self = .pad(.blur(radius: 0.04))
        default:
            if text.lowercased().hasPrefix("pad-") {
                self = .pad(.solid(try RGBColor(parsing: String(text.dropFirst(4)))))
                return
            }
            throw MediaError.invalidArgument("mode '\(text)' is not crop, pad, pad-<colour>, edge or blur")
        }
    }
}

public struct PrepareOptions: Sendable, Equatable {
    public var size: TargetSize
    public var mode: FitMode
    public var filter: ResampleFilter

    public init(size: TargetSize, mode: FitMode = .pad(.solid(.white)), filter: ResampleFilter = .lanczos) {
        self.size = size
        self.mode = mode
        self.filter = filter
    }
}

/// A prepared frame and where the photo's content lies in it.
public struct PreparedImage: Sendable, Equatable {
    public var image: RGBImage
    /// The rectangle the photo occupies (the whole frame for center crop).
    public var contentX: Int, contentY: Int, contentWidth: Int, contentHeight: Int
}

/// Fits a decoded photo to the target frame size (multiples of 8) by center crop or padding,
/// with one high-quality resampling pass (Lanczos by default, antialiased on downscale).
public enum ImagePreparer {
    public static func prepare(_ image: RGBImage, options: PrepareOptions) throws -> PreparedImage {
        let (tw, th) = try options.size.resolve()
        switch options.mode {
        case .centerCrop:
            let out = coverCrop(image, width: tw, height: th, filter: options.filter)
            return PreparedImage(image: out, contentX: 0, contentY: 0, contentWidth: tw, contentHeight: th)
        case .pad(let style):
            let scale = min(Double(tw) / Double(image.width), Double(th) / Double(image.height))
            let fw = max(1, min(tw, Int((Double(image.width) * scale).rounded())))
            let fh = max(1, min(th, Int((Double(image.height) * scale).rounded())))
            let fitted = fw == image.width && fh == image.height ? image : Resampler.resize(image, width: fw, height: fh, filter: options.filter)
            let x0 = (tw - fw) / 2, y0 = (th - fh) / 2
            var canvas: RGBImage
            switch style {
            case .solid(let c):
                canvas = RGBImage(width: tw, height: th, fill: (c.r, c.g, c.b))
            case .edge:
                canvas = edgeExtended(fitted, width: tw, height: th, x0: x0, y0: y0)
            case .blur(let radius):
                guard radius >= 0, radius <= 0.5 else {
                    throw MediaError.invalidArgument("blur radius \(radius) must be between 0 and 0.5 of the long side")
                }
                canvas = coverCrop(image, width: tw, height: th, filter: .bilinear)
                boxBlur(&canvas, radius: Int((Double(max(tw, th)) * radius).rounded()), passes: 3)
            }
            paste(fitted, into: &canvas, x: x0, y: y0)
            return PreparedImage(image: canvas, contentX: x0, contentY: y0, contentWidth: fw, contentHeight: fh)
        }
    }

    /// Scales to cover `width`×`height` and crops the centre, in one resampling pass: the crop
    /// is a fractional source box, so centring is exact.
    static func coverCrop(_ image: RGBImage, width: Int, height: Int, filter: ResampleFilter) -> RGBImage {
        let sw = Double(image.width), sh = Double(image.height)
        let target = Double(width) / Double(height)
        let box: ResampleBox
        if sw / sh > target {
            let bw = sh * target
            box = ResampleBox(x0: (sw - bw) / 2, y0: 0, x1: (sw + bw) / 2, y1: sh)
        } else {
            let bh = sw / target
            box = ResampleBox(x0: 0, y0: (sh - bh) / 2, x1: sw, y1: (sh + bh) / 2)
        }
        return Resampler.resize(image, width: width, height: height, filter: filter, box: box)
    }

    static func edgeExtended(_ fitted: RGBImage, width: Int, height: Int, x0: Int, y0: Int) -> RGBImage {
        var out = RGBImage(width: width, height: height)
        for y in 0..<height {
            let sy = min(max(y - y0, 0), fitted.height - 1)
            for x in 0..<width {
                let sx = min(max(x - x0, 0), fitted.width - 1)
                let s = fitted.index(x: sx, y: sy), d = out.index(x: x, y: y)
                out.pixels[d] = fitted.pixels[s]
                out.pixels[d + 1] = fitted.pixels[s + 1]
                out.pixels[d + 2] = fitted.pixels[s + 2]
            }
        }
        return out
    }

    static func paste(_ src: RGBImage, into dst: inout RGBImage, x: Int, y: Int) {
        let rowBytes = src.width * 3, dstWidth = dst.width
        src.pixels.withUnsafeBufferPointer { s in
            dst.pixels.withUnsafeMutableBufferPointer { d in
                for row in 0..<src.height {
                    let from = s.baseAddress! + row * rowBytes
                    let to = d.baseAddress! + ((y + row) * dstWidth + x) * 3
                    to.update(from: from, count: rowBytes)
                }
            }
        }
    }

    /// Repeated box blur (3 passes approximate a Gaussian of σ ≈ radius·0.8), separable, with
    /// running sums so the cost does not depend on the radius; edges clamp.
    static func boxBlur(_ image: inout RGBImage, radius: Int, passes: Int) {
        guard radius > 0 else { return }
        let w = image.width, h = image.height
        var tmp = [UInt8](repeating: 0, count: image.pixels.count)
        for _ in 0..<passes {
            blurLines(src: image.pixels, dst: &tmp, lines: h, length: w, lineStride: w * 3, step: 3, radius: radius)
            blurLines(src: tmp, dst: &image.pixels, lines: w, length: h, lineStride: 3, step: w * 3, radius: radius)
        }
    }

    private static func blurLines(src: [UInt8], dst: inout [UInt8], lines: Int, length: Int, lineStride: Int, step: Int, radius: Int) {
        let window = UInt32(2 * radius + 1)
        src.withUnsafeBufferPointer { sp in
            dst.withUnsafeMutableBufferPointer { dp in
                let s = sp.baseAddress!, d = dp.baseAddress!
                parallelRows(lines) { line in
                    let base = line * lineStride
                    for c in 0..<3 {
                        @inline(__always) func at(_ i: Int) -> UInt32 { UInt32(s[base + min(max(i, 0), length - 1) * step + c]) }
                        var sum: UInt32 = 0
                        for i in -radius...radius { sum += at(i) }
                        for i in 0..<length {
                            d[base + i * step + c] = UInt8((sum + window / 2) / window)
                            sum += at(i + radius + 1)
                            sum -= at(i - radius)
                        }
                    }
                }
            }
        }
    }
}
