import Foundation

/// A constant frame rate as an exact fraction (24000/1001 for 23.976).
public struct FrameRate: Sendable, Equatable, Hashable, CustomStringConvertible {
    public let numerator: Int
    public let denominator: Int

    public init(_ fps: Int) throws { try self.init(numerator: fps, denominator: 1) }

    public init(numerator: Int, denominator: Int) throws {
        guard numerator > 0, denominator > 0, Double(numerator) / Double(denominator) <= 240,
              Double(numerator) / Double(denominator) >= 0.5 else {
            throw MediaError.invalidArgument("frame rate \(numerator)/\(denominator) must be between 0.5 and 240 fps")
        }
        self.numerator = numerator
        self.denominator = denominator
    }

    /// Parses "8", "29.97" (as 30000/1001), "23.976" (24000/1001), "25/2" or "12.5".
    public init(parsing text: String) throws {
        let t = text.trimmingCharacters(in: .whitespaces)
        if let slash = t.firstIndex(of: "/") {
            guard let n = Int(t[..<slash]), let d = Int(t[t.index(after: slash)...]) else {
                throw MediaError.invalidArgument("frame rate '\(text)' is not N, N.N or N/D")
            }
            try self.init(numerator: n, denominator: d)
            return
        }
        guard let v = Double(t), v.isFinite else { throw MediaError.invalidArgument("frame rate '\(text)' is not N, N.N or N/D") }
        for ntsc in [24, 30, 60] where abs(v - Double(ntsc) * 1000 / 1001) < 0.005 {
            try self.init(numerator: ntsc * 1000, denominator: 1001)
            return
        }
        let scaled = (v * 1000).rounded()
        guard scaled > 0, scaled < 1e9 else { throw MediaError.invalidArgument("frame rate '\(text)' is out of range") }
        var n = Int(scaled), d = 1000
        func gcd(_ a: Int, _ b: Int) -> Int { b == 0 ? a : gcd(b, a % b) }
        let g = gcd(n, d)
        n /= g
        d /= g
        try self.init(numerator: n, denominator: d)
    }

    public var fps: Double { Double(numerator) / Double(denominator) }

    /// Presentation time of frame `index`, in seconds.
    public func seconds(ofFrame index: Int) -> Double { Double(index) * Double(denominator) / Double(numerator) }

    /// Whole frames in `seconds`, rounded to nearest (at least 1).
    public func frames(in seconds: Double) -> Int { max(1, Int((seconds * fps).rounded())) }

    public var description: String { denominator == 1 ? "\(numerator)" : "\(numerator)/\(denominator)" }
}
