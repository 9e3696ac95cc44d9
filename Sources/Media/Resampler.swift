import Foundation

/// Resampling filters, with Pillow's kernels and supports.
public enum ResampleFilter: String, Sendable, CaseIterable {
    /// Area averaging (each output pixel is the mean of the input it covers).
    case box
    /// Triangle; antialiased on downscale like Pillow's BILINEAR.
    case bilinear
    case hamming
    /// Keys cubic with a = -0.5 (Pillow's BICUBIC).
    case bicubic
    /// Lanczos, 3 lobes (Pillow's LANCZOS / ANTIALIAS). The default for photos.
    case lanczos

    var support: Double {
        switch self {
        case .box: return 0.5
        case .bilinear, .hamming: return 1
        case .bicubic: return 2
        case .lanczos: return 3
        }
    }

    func weight(_ x: Double) -> Double {
        switch self {
        case .box:
            return x > -0.5 && x <= 0.5 ? 1 : 0
        case .bilinear:
            let a = abs(x)
            return a < 1 ? 1 - a : 0
        case .hamming:
            let a = abs(x)
            if a == 0 { return 1 }
            if a >= 1 { return 0 }
            let p = a * .pi
            // Pillow evaluates the window constants in single precision.
            return sin(p) / p * (Double(Float(0.54)) + Double(Float(0.46)) * cos(p))
        case .bicubic:
            let a = abs(x), c = -0.5
            if a < 1 { return ((c + 2) * a - (c + 3)) * a * a + 1 }
            if a < 2 { return (((a - 5) * a + 8) * a - 4) * c }
            return 0
        case .lanczos:
            guard x >= -3, x < 3 else { return 0 }
            return Self.sinc(x) * Self.sinc(x / 3)
        }
    }

    private static func sinc(_ x: Double) -> Double {
        if x == 0 { return 1 }
        let p = x * .pi
        return sin(p) / p
    }
}

/// A source rectangle in pixel coordinates (may be fractional), like Pillow's `resize(box=)`.
public struct ResampleBox: Sendable, Equatable {
    public var x0: Double, y0: Double, x1: Double, y1: Double
    public init(x0: Double, y0: Double, x1: Double, y1: Double) {
        self.x0 = x0; self.y0 = y0; self.x1 = x1; self.y1 = y1
    }
}

// Matches Pillow src/libImaging/Resample.c: ImagingResample (8 bits per channel)
/// Separable convolution resampling that reproduces Pillow's `Image.resize` on 8-bit images bit
/// for bit: the filter support widens by the scale factor on downscale (proper antialiasing),
/// weights are normalised per output pixel and quantised to 22-bit fixed point, the horizontal
/// passes run in Pillow's order over only the rows needed, and the intermediate image is
/// rounded to 8 bits between them.
public enum Resampler {
    static let precisionBits = 22

    public static func resize(_ image: RGBImage, width: Int, height: Int, filter: ResampleFilter = .lanczos,
                              box: ResampleBox? = nil) -> RGBImage {
        let out = resize(pixels: image.pixels, width: image.width, height: image.height, channels: 3,
                         toWidth: width, toHeight: height, filter: filter, box: box)
        return RGBImage(width: width, height: height, pixels: out)
    }

    /// RGBA resize on premultiplied alpha (as Pillow does for RGBA), so transparent pixels'
    /// colours do not bleed into edges.
    public static func resize(_ image: RGBAImage, width: Int, height: Int, filter: ResampleFilter = .lanczos) -> RGBAImage {
        var pre = image.pixels
        for i in stride(from: 0, to: pre.count, by: 4) {
            let a = UInt32(pre[i + 3])
            for c in 0..<3 { pre[i + c] = UInt8((UInt32(pre[i + c]) * a + 127) / 255) }
        }
        var out = resize(pixels: pre, width: image.width, height: image.height, channels: 4,
                         toWidth: width, toHeight: height, filter: filter, box: nil)
        for i in stride(from: 0, to: out.count, by: 4) {
            let a = UInt32(out[i + 3])
            for c in 0..<3 {
                out[i + c] = a == 0 ? 0 : UInt8(min(255, (UInt32(out[i + c]) * 255 + a / 2) / a))
            }
        }
        return RGBAImage(width: width, height: height, pixels: out)
    }

