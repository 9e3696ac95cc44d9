// Matches Pillow src/libImaging/Resample.c: ImagingResample for 8-bit images with the BOX and
// BILINEAR filters (precompute_coeffs, normalize_coeffs_8bpc, the horizontal-then-vertical
// passes with fixed-point accumulation and clipping of the intermediate to uint8).

/// Pillow's separable resampling of 8-bit images, reproduced bit for bit.
public enum PillowResample {
    public enum Filter: Sendable {
        /// `Image.BOX`: each output pixel averages the input pixels its area covers.
        case box
        /// `Image.BILINEAR`: triangle filter; when downscaling its support grows with the scale
        /// factor (antialiasing).
        case bilinear

        var support: Double {
            switch self {
            case .box: return 0.5
            case .bilinear: return 1.0
            }
        }

        func weight(_ x: Double) -> Double {
            switch self {
            case .box:
                return (x > -0.5 && x <= 0.5) ? 1 : 0
            case .bilinear:
                let a = abs(x)
                return a < 1 ? 1 - a : 0
            }
        }
    }

    /// 32 − 8 − 2 fractional bits of the fixed-point coefficients.
    static let precisionBits = 22

    /// Resamples the whole image to `width`×`height` (Pillow `Image.resize(size, filter)`; the
    /// same size returns a copy).
    public static func resize(_ image: RGB8Image, width: Int, height: Int, filter: Filter) throws -> RGB8Image {
        guard width > 0, height > 0 else {
            throw PreprocessError.invalidSize("resize target \(width)×\(height) must be positive")
        }
        if width == image.width && height == image.height { return image }
        var current = image
        if width != image.width {
            let (bounds, coeffs, ksize) = coefficients(inSize: image.width, outSize: width, filter: filter)
            current = horizontal(current, width: width, bounds: bounds, coeffs: coeffs, ksize: ksize)
        }
        if height != image.height {
            let (bounds, coeffs, ksize) = coefficients(inSize: image.height, outSize: height, filter: filter)
            current = vertical(current, height: height, bounds: bounds, coeffs: coeffs, ksize: ksize)
        }
        return current
    }

    /// precompute_coeffs + normalize_coeffs_8bpc for the full input range [0, inSize).
    /// Returns per output index (first input index, tap count) and `ksize` fixed-point taps each.
    static func coefficients(inSize: Int, outSize: Int, filter: Filter) -> (bounds: [(Int, Int)], coeffs: [Int32], ksize: Int) {
        let scale = Double(Float(inSize)) / Double(outSize)  // (double)(in1 − in0) / outSize, in1/in0 floats
        let filterScale = max(scale, 1)
        let support = filter.support * filterScale
        let ksize = Int(support.rounded(.up)) * 2 + 1
        var bounds: [(Int, Int)] = []
        bounds.reserveCapacity(outSize)
        var coeffs = [Int32](repeating: 0, count: outSize * ksize)
        var taps = [Double](repeating: 0, count: ksize)
        let one = Double(1 << precisionBits)
        for xx in 0..<outSize {
            let center = (Double(xx) + 0.5) * scale
            let ss = 1 / filterScale
            var xmin = Int(center - support + 0.5)   // C (int) cast truncates toward zero
            if xmin < 0 { xmin = 0 }
            var xmax = Int(center + support + 0.5)
            if xmax > inSize { xmax = inSize }
            xmax -= xmin
            var ww = 0.0
            for x in 0..<xmax {
                let w = filter.weight((Double(x + xmin) - center + 0.5) * ss)
                taps[x] = w
                ww += w
            }
            for x in 0..<xmax {
                let k = ww != 0 ? taps[x] / ww : taps[x]
                coeffs[xx * ksize + x] = Int32(k < 0 ? (-0.5 + k * one) : (0.5 + k * one))
            }
            bounds.append((xmin, xmax))
        }
        return (bounds, coeffs, ksize)
    }

    /// clip8: the accumulator's integer part, clamped to [0, 255].
    @inline(__always)
    static func clip8(_ acc: Int) -> UInt8 {
        let v = acc >> precisionBits
        return v < 0 ? 0 : (v > 255 ? 255 : UInt8(v))
    }

    static func horizontal(_ src: RGB8Image, width: Int, bounds: [(Int, Int)], coeffs: [Int32], ksize: Int) -> RGB8Image {
        var out = RGB8Image(zeros: width, height: src.height)
        let half = 1 << (precisionBits - 1)
        src.pixels.withUnsafeBufferPointer { inp in
            coeffs.withUnsafeBufferPointer { kk in
                out.pixels.withUnsafeMutableBufferPointer { o in
                    for y in 0..<src.height {
                        let row = y * src.width * 3
                        for xx in 0..<width {
                            let (xmin, count) = bounds[xx]
                            var s0 = half, s1 = half, s2 = half
                            for x in 0..<count {
                                let k = Int(kk[xx * ksize + x])
                                let p = row + (x + xmin) * 3
                                s0 += Int(inp[p]) * k
                                s1 += Int(inp[p + 1]) * k
                                s2 += Int(inp[p + 2]) * k
                            }
                            let q = (y * width + xx) * 3
                            o[q] = clip8(s0); o[q + 1] = clip8(s1); o[q + 2] = clip8(s2)
                        }
                    }
                }
            }
        }
        return out
    }

    static func vertical(_ src: RGB8Image, height: Int, bounds: [(Int, Int)], coeffs: [Int32], ksize: Int) -> RGB8Image {
        var out = RGB8Image(zeros: src.width, height: height)
        let half = 1 << (precisionBits - 1)
        let stride = src.width * 3
        src.pixels.withUnsafeBufferPointer { inp in
            coeffs.withUnsafeBufferPointer { kk in
                out.pixels.withUnsafeMutableBufferPointer { o in
                    for yy in 0..<height {
                        let (ymin, count) = bounds[yy]
                        for c in 0..<stride {
                            var s = half
                            for y in 0..<count {
                                s += Int(inp[(y + ymin) * stride + c]) * Int(kk[yy * ksize + y])
                            }
                            o[yy * stride + c] = clip8(s)
                        }
                    }
                }
            }
        }
        return out
    }
}
