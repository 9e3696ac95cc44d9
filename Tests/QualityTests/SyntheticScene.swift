import Foundation
import Media

/// Deterministic pseudo-random numbers (SplitMix64) for reproducible synthetic clips.
struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    /// Uniform in [0, 1).
    mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }
    mutating func uniform(_ lo: Double, _ hi: Double) -> Double { lo + (hi - lo) * unit() }
    /// Standard normal (Box–Muller).
    mutating func gaussian() -> Double {
        let u = max(unit(), 1e-12), v = unit()
        return (-2 * log(u)).squareRoot() * cos(2 * Double.pi * v)
    }
}

/// Where the camera looks: frame pixel (x, y) shows scene point
/// ((x + ½ − cx) / zoom + cx − panX, (y + ½ − cy) / zoom + cy − panY), so `panX > 0` moves the
/// content to the right and `zoom > 1` magnifies about the frame centre.
struct Camera {
    var zoom = 1.0
    var panX = 0.0
    var panY = 0.0
}

/// A product-photo-like scene defined at every real coordinate, so that any camera move renders
/// exactly (no resampling blur): a lit gradient backdrop with a smooth noise texture (fabric),
/// a rounded "product" box with a striped label, a round cap and a shadow disc, all with
/// anti-aliased edges about one pixel wide.
struct SyntheticScene {
    let width: Int
    let height: Int
    let seed: UInt64
    private let base: (Double, Double, Double)
    private let gradient: (Double, Double)
    private let box: (cx: Double, cy: Double, hw: Double, hh: Double, radius: Double)
    private let boxColour: (Double, Double, Double)
    private let stripePeriod: Double
    private let stripeAngle: (Double, Double)
    private let disc: (cx: Double, cy: Double, r: Double)
    private let discColour: (Double, Double, Double)
    private let spot: (cx: Double, cy: Double, r: Double)

    init(width: Int, height: Int, seed: UInt64) {
        self.width = width
        self.height = height
        self.seed = seed
        var rng = SplitMix64(seed: seed)
        let w = Double(width), h = Double(height)
        base = (rng.uniform(150, 215), rng.uniform(150, 215), rng.uniform(150, 215))
        gradient = (rng.uniform(-0.25, 0.25) * 256 / w, rng.uniform(-0.25, 0.25) * 256 / h)
        box = (w * rng.uniform(0.35, 0.65), h * rng.uniform(0.4, 0.6), w * rng.uniform(0.14, 0.22),
               h * rng.uniform(0.18, 0.28), min(w, h) * 0.04)
        boxColour = (rng.uniform(30, 220), rng.uniform(30, 220), rng.uniform(30, 220))
        stripePeriod = rng.uniform(7, 12)
        let angle = rng.uniform(0, Double.pi)
        stripeAngle = (cos(angle), sin(angle))
        disc = (w * rng.uniform(0.2, 0.8), h * rng.uniform(0.15, 0.35), min(w, h) * rng.uniform(0.08, 0.13))
        discColour = (rng.uniform(20, 235), rng.uniform(20, 235), rng.uniform(20, 235))
        spot = (w * rng.uniform(0.25, 0.75), h * rng.uniform(0.7, 0.85), min(w, h) * rng.uniform(0.1, 0.16))
    }