    struct Coefficients {
        var ksize: Int
        var bounds: [Int]       // per output: first input index, count
        var weights: [Int32]    // outSize * ksize, fixed point
    }

    static func coefficients(inSize: Int, in0: Float, in1: Float, outSize: Int, filter: ResampleFilter) -> Coefficients {
        // The box span is computed in single precision, as Pillow passes its box as floats.
        let scale = Double(in1 - in0) / Double(outSize)
        let filterScale = max(scale, 1)
        let support = filter.support * filterScale
        let ksize = Int(support.rounded(.up)) * 2 + 1
        var bounds = [Int](repeating: 0, count: outSize * 2)
        var weights = [Int32](repeating: 0, count: outSize * ksize)
        var k = [Double](repeating: 0, count: ksize)
        let inverse = 1 / filterScale
        for xx in 0..<outSize {
            let center = Double(in0) + (Double(xx) + 0.5) * scale
            var xmin = Int(center - support + 0.5)     // C truncation toward zero
            if xmin < 0 { xmin = 0 }
            var xmax = Int(center + support + 0.5)
            if xmax > inSize { xmax = inSize }
            xmax -= xmin
            var total = 0.0
            for x in 0..<max(0, xmax) {
                let w = filter.weight((Double(x + xmin) - center + 0.5) * inverse)
                k[x] = w
                total += w
            }
            for x in 0..<max(0, xmax) {
                let w = total != 0 ? k[x] / total : k[x]
                let scaled = w * Double(1 << precisionBits)
                weights[xx * ksize + x] = Int32(w < 0 ? (-0.5 + scaled).rounded(.towardZero) : (0.5 + scaled).rounded(.towardZero))
            }
            bounds[2 * xx] = xmin
            bounds[2 * xx + 1] = max(0, xmax)
        }
        return Coefficients(ksize: ksize, bounds: bounds, weights: weights)
    }

    @inline(__always) static func clip8(_ v: Int32) -> UInt8 {
        let s = v >> Int32(precisionBits)
        return s < 0 ? 0 : (s > 255 ? 255 : UInt8(s))
    }

    /// Resizes interleaved 8-bit pixels with `channels` (1...4) per pixel.
    static func resize(pixels: [UInt8], width: Int, height: Int, channels: Int, toWidth: Int, toHeight: Int,
                       filter: ResampleFilter, box: ResampleBox?) -> [UInt8] {
        precondition(toWidth > 0 && toHeight > 0, "resize target \(toWidth)x\(toHeight)")
        let b = box ?? ResampleBox(x0: 0, y0: 0, x1: Double(width), y1: Double(height))
        let bx0 = Float(b.x0), by0 = Float(b.y0), bx1 = Float(b.x1), by1 = Float(b.y1)
        let needH = toWidth != width || bx0 != 0 || bx1 != Float(toWidth)
        let needV = toHeight != height || by0 != 0 || by1 != Float(toHeight)
        if !needH && !needV { return pixels }

        var vert = coefficients(inSize: height, in0: by0, in1: by1, outSize: toHeight, filter: filter)
        // Pillow 13 runs the vertical pass first when it shrinks rows and the horizontal pass
        // grows columns by comparatively more: exactly when toHeight < height and
        // 2·(toWidth − width) > (toHeight − height) (found by probing Pillow 13.0.0 on 600 random
        // size pairs; its order matters because the intermediate image is rounded to 8 bits).
        if needH && needV && toHeight < height && 2 * (toWidth - width) > toHeight - height {
            let horiz = coefficients(inSize: width, in0: bx0, in1: bx1, outSize: toWidth, filter: filter)
            let tall = verticalPass(pixels, width: width, channels: channels, rowOffset: 0, c: vert, outHeight: toHeight)
            return horizontalPass(tall, width: width, channels: channels, rows: 0..<toHeight, c: horiz, outWidth: toWidth)
        }
        let firstRow = vert.bounds[0]
        let lastRow = vert.bounds[2 * toHeight - 2] + vert.bounds[2 * toHeight - 1]

        var src = pixels, srcW = width
        if needH {
            let horiz = coefficients(inSize: width, in0: bx0, in1: bx1, outSize: toWidth, filter: filter)
            // The horizontal pass covers only the rows the vertical pass reads.
            for i in 0..<toHeight { vert.bounds[2 * i] -= firstRow }
            src = horizontalPass(pixels, width: width, channels: channels, rows: firstRow..<lastRow, c: horiz, outWidth: toWidth)
            srcW = toWidth
        }
        guard needV else { return src }
        return verticalPass(src, width: srcW, channels: channels, rowOffset: 0, c: vert, outHeight: toHeight)
    }

