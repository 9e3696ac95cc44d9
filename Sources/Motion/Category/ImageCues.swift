import Foundation
import Media

/// What a photo says without a classifier: whether it is a studio shot on a plain background,
/// its aspect, and the product's dominant colours (k-means in CIELAB over foreground pixels,
/// named from `Data/colours.json`).
public struct ImageCues: Sendable {
    public var width: Int
    public var height: Int
    public var aspect: Double { Double(width) / Double(height) }
    public var plainBackground: Bool
    public var borderUniformity: Double
    /// Largest share first; clusters with the same name are merged.
    public var colours: [ColourWord]

    public init(image: RGBImage, palette: ColourPalette) {
        width = image.width
        height = image.height
        let mask = ForegroundMask(image: image)
        plainBackground = mask.plainBackground
        borderUniformity = mask.borderUniformity
        let small = ImageOps.areaDownsample(image, longSide: ForegroundMask.longSide)
        var samples: [SIMD3<Float>] = []
        for y in 0..<small.height {
            for x in 0..<small.width {
                let u = (Float(x) + 0.5) / Float(small.width), v = (Float(y) + 0.5) / Float(small.height)
                guard mask.sample(u: u, v: v) > 0.6 else { continue }
                let i = small.index(x: x, y: y)
                samples.append(ColourPalette.lab(r: small.pixels[i], g: small.pixels[i + 1], b: small.pixels[i + 2]))
            }
        }
        colours = ImageCues.dominant(samples, palette: palette)
    }

    /// k-means (k ≤ 4, deterministic farthest-point initialisation, 10 rounds).
    static func dominant(_ samples: [SIMD3<Float>], palette: ColourPalette) -> [ColourWord] {
        guard samples.count >= 16 else { return [] }
        let k = 4
        var centres = [samples[samples.count / 2]]
        while centres.count < k {
            var far = samples[0], farD: Float = -1
            for s in samples {
                let d = centres.map { (($0 - s) * ($0 - s)).sum() }.min() ?? 0
                if d > farD { farD = d; far = s }
            }
            if farD < 1e-3 { break }
            centres.append(far)
        }
        var assign = [Int](repeating: 0, count: samples.count)
        for _ in 0..<10 {
            for (i, s) in samples.enumerated() {
                var best = 0, bestD = Float.infinity
                for (j, c) in centres.enumerated() {
                    let d = ((c - s) * (c - s)).sum()
                    if d < bestD { bestD = d; best = j }
                }
                assign[i] = best
            }
            var sums = [SIMD3<Float>](repeating: .zero, count: centres.count)
            var counts = [Int](repeating: 0, count: centres.count)
            for (i, s) in samples.enumerated() { sums[assign[i]] += s; counts[assign[i]] += 1 }
            for j in centres.indices where counts[j] > 0 { centres[j] = sums[j] / Float(counts[j]) }
        }
        var counts = [Int](repeating: 0, count: centres.count)
        for a in assign { counts[a] += 1 }
        var byName: [String: (share: Double, centre: SIMD3<Float>, n: Int)] = [:]
        for (j, c) in centres.enumerated() where counts[j] > 0 {
            let name = palette.name(lab: c)
            let share = Double(counts[j]) / Double(samples.count)
            if let old = byName[name] {
                if counts[j] > old.n { byName[name] = (old.share + share, c, counts[j]) } else { byName[name] = (old.share + share, old.centre, old.n) }
            } else {
                byName[name] = (share, c, counts[j])
            }
        }
        return byName.map { ColourWord(name: $0.key, share: ($0.value.share * 1000).rounded() / 1000, hex: ColourPalette.hex(lab: $0.value.centre)) }
            .filter { $0.share >= 0.08 }
            .sorted { $0.share != $1.share ? $0.share > $1.share : $0.name < $1.name }
    }
}

