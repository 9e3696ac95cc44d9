/// An aspect ratio such as 16:9, reduced to lowest terms.
public struct AspectRatio: Sendable, Equatable, Hashable, CustomStringConvertible {
    public let width: Int
    public let height: Int

    public init(_ width: Int, _ height: Int) throws {
        guard width > 0, height > 0, width <= 100, height <= 100 else {
            throw MediaError.invalidArgument("aspect ratio \(width):\(height) must have terms between 1 and 100")
        }
        let g = Self.gcd(width, height)
        self.width = width / g
        self.height = height / g
    }

    private init(exact w: Int, _ h: Int) { width = w; height = h }

    public static let square = AspectRatio(exact: 1, 1)
    public static let portrait3x4 = AspectRatio(exact: 3, 4)
    public static let landscape4x3 = AspectRatio(exact: 4, 3)
    public static let portrait9x16 = AspectRatio(exact: 9, 16)
    public static let landscape16x9 = AspectRatio(exact: 16, 9)
    /// The presets marketplaces ask for (product.md §5).
    public static let presets: [AspectRatio] = [.square, .portrait3x4, .landscape4x3, .portrait9x16, .landscape16x9]

    /// Parses "16:9" (or "16x9", "16/9").
    public init(parsing text: String) throws {
        let parts = text.split(whereSeparator: { $0 == ":" || $0 == "x" || $0 == "/" })
        guard parts.count == 2, let w = Int(parts[0]), let h = Int(parts[1]) else {
            throw MediaError.invalidArgument("aspect '\(text)' is not W:H (e.g. 1:1, 3:4, 4:3, 9:16, 16:9)")
        }
        try self.init(w, h)
    }

    public var description: String { "\(width):\(height)" }

    private static func gcd(_ a: Int, _ b: Int) -> Int { b == 0 ? a : gcd(b, a % b) }
}

/// The pixel size a photo is prepared to.
///
/// Rules (both sides always multiples of 8, which the model's latent grid needs and which makes
/// them even, as H.264 4:2:0 needs):
/// - `.aspect(r, shortSide: S)`: the shorter side is S (S must be a multiple of 8, 64...4096);
///   the longer side is S × (long/short of r), rounded to the nearest multiple of 8.
///   At S = 512: 1:1 → 512×512, 3:4 → 512×680, 4:3 → 680×512, 9:16 → 512×912, 16:9 → 912×512.
///   At S = 720: 16:9 → 1280×720, 9:16 → 720×1280, 3:4 → 720×960.
/// - `.exact(width:height:)`: exactly that size; both must be multiples of 8 (e.g. 1280×704, the
///   I2VGen-XL default, or 1920×1080).
public enum TargetSize: Sendable, Equatable, CustomStringConvertible {
    case aspect(AspectRatio, shortSide: Int)
    case exact(width: Int, height: Int)

    public static let sideRange = 64...4096

    public func resolve() throws -> (width: Int, height: Int) {
        switch self {
        case let .aspect(r, s):
            guard Self.sideRange.contains(s), s % 8 == 0 else {
                throw MediaError.invalidArgument("size \(s) must be a multiple of 8 between \(Self.sideRange.lowerBound) and \(Self.sideRange.upperBound)")
            }
            let long = max(r.width, r.height), short = min(r.width, r.height)
            let longSide = Int((Double(s) * Double(long) / Double(short) / 8).rounded()) * 8
            guard longSide <= Self.sideRange.upperBound else {
                throw MediaError.invalidArgument("aspect \(r) at short side \(s) gives a long side of \(longSide) px, over \(Self.sideRange.upperBound)")
            }
            return r.width >= r.height ? (longSide, s) : (s, longSide)
        case let .exact(w, h):
            guard Self.sideRange.contains(w), Self.sideRange.contains(h), w % 8 == 0, h % 8 == 0 else {
                throw MediaError.invalidArgument("size \(w)x\(h) must have sides that are multiples of 8 between \(Self.sideRange.lowerBound) and \(Self.sideRange.upperBound)")
            }
            return (w, h)
        }
    }

    /// Parses "1280x704" as exact, otherwise needs an aspect: `TargetSize(aspect: "16:9", size: "512")`.
    public init(aspect: String?, size: String) throws {
        let parts = size.lowercased().split(separator: "x")
        if parts.count == 2 {
            guard let w = Int(parts[0]), let h = Int(parts[1]) else {
                throw MediaError.invalidArgument("size '\(size)' is not WIDTHxHEIGHT or a short-side length")
            }
            self = .exact(width: w, height: h)
            return
        }
        let digits = size.hasSuffix("p") ? String(size.dropLast()) : size
        guard let s = Int(digits) else {
            throw MediaError.invalidArgument("size '\(size)' is not WIDTHxHEIGHT or a short-side length such as 512")
        }
        self = .aspect(try AspectRatio(parsing: aspect ?? "1:1"), shortSide: s)
    }

    public var description: String {
        switch self {
        case let .aspect(r, s): return "\(r) at \(s)p"
        case let .exact(w, h): return "\(w)x\(h)"
        }
    }
}