    private static func horizontalPass(_ pixels: [UInt8], width: Int, channels: Int, rows: Range<Int>,
                                       c: Coefficients, outWidth: Int) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: rows.count * outWidth * channels)
        let half = Int32(1 << (precisionBits - 1))
        pixels.withUnsafeBufferPointer { srcAll in
            out.withUnsafeMutableBufferPointer { dstAll in
                c.weights.withUnsafeBufferPointer { kk in
                    c.bounds.withUnsafeBufferPointer { bounds in
                        let src = srcAll.baseAddress!, dst = dstAll.baseAddress!, kp = kk.baseAddress!, bp = bounds.baseAddress!
                        parallelRows(rows.count) { r in
                            let srow = src + (rows.lowerBound + r) * width * channels
                            let drow = dst + r * outWidth * channels
                            for xx in 0..<outWidth {
                                let xmin = bp[2 * xx], n = bp[2 * xx + 1]
                                let k = kp + xx * c.ksize
                                var acc: (Int32, Int32, Int32, Int32) = (half, half, half, half)
                                var s = srow + xmin * channels
                                for x in 0..<n {
                                    let w = k[x]
                                    acc.0 &+= Int32(s[0]) &* w
                                    if channels > 1 { acc.1 &+= Int32(s[1]) &* w }
                                    if channels > 2 { acc.2 &+= Int32(s[2]) &* w }
                                    if channels > 3 { acc.3 &+= Int32(s[3]) &* w }
                                    s += channels
                                }
                                let d = drow + xx * channels
                                d[0] = clip8(acc.0)
                                if channels > 1 { d[1] = clip8(acc.1) }
                                if channels > 2 { d[2] = clip8(acc.2) }
                                if channels > 3 { d[3] = clip8(acc.3) }
                            }
                        }
                    }
                }
            }
        }
        return out
    }

    private static func verticalPass(_ pixels: [UInt8], width: Int, channels: Int, rowOffset: Int,
                                     c: Coefficients, outHeight: Int) -> [UInt8] {
        let rowBytes = width * channels
        var out = [UInt8](repeating: 0, count: outHeight * rowBytes)
        let half = Int32(1 << (precisionBits - 1))
        pixels.withUnsafeBufferPointer { srcAll in
            out.withUnsafeMutableBufferPointer { dstAll in
                c.weights.withUnsafeBufferPointer { kk in
                    let src = srcAll.baseAddress!, dst = dstAll.baseAddress!, kp = kk.baseAddress!
                    let bounds = c.bounds
                    parallelRows(outHeight) { yy in
                        let ymin = bounds[2 * yy] + rowOffset, n = bounds[2 * yy + 1]
                        let k = kp + yy * c.ksize
                        let drow = dst + yy * rowBytes
                        // Accumulate a whole output row at once: contiguous reads of each input row.
                        var acc = [Int32](repeating: half, count: rowBytes)
                        acc.withUnsafeMutableBufferPointer { a in
                            for y in 0..<n {
                                let w = k[y]
                                let srow = src + (ymin + y) * rowBytes
                                for i in 0..<rowBytes { a[i] &+= Int32(srow[i]) &* w }
                            }
                            for i in 0..<rowBytes { drow[i] = clip8(a[i]) }
                        }
                    }
                }
            }
        }
        return out
    }
}

/// Runs `body(row)` for rows 0..<count, spread over the available cores in contiguous chunks.
func parallelRows(_ count: Int, _ body: (Int) -> Void) {
    let workers = min(ProcessInfo.processInfo.activeProcessorCount, max(1, count / 16))
    if workers <= 1 {
        for r in 0..<count { body(r) }
        return
    }
    let chunk = (count + workers - 1) / workers
    withoutActuallyEscaping(body) { body in
        DispatchQueue.concurrentPerform(iterations: workers) { w in
            let start = w * chunk, end = min(count, start + chunk)
            if start < end { for r in start..<end { body(r) } }
        }
    }
}
