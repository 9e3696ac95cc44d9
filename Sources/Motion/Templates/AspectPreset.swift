/// Aspect presets used by marketplaces (1:1 feeds, 3:4 mobile, 16:9 listings, 7:9 JD apparel).
public struct AspectPreset: Sendable, Equatable {
    public let name: String
    /// width / height
    public let ratio: Double

    public static let all: [AspectPreset] = {
        let pairs: [(String, Double, Double)] = [("1:1", 1, 1), ("3:4", 3, 4), ("4:3", 4, 3), ("9:16", 9, 16),
                                                 ("16:9", 16, 9), ("4:5", 4, 5), ("7:9", 7, 9)]
        return pairs.map { AspectPreset(name: $0.0, ratio: $0.1 / $0.2) }
    }()

    public static var names: [String] { all.map(\.name) }

    public static func parse(_ name: String) -> AspectPreset? { all.first { $0.name == name } }

    /// The preset closest to `ratio` on a log scale.
    public static func nearest(to ratio: Double) -> AspectPreset {
        let r = max(ratio, 1e-6)
        return all.min { abs(log($0.ratio / r)) < abs(log($1.ratio / r)) } ?? all[0]
    }

    /// Frame size with the given short side, each side rounded to a multiple of `multiple`.
    public func size(shortSide: Int, multiple: Int) -> (width: Int, height: Int) {
        func round(_ v: Double) -> Int { max(multiple, Int((v / Double(multiple)).rounded()) * multiple) }
        if ratio >= 1 {
            return (round(Double(shortSide) * ratio), round(Double(shortSide)))
        } else {
            return (round(Double(shortSide)), round(Double(shortSide) / ratio))
        }
    }
}

import Foundation