/// Named colours for prompts, from `Data/colours.json` (`{"colours": [["navy blue", "#1f2b55"], …]}`).
public struct ColourPalette: Sendable {
    public let entries: [(name: String, lab: SIMD3<Float>)]

    public static func builtIn() throws -> ColourPalette {
        guard let url = Bundle.module.url(forResource: "colours", withExtension: "json", subdirectory: "Data") else {
            throw MotionError.dataFile(path: "Data/colours.json", problem: "missing from the Motion resource bundle")
        }
        struct File: Decodable { var colours: [[String]] }
        let file: File
        do { file = try JSONDecoder().decode(File.self, from: Data(contentsOf: url)) } catch {
            throw MotionError.dataFile(path: url.path, problem: DecodingProblem.describe(error))
        }
        var list: [(String, SIMD3<Float>)] = []
        for (i, pair) in file.colours.enumerated() {
            guard pair.count == 2, let rgb = ColourPalette.parseHex(pair[1]) else {
                throw MotionError.dataFile(path: url.path, problem: "colours[\(i)] must be [name, \"#rrggbb\"]")
            }
            list.append((pair[0], lab(r: rgb.0, g: rgb.1, b: rgb.2)))
        }
        if list.isEmpty { throw MotionError.dataFile(path: url.path, problem: "no colours") }
        return ColourPalette(entries: list)
    }

    init(entries: [(String, SIMD3<Float>)]) { self.entries = entries.map { (name: $0.0, lab: $0.1) } }

    public func name(lab c: SIMD3<Float>) -> String {
        var best = entries[0].name, bestD = Float.infinity
        for e in entries {
            let d = ((e.lab - c) * (e.lab - c)).sum()
            if d < bestD { bestD = d; best = e.name }
        }
        return best
    }

    static func parseHex(_ s: String) -> (UInt8, UInt8, UInt8)? {
        guard s.count == 7, s.first == "#", let v = UInt32(s.dropFirst(), radix: 16) else { return nil }
        return (UInt8(v >> 16 & 255), UInt8(v >> 8 & 255), UInt8(v & 255))
    }

    /// sRGB (D65) → CIELAB.
    static func lab(r: UInt8, g: UInt8, b: UInt8) -> SIMD3<Float> {
        func lin(_ c: UInt8) -> Float {
            let v = Float(c) / 255
            return v <= 0.04045 ? v / 12.92 : pow((v + 0.055) / 1.055, 2.4)
        }
        let R = lin(r), G = lin(g), B = lin(b)
        let x = (0.4124 * R + 0.3576 * G + 0.1805 * B) / 0.95047
        let y = 0.2126 * R + 0.7152 * G + 0.0722 * B
        let z = (0.0193 * R + 0.1192 * G + 0.9505 * B) / 1.08883
        func f(_ t: Float) -> Float { t > 0.008856 ? cbrt(t) : 7.787 * t + 16.0 / 116 }
        return SIMD3(116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z)))
    }

    static func hex(lab c: SIMD3<Float>) -> String {
        let fy = (c.x + 16) / 116, fx = fy + c.y / 500, fz = fy - c.z / 200
        func inv(_ t: Float) -> Float { t * t * t > 0.008856 ? t * t * t : (t - 16.0 / 116) / 7.787 }
        let x = inv(fx) * 0.95047, y = inv(fy), z = inv(fz) * 1.08883
        let lin = [3.2406 * x - 1.5372 * y - 0.4986 * z, -0.9689 * x + 1.8758 * y + 0.0415 * z, 0.0557 * x - 0.2040 * y + 1.0570 * z]
        let srgb = lin.map { v -> Int in
            let c = v <= 0.0031308 ? 12.92 * v : 1.055 * pow(max(v, 0), 1 / 2.4) - 0.055
            return Int((min(max(c, 0), 1) * 255).rounded())
        }
        return String(format: "#%02x%02x%02x", srgb[0], srgb[1], srgb[2])
    }
}
