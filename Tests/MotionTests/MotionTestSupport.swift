import Foundation
import Media
import XCTest

/// Paths and synthetic images shared by the Motion tests.
enum MotionFixtures {
    static let testsDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    static let dataDirectory = testsDirectory.appendingPathComponent("Data")
    static let fixturesDirectory = testsDirectory.appendingPathComponent("Fixtures")

    /// A studio-style product shot: a rounded coloured object with a highlight and some texture
    /// on an off-white backdrop with a soft floor shadow.
    static func studioProduct(width: Int = 320, height: Int = 320, colour: (UInt8, UInt8, UInt8) = (30, 60, 150)) -> RGBImage {
        var img = RGBImage(width: width, height: height, fill: (244, 244, 242))
        let cx = Double(width) / 2, cy = Double(height) * 0.48
        let rx = Double(width) * 0.22, ry = Double(height) * 0.33
        for y in 0..<height {
            for x in 0..<width {
                let dx = (Double(x) - cx) / rx, dy = (Double(y) - cy) / ry
                let r = (dx * dx + dy * dy).squareRoot()
                let i = img.index(x: x, y: y)
                if r < 1 {
                    // Stripes and a gradient give the sampler something to alias on.
                    let stripe = (x / 3 + y / 5) % 2 == 0 ? 1.0 : 0.82
                    let shade = (1.1 - 0.35 * dy) * stripe
                    img.pixels[i] = UInt8(min(255, Double(colour.0) * shade))
                    img.pixels[i + 1] = UInt8(min(255, Double(colour.1) * shade))
                    img.pixels[i + 2] = UInt8(min(255, Double(colour.2) * shade))
                } else {
                    let sy = (Double(y) - (cy + ry)) / (Double(height) * 0.04)
                    let sx = (Double(x) - cx) / (rx * 1.1)
                    let shadow = max(0, 1 - (sx * sx + sy * sy)) * 40
                    for c in 0..<3 { img.pixels[i + c] = UInt8(max(0, Double(img.pixels[i + c]) - shadow)) }
                }
            }
        }
        return img
    }

    /// A busy photo: smooth colourful gradients and blobs everywhere, no plain border.
    static func busyScene(width: Int = 320, height: Int = 240, seed: Int = 1) -> RGBImage {
        var img = RGBImage(width: width, height: height)
        for y in 0..<height {
            for x in 0..<width {
                let u = Double(x) / Double(width), v = Double(y) / Double(height)
                let i = img.index(x: x, y: y)
                let a = sin(u * 9 + Double(seed)) * cos(v * 7) * 0.5 + 0.5
                let b = sin((u + v) * 13) * 0.5 + 0.5
                img.pixels[i] = UInt8(40 + 180 * a)
                img.pixels[i + 1] = UInt8(60 + 150 * b)
                img.pixels[i + 2] = UInt8(90 + 120 * (1 - a) * b)
            }
        }
        return img
    }
}
