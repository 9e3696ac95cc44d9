import Media

/// A single-channel image of luma values in 0...255 (BT.601 weights, as `cv2.cvtColor(…, GRAY)`),
/// rows top to bottom. Every QC metric works on luma: the defects it looks for (blur, shake,
/// flicker, blank frames) all show in brightness, and one channel is a third of the work.
public struct LumaPlane: Sendable, Equatable {
    public let width: Int
    public let height: Int
    /// `width * height` values, nominally 0...255.
    public var values: [Float]

    /// Wraps existing values; returns nil when the count does not match the size.
    public init?(width: Int, height: Int, values: [Float]) {
        guard width > 0, height > 0, values.count == width * height else { return nil }
        self.width = width
        self.height = height
        self.values = values
    }

    /// Internal constructor for sizes the caller has already checked.
    init(checkedWidth width: Int, height: Int, values: [Float]) {
        self.width = width
        self.height = height
        self.values = values
    }

    /// Luma of an 8-bit RGB image: Y = 0.299 R + 0.587 G + 0.114 B.
    public init(_ image: RGBImage) {
        let n = image.width * image.height
        let values = [Float](unsafeUninitializedCapacity: n) { dst, count in
            image.pixels.withUnsafeBufferPointer { src in
                for i in 0..<n {
                    let r = Float(src[3 * i]), g = Float(src[3 * i + 1]), b = Float(src[3 * i + 2])
                    dst[i] = 0.299 * r + 0.587 * g + 0.114 * b
                }
            }
            count = n
        }
        self.init(checkedWidth: image.width, height: image.height, values: values)
    }

    /// Mean and (population) standard deviation of the values.
    public func meanAndStd() -> (mean: Double, std: Double) {
        values.withUnsafeBufferPointer { v in
            var sum = 0.0, sumSq = 0.0
            // Accumulate rows in Float (short, exact enough) and the totals in Double.
            for y in 0..<height {
                var rs: Float = 0, rss: Float = 0
                let row = y * width
                for x in 0..<width { let a = v[row + x]; rs += a; rss += a * a }
                sum += Double(rs); sumSq += Double(rss)
            }
            let n = Double(values.count)
            let mean = sum / n
            return (mean, max(0, sumSq / n - mean * mean).squareRoot())
        }
    }

    /// Box-average downscale by an integer factor; the last `width % factor` columns and
    /// `height % factor` rows are dropped so that every output pixel averages a full block.
    public func downscaled(by factor: Int) -> LumaPlane {
        guard factor > 1 else { return self }
        let ow = max(1, width / factor), oh = max(1, height / factor)
        let fx = min(factor, width), fy = min(factor, height)
        let scale = 1 / Float(fx * fy)
        var out = [Float](repeating: 0, count: ow * oh)
        values.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for oy in 0..<oh {
                    let orow = oy * ow
                    for dy in 0..<fy {
                        let srow = (oy * fy + dy) * width
                        for ox in 0..<ow {
                            var s: Float = 0
                            let base = srow + ox * fx
                            for dx in 0..<fx { s += src[base + dx] }
                            dst[orow + ox] += s
                        }
                    }
                    for ox in 0..<ow { dst[orow + ox] *= scale }
                }
            }
        }
        return LumaPlane(checkedWidth: ow, height: oh, values: out)
    }

    /// Resampled to another size with a separable triangle (bilinear) filter whose support
    /// widens with the downscale factor, so that shrinking averages instead of aliasing.
    public func resampled(width newWidth: Int, height newHeight: Int) -> LumaPlane {
        guard newWidth > 0, newHeight > 0 else { return self }
        if newWidth == width && newHeight == height { return self }
        let hx = Self.triangleWeights(inSize: width, outSize: newWidth)
        let hy = Self.triangleWeights(inSize: height, outSize: newHeight)
        // Horizontal pass: [height, newWidth].
        var tmp = [Float](repeating: 0, count: height * newWidth)
        values.withUnsafeBufferPointer { src in
            tmp.withUnsafeMutableBufferPointer { dst in
                for y in 0..<height {
                    let srow = y * width, drow = y * newWidth
                    for ox in 0..<newWidth {
                        let taps = hx[ox]
                        var s: Float = 0
                        for k in 0..<taps.weights.count { s += taps.weights[k] * src[srow + taps.first + k] }
                        dst[drow + ox] = s
                    }
                }
            }
        }
        // Vertical pass: [newHeight, newWidth].
        var out = [Float](repeating: 0, count: newHeight * newWidth)
        tmp.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for oy in 0..<newHeight {
                    let taps = hy[oy]
                    let drow = oy * newWidth
                    for k in 0..<taps.weights.count {
                        let w = taps.weights[k]
                        let srow = (taps.first + k) * newWidth
                        for x in 0..<newWidth { dst[drow + x] += w * src[srow + x] }
                    }
                }
            }
        }
        return LumaPlane(checkedWidth: newWidth, height: newHeight, values: out)
    }

    struct Taps { var first: Int; var weights: [Float] }

    /// Normalised triangle-filter taps mapping `inSize` samples onto `outSize`, pixel centres
    /// aligned (output pixel o covers input [o·s, (o+1)·s) with s = inSize / outSize).
    static func triangleWeights(inSize: Int, outSize: Int) -> [Taps] {
        let scale = Double(inSize) / Double(outSize)
        let support = max(1.0, scale)
        return (0..<outSize).map { o in
            let centre = (Double(o) + 0.5) * scale
            let lo = max(0, Int((centre - support).rounded(.down)))
            let hi = min(inSize - 1, Int((centre + support).rounded(.up)))
            var ws = [Double]()
            for i in lo...hi { ws.append(max(0, 1 - abs((Double(i) + 0.5 - centre) / support))) }
            let total = ws.reduce(0, +)
            if total <= 0 {
                // Only possible at the very edge; fall back to the nearest sample.
                let nearest = min(inSize - 1, max(0, Int(centre)))
                return Taps(first: nearest, weights: [1])
            }
            return Taps(first: lo, weights: ws.map { Float($0 / total) })
        }
    }
}
