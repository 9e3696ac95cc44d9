import Foundation
import Media

/// A soft foreground (product) mask at low resolution, from a simple background model: on a
/// studio shot the border colour is the background and distance from it is the product; on a
/// busy photo, colour contrast against the border times a centre prior stands in for saliency.
public struct ForegroundMask: Sendable {
    /// Mask size (long side `MaskBuilder.longSide` or smaller).
    public let width: Int
    public let height: Int
    /// 0 (background) … 1 (product), row-major.
    public let values: [Float]
    /// Median border colour (0…255).
    public let background: SIMD3<Float>
    /// Fraction of border pixels close to the median border colour.
    public let borderUniformity: Double
    /// Whether the background looks like a plain studio backdrop.
    public var plainBackground: Bool { borderUniformity >= 0.8 }
    /// Bounding box of the product in normalised coordinates (x0, y0, x1, y1), 0…1.
    public let bounds: (x0: Double, y0: Double, x1: Double, y1: Double)

    /// Bilinear lookup at normalised coordinates (u, v) in 0…1.
    @inlinable
    public func sample(u: Float, v: Float) -> Float {
        let x = min(max(u * Float(width) - 0.5, 0), Float(width - 1))
        let y = min(max(v * Float(height) - 0.5, 0), Float(height - 1))
        let x0 = Int(x), y0 = Int(y)
        let x1 = min(x0 + 1, width - 1), y1 = min(y0 + 1, height - 1)
        let fx = x - Float(x0), fy = y - Float(y0)
        let a = values[y0 * width + x0], b = values[y0 * width + x1]
        let c = values[y1 * width + x0], d = values[y1 * width + x1]
        return (a + (b - a) * fx) + ((c + (d - c) * fx) - (a + (b - a) * fx)) * fy
    }

    public static let longSide = 128

    public init(image: RGBImage) {
        let small = ImageOps.areaDownsample(image, longSide: ForegroundMask.longSide)
        width = small.width
        height = small.height
        let n = width * height
        var px = [SIMD3<Float>](repeating: .zero, count: n)
        for i in 0..<n {
            px[i] = SIMD3(Float(small.pixels[3 * i]), Float(small.pixels[3 * i + 1]), Float(small.pixels[3 * i + 2]))
        }
        // Border band: 4 % of each side, at least one pixel.
        let bw = max(1, width / 25), bh = max(1, height / 25)
        var border: [SIMD3<Float>] = []
        for y in 0..<height {
            for x in 0..<width where x < bw || x >= width - bw || y < bh || y >= height - bh {
                border.append(px[y * width + x])
            }
        }
        func median(_ c: Int) -> Float {
            let s = border.map { $0[c] }.sorted()
            return s[s.count / 2]
        }
        let bg = SIMD3(median(0), median(1), median(2))
        background = bg
        func dist(_ a: SIMD3<Float>, _ b: SIMD3<Float>) -> Float {
            let d = a - b
            return (d * d).sum().squareRoot()
        }
        let close = border.filter { dist($0, bg) < 28 }.count
        borderUniformity = Double(close) / Double(max(border.count, 1))

        var m = [Float](repeating: 0, count: n)
        if borderUniformity >= 0.8 {
            for i in 0..<n { m[i] = smoothstep(16, 48, dist(px[i], bg)) }
        } else {
            // Contrast against the border colour, weighted by a centre prior.
            var maxD: Float = 1
            for i in 0..<n { maxD = max(maxD, dist(px[i], bg)) }
            for y in 0..<height {
                for x in 0..<width {
                    let dx: Float = (Float(x) + 0.5) / Float(width) - 0.5
                    let dy: Float = (Float(y) + 0.5) / Float(height) - 0.5
                    let r2: Float = dx * dx + dy * dy
                    let prior: Float = Foundation.exp(-r2 / Float(2 * 0.22 * 0.22))
                    let c: Float = dist(px[y * width + x], bg) / maxD
                    let s: Float = smoothstep(0.15, 0.6, c * 0.6 + 0.4 * prior)
                    m[y * width + x] = s * (0.3 + 0.7 * prior)
                }
            }
        }
        // Fill pinholes and soften the edge so warps blend without seams.
        m = ImageOps.boxBlur(m, width: width, height: height, radius: 2)
        m = ImageOps.boxBlur(m, width: width, height: height, radius: 2)
        values = m

        var x0 = width, y0 = height, x1 = -1, y1 = -1
        for y in 0..<height {
            for x in 0..<width where m[y * width + x] > 0.5 {
                x0 = min(x0, x); x1 = max(x1, x); y0 = min(y0, y); y1 = max(y1, y)
            }
        }
        if x1 < 0 {
            bounds = (0.2, 0.2, 0.8, 0.8)
        } else {
            bounds = (Double(x0) / Double(width), Double(y0) / Double(height),
                      Double(x1 + 1) / Double(width), Double(y1 + 1) / Double(height))
        }
    }
}

@inlinable
func smoothstep(_ e0: Float, _ e1: Float, _ x: Float) -> Float {
    let t = min(max((x - e0) / (e1 - e0), 0), 1)
    return t * t * (3 - 2 * t)
}