    /// Lattice value noise in [−1, 1] with smoothstep interpolation, cell size `cell` pixels.
    private func noise(_ u: Double, _ v: Double, cell: Double, salt: UInt64) -> Double {
        let x = u / cell, y = v / cell
        let xf = x.rounded(.down), yf = y.rounded(.down)
        let ix = Int(xf), iy = Int(yf)
        var fx = x - xf, fy = y - yf
        fx = fx * fx * (3 - 2 * fx); fy = fy * fy * (3 - 2 * fy)
        func lattice(_ i: Int, _ j: Int) -> Double {
            var z = UInt64(bitPattern: Int64(i)) &* 0x9E37_79B9_7F4A_7C15 ^ UInt64(bitPattern: Int64(j)) &* 0xC2B2_AE3D_27D4_EB4F
            z ^= seed &+ salt
            z = (z ^ (z >> 31)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 29)) &* 0x94D0_49BB_1331_11EB
            z ^= z >> 32
            return Double(z & 0xFFFF) / 32767.5 - 1
        }
        let a = lattice(ix, iy), b = lattice(ix + 1, iy), c = lattice(ix, iy + 1), d = lattice(ix + 1, iy + 1)
        return (a + (b - a) * fx) + ((c + (d - c) * fx) - (a + (b - a) * fx)) * fy
    }

    /// Coverage in [0, 1] of a shape whose signed distance (negative inside) is `d` pixels.
    private func coverage(_ d: Double) -> Double { min(1, max(0, 0.5 - d)) }

    /// RGB (0…255, unclamped) at scene point (u, v).
    func colour(_ u: Double, _ v: Double) -> (Double, Double, Double) {
        let tex = 14 * noise(u, v, cell: 5, salt: 1) + 7 * noise(u, v, cell: 2.5, salt: 2)
        let lift = gradient.0 * (u - Double(width) / 2) + gradient.1 * (v - Double(height) / 2)
        var r = base.0 + lift + tex, g = base.1 + lift + tex, b = base.2 + lift + tex * 0.8

        // Soft shadow spot under the product.
        let ds = ((u - spot.cx) * (u - spot.cx) + (v - spot.cy) * (v - spot.cy)).squareRoot() - spot.r
        let shade = 1 - 0.35 * coverage(ds / 4)
        r *= shade; g *= shade; b *= shade

        // Rounded box with a striped label.
        let qx = abs(u - box.cx) - box.hw + box.radius, qy = abs(v - box.cy) - box.hh + box.radius
        let outside = (max(qx, 0) * max(qx, 0) + max(qy, 0) * max(qy, 0)).squareRoot()
        let dBox = outside + min(max(qx, qy), 0) - box.radius
        let cb = coverage(dBox)
        if cb > 0 {
            let phase = (u * stripeAngle.0 + v * stripeAngle.1) / stripePeriod
            let stripe = 0.5 + 0.5 * sin(2 * Double.pi * phase)
            let k = 0.65 + 0.35 * stripe
            let br = boxColour.0 * k + tex * 0.5, bg = boxColour.1 * k + tex * 0.5, bb = boxColour.2 * k + tex * 0.5
            r += (br - r) * cb; g += (bg - g) * cb; b += (bb - b) * cb
        }

        // Cap.
        let dd = ((u - disc.cx) * (u - disc.cx) + (v - disc.cy) * (v - disc.cy)).squareRoot() - disc.r
        let cd = coverage(dd)
        if cd > 0 {
            r += (discColour.0 + tex * 0.4 - r) * cd; g += (discColour.1 + tex * 0.4 - g) * cd
            b += (discColour.2 + tex * 0.4 - b) * cd
        }
        return (r, g, b)
    }

    /// Float RGB [0, 1] frame, interleaved, with optional per-pixel Gaussian noise (levels).
    /// `density` > 1 renders the same view with that many pixels per scene pixel (a larger
    /// image of the same content).
    func renderFloat(_ cam: Camera, noise sigma: Double = 0, noiseSeed: UInt64 = 0, density: Int = 1) -> [Float] {
        let cx = Double(width) / 2, cy = Double(height) / 2
        let ow = width * density, oh = height * density, d = Double(density)
        var rng = SplitMix64(seed: noiseSeed)
        var out = [Float](repeating: 0, count: ow * oh * 3)
        out.withUnsafeMutableBufferPointer { o in
            for y in 0..<oh {
                let v = ((Double(y) + 0.5) / d - cy) / cam.zoom + cy - cam.panY
                for x in 0..<ow {
                    let u = ((Double(x) + 0.5) / d - cx) / cam.zoom + cx - cam.panX
                    var (r, g, b) = colour(u, v)
                    if sigma > 0 { r += sigma * rng.gaussian(); g += sigma * rng.gaussian(); b += sigma * rng.gaussian() }
                    let i = (y * ow + x) * 3
                    o[i] = Float(r / 255); o[i + 1] = Float(g / 255); o[i + 2] = Float(b / 255)
                }
            }
        }
        return out
    }

    func render(_ cam: Camera, noise sigma: Double = 0, noiseSeed: UInt64 = 0, density: Int = 1) -> RGBImage {
        Synthetic.quantise(renderFloat(cam, noise: sigma, noiseSeed: noiseSeed, density: density),
                           width: width * density, height: height * density)
    }
}

enum Synthetic {
    static func quantise(_ f: [Float], width: Int, height: Int) -> RGBImage {
        RGBImage(width: width, height: height, pixels: f.map { UInt8(min(255, max(0, ($0 * 255).rounded()))) })
    }

    /// Adds `delta` levels to every channel (clamped).
    static func brightened(_ img: RGBImage, by delta: Int) -> RGBImage {
        RGBImage(width: img.width, height: img.height,
                 pixels: img.pixels.map { UInt8(min(255, max(0, Int($0) + delta))) })
    }

    /// Separable Gaussian blur of each channel (clamped borders).
    static func blurred(_ img: RGBImage, sigma: Double) -> RGBImage {
        let r = Int((3 * sigma).rounded(.up))
        var k = (-r...r).map { exp(-Double($0 * $0) / (2 * sigma * sigma)) }
        let s = k.reduce(0, +)
        k = k.map { $0 / s }
        let w = img.width, h = img.height
        var tmp = [Double](repeating: 0, count: w * h * 3)
        var out = [UInt8](repeating: 0, count: w * h * 3)
        img.pixels.withUnsafeBufferPointer { src in
            tmp.withUnsafeMutableBufferPointer { t in
                for y in 0..<h { for x in 0..<w { for c in 0..<3 {
                    var acc = 0.0
                    for j in -r...r { acc += k[j + r] * Double(src[(y * w + min(w - 1, max(0, x + j))) * 3 + c]) }
                    t[(y * w + x) * 3 + c] = acc
                } } }
            }
        }
        tmp.withUnsafeBufferPointer { t in
            out.withUnsafeMutableBufferPointer { o in
                for y in 0..<h { for x in 0..<w { for c in 0..<3 {
                    var acc = 0.0
                    for j in -r...r { acc += k[j + r] * t[(min(h - 1, max(0, y + j)) * w + x) * 3 + c] }
                    o[(y * w + x) * 3 + c] = UInt8(min(255, max(0, acc.rounded())))
                } } }
            }
        }
        return RGBImage(width: w, height: h, pixels: out)
    }
}
