/// One palette for a whole clip, by median cut on a 5-bit-per-channel histogram of every frame:
/// the box with the largest total squared error is split at the weighted median of its widest
/// channel until there are `maxColors` boxes; each colour is the mean of the pixels in its box.
/// A shared palette keeps colours from shifting between frames (per-frame palettes flicker).
struct GIFPalette {
    /// RGB triples, `count` entries.
    var colors: [(UInt8, UInt8, UInt8)]
    /// Nearest palette index for every 5-bit-per-channel colour (32768 entries).
    var lookup: [UInt8]

    static func bin(_ r: UInt8, _ g: UInt8, _ b: UInt8) -> Int { Int(r >> 3) << 10 | Int(g >> 3) << 5 | Int(b >> 3) }

    struct Bin {
        var key: Int
        var count: Double
        var r: Double, g: Double, b: Double   // sums
        func channel(_ c: Int) -> Double { c == 0 ? r / count : (c == 1 ? g / count : b / count) }
    }

    init(frames: [RGBImage], maxColors: Int = 256) {
        var count = [Double](repeating: 0, count: 32768)
        var sums = [Double](repeating: 0, count: 32768 * 3)
        let totalPixels = frames.reduce(0) { $0 + $1.width * $1.height }
        let step = max(1, totalPixels / 8_000_000)   // sample big clips
        for frame in frames {
            frame.pixels.withUnsafeBufferPointer { p in
                var i = 0
                while i < p.count {
                    let k = Self.bin(p[i], p[i + 1], p[i + 2])
                    count[k] += 1
                    sums[3 * k] += Double(p[i]); sums[3 * k + 1] += Double(p[i + 1]); sums[3 * k + 2] += Double(p[i + 2])
                    i += 3 * step
                }
            }
        }
        var bins: [Bin] = []
        for k in 0..<32768 where count[k] > 0 {
            bins.append(Bin(key: k, count: count[k], r: sums[3 * k], g: sums[3 * k + 1], b: sums[3 * k + 2]))
        }
        if bins.isEmpty { bins = [Bin(key: 0, count: 1, r: 0, g: 0, b: 0)] }

        var boxes: [[Bin]] = [bins]
        var errors: [Double] = [Self.squaredError(bins).total]
        while boxes.count < maxColors {
            guard let worst = errors.indices.max(by: { errors[$0] < errors[$1] }), errors[worst] > 0, boxes[worst].count > 1 else { break }
            let box = boxes[worst]
            let axis = Self.squaredError(box).widest
            let sorted = box.sorted { $0.channel(axis) < $1.channel(axis) }
            let half = sorted.reduce(0) { $0 + $1.count } / 2
            var acc = 0.0, cut = 1
            for (i, b) in sorted.enumerated() {
                acc += b.count
                if acc >= half { cut = max(1, min(sorted.count - 1, i + 1)); break }
            }
            let lo = Array(sorted[..<cut]), hi = Array(sorted[cut...])
            boxes[worst] = lo
            errors[worst] = Self.squaredError(lo).total
            boxes.append(hi)
            errors.append(Self.squaredError(hi).total)
        }
        colors = boxes.map { box in
            let n = box.reduce(0) { $0 + $1.count }
            func mean(_ f: (Bin) -> Double) -> UInt8 { UInt8(max(0, min(255, (box.reduce(0) { $0 + f($1) } / n).rounded()))) }
            return (mean { $0.r }, mean { $0.g }, mean { $0.b })
        }
        lookup = [UInt8](repeating: 0, count: 32768)
        for k in 0..<32768 {
            let r = (k >> 10) << 3 | 4, g = ((k >> 5) & 31) << 3 | 4, b = (k & 31) << 3 | 4
            lookup[k] = UInt8(Self.nearest(colors, r, g, b))
        }
    }

    static func nearest(_ colors: [(UInt8, UInt8, UInt8)], _ r: Int, _ g: Int, _ b: Int) -> Int {
        var best = 0, bestD = Int.max
        for (i, c) in colors.enumerated() {
            let dr = r - Int(c.0), dg = g - Int(c.1), db = b - Int(c.2)
            let d = 2 * dr * dr + 4 * dg * dg + 3 * db * db   // rough perceptual weights
            if d < bestD { bestD = d; best = i }
        }
        return best
    }

    private static func squaredError(_ box: [Bin]) -> (total: Double, widest: Int) {
        var n = 0.0, s = [0.0, 0.0, 0.0], s2 = [0.0, 0.0, 0.0]
        for b in box {
            n += b.count
            for c in 0..<3 {
                let v = b.channel(c)
                s[c] += v * b.count
                s2[c] += v * v * b.count
            }
        }
        let variances = (0..<3).map { s2[$0] - s[$0] * s[$0] / n }
        let widest = variances.indices.max { variances[$0] < variances[$1] } ?? 0
        return (variances.reduce(0, +), widest)
    }
}
