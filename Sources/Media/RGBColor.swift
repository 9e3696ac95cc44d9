import Foundation

/// An 8-bit sRGB colour: backgrounds for alpha compositing and padding, text colours.
public struct RGBColor: Sendable, Equatable, Hashable, CustomStringConvertible {
    public var r: UInt8
    public var g: UInt8
    public var b: UInt8

    public init(r: UInt8, g: UInt8, b: UInt8) {
        self.r = r
        self.g = g
        self.b = b
    }

    public static let white = RGBColor(r: 255, g: 255, b: 255)
    public static let black = RGBColor(r: 0, g: 0, b: 0)

    /// Parses `#RRGGBB`, `RRGGBB`, or one of the names `white`, `black`, `grey`/`gray`.
    public init(parsing text: String) throws {
        let t = text.trimmingCharacters(in: .whitespaces).lowercased()
        switch t {
        case "white": self = .white; return
        case "black": self = .black; return
        case "grey", "gray": self = RGBColor(r: 128, g: 128, b: 128); return
        default: break
        }
        let hex = t.hasPrefix("#") ? String(t.dropFirst()) : t
        guard hex.count == 6, let v = UInt32(hex, radix: 16) else {
            throw MediaError.invalidArgument("colour '\(text)' is not #RRGGBB or white/black/grey")
        }
        self.init(r: UInt8((v >> 16) & 0xFF), g: UInt8((v >> 8) & 0xFF), b: UInt8(v & 0xFF))
    }

    public var description: String {
        func hex(_ v: UInt8) -> String { let s = String(v, radix: 16); return v < 16 ? "0" + s : s }
        return "#" + hex(r) + hex(g) + hex(b)
    }
}
