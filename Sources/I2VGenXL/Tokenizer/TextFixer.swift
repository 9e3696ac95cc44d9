import Foundation

/// The text repair OpenCLIP's tokenizer runs first (`ftfy.fix_text` with its default
/// configuration, ftfy 6.3): HTML references, C1 controls, Latin ligatures, full-/half-width
/// forms, curly quotes, line breaks, terminal escapes, control characters, NFC — applied to
/// each line until nothing changes.
///
/// Python strings may hold lone surrogates; Swift strings cannot (the JSON reader already maps
/// them to U+FFFD, which is what ftfy's `fix_surrogates` does), so that step has nothing to do.
enum TextFixer {
    static func fixText(_ text: String) -> String {
        var out = ""
        var unescape = true
        // ftfy fixes each line separately; once a line contains '<' (it may be HTML), it stops
        // decoding entities for that line and every later one.
        var segment = ""
        for c in text.unicodeScalars {
            segment.unicodeScalars.append(c)
            if c == "\n" {
                if segment.unicodeScalars.contains("<") { unescape = false }
                out += fixSegment(segment, unescapeHTML: unescape)
                segment = ""
            }
        }
        if !segment.isEmpty {
            if segment.unicodeScalars.contains("<") { unescape = false }
            out += fixSegment(segment, unescapeHTML: unescape)
        }
        return out
    }

    static func fixSegment(_ segment: String, unescapeHTML: Bool) -> String {
        var text = segment
        // Every fix can expose work for another (an entity that decodes to a ligature, ...).
        for _ in 0..<16 {
            let original = text
            if unescapeHTML { text = HTMLUnescape.ftfy(text) }
            text = mapScalars(text, fixC1Control)
            text = mapScalars(text, fixLatinLigature)
            text = mapScalars(text, fixCharacterWidth)
            text = mapScalars(text, uncurlQuote)
            text = fixLineBreaks(text)
            text = removeTerminalEscapes(text)
            text = mapScalars(text, removeControlChar)
            text = text.precomposedStringWithCanonicalMapping
            if text.unicodeScalars.elementsEqual(original.unicodeScalars) { break }
        }
        return text
    }

    /// Applies a per-code-point rewrite (nil keeps the code point).
    private static func mapScalars(_ text: String, _ fix: (Unicode.Scalar) -> String?) -> String {
        var out = String.UnicodeScalarView()
        var changed = false
        for c in text.unicodeScalars {
            if let replacement = fix(c) {
                out.append(contentsOf: replacement.unicodeScalars)
                changed = true
            } else {
                out.append(c)
            }
        }
        return changed ? String(out) : text
    }

    /// C1 controls read as Windows-1252, as browsers do.
    static func fixC1Control(_ c: Unicode.Scalar) -> String? {
        guard (0x80...0x9F).contains(c.value) else { return nil }
        return Unicode.Scalar(Windows1252.c1Range[Int(c.value - 0x80)]).map { String($0) }
    }

    /// Latin ligature code points spelled out.
    static func fixLatinLigature(_ c: Unicode.Scalar) -> String? {
        switch c.value {
        case 0x132: return "IJ"
        case 0x133: return "ij"
        case 0x149: return "\u{2BC}n"
        case 0x1F1: return "DZ"
        case 0x1F2: return "Dz"
        case 0x1F3: return "dz"
        case 0x1C4: return "D\u{17D}"
        case 0x1C5: return "D\u{17E}"
        case 0x1C6: return "d\u{17E}"
        case 0x1C7: return "LJ"
        case 0x1C8: return "Lj"
        case 0x1C9: return "lj"
        case 0x1CA: return "NJ"
        case 0x1CB: return "Nj"
        case 0x1CC: return "nj"
        case 0xFB00: return "ff"
        case 0xFB01: return "fi"
        case 0xFB02: return "fl"
        case 0xFB03: return "ffi"
        case 0xFB04: return "ffl"
        case 0xFB05: return "\u{17F}t"
        case 0xFB06: return "st"
        default: return nil
        }
    }

    /// Half-width and full-width forms (U+FF01–U+FFEF) to their compatibility equivalents, and
    /// the ideographic space to a space.
    static func fixCharacterWidth(_ c: Unicode.Scalar) -> String? {
        if c.value == 0x3000 { return " " }
        guard (0xFF01..<0xFFF0).contains(c.value) else { return nil }
        return widthMap[c.value]
    }

    private static let widthMap: [UInt32: String] = {
        var map: [UInt32: String] = [:]
        for v in UInt32(0xFF01)..<0xFFF0 {
            guard let scalar = Unicode.Scalar(v) else { continue }
            let s = String(scalar)
            let alternate = s.precomposedStringWithCompatibilityMapping
            if alternate != s { map[v] = alternate }
        }
        return map
    }()

    static func uncurlQuote(_ c: Unicode.Scalar) -> String? {
        switch c.value {
        case 0x2BC, 0x2018...0x201B: return "'"
        case 0x201C...0x201F: return "\""
        default: return nil
        }
    }

    static func fixLineBreaks(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: { $0 == "\r" || $0 == "\u{2028}" || $0 == "\u{2029}" || $0 == "\u{85}" }) else {
            return text
        }
        var out = String.UnicodeScalarView()
        let s = Array(text.unicodeScalars)
        var i = 0
        while i < s.count {
            switch s[i] {
            case "\r":
                out.append("\n")
                if i + 1 < s.count, s[i + 1] == "\n" { i += 1 }
            case "\u{2028}", "\u{2029}", "\u{85}":
                out.append("\n")
            default:
                out.append(s[i])
            }
            i += 1
        }
        return String(out)
    }

    /// Removes ANSI escapes `ESC [ (digits|;)* letter`.
    static func removeTerminalEscapes(_ text: String) -> String {
        guard text.unicodeScalars.contains("\u{1B}") else { return text }
        let s = Array(text.unicodeScalars)
        var out = String.UnicodeScalarView()
        var i = 0
        while i < s.count {
            if s[i] == "\u{1B}", i + 1 < s.count, s[i + 1] == "[" {
                var j = i + 2
                while j < s.count, s[j] == ";" || s[j].properties.numericType == .decimal { j += 1 }
                if j < s.count, s[j].isASCII, s[j].properties.isAlphabetic {
                    i = j + 1
                    continue
                }
            }
            out.append(s[i])
            i += 1
        }
        return String(out)
    }

    /// Drops control characters nobody means to type (keeping tab, line breaks, joiners, ...).
    static func removeControlChar(_ c: Unicode.Scalar) -> String? {
        switch c.value {
        case 0x00...0x08, 0x0B, 0x0E...0x1F, 0x7F, 0x206A...0x206F, 0xFEFF, 0xFFF9...0xFFFC: return ""
        default: return nil
        }
    }
}
