/// HTML character references, decoded two ways:
/// - `python`: Python's `html.unescape` (HTML5 rules: named references with or without `;`,
///   longest-prefix matching, numeric references with the HTML5 replacement table);
/// - `ftfy`: ftfy's more careful `unescape_html` (only `;`-terminated references, plus
///   all-caps spellings of lower-case entity names such as `&EACUTE;`).
enum HTMLUnescape {
    /// HTML5 names (without `&`, with `;` where the name has one) → replacement text.
    static let html5: [String: String] = {
        var table: [String: String] = [:]
        for cell in HTMLEntityTable.packed.split(whereSeparator: { $0 == " " || $0 == "\n" }) {
            guard let eq = cell.firstIndex(of: "=") else { continue }
            var value = String.UnicodeScalarView()
            for hex in cell[cell.index(after: eq)...].split(separator: ",") {
                if let v = UInt32(hex, radix: 16), let scalar = Unicode.Scalar(v) { value.append(scalar) }
            }
            table[String(cell[..<eq])] = String(value)
        }
        return table
    }()

    /// ftfy's table: `&name;` for every `;`-terminated HTML5 name, plus `&NAME;` (upper-cased
    /// value) for lower-case names whose all-caps spelling is not itself a reference.
    static let ftfyEntities: [String: String] = {
        var table: [String: String] = [:]
        for (name, value) in html5 where name.hasSuffix(";") {
            table["&" + name] = value
            let nameScalars = Array(name.unicodeScalars)
            guard PythonText.lower(nameScalars) == nameScalars else { continue }
            let upperName = "&" + String(String.UnicodeScalarView(PythonText.upper(nameScalars)))
            if python(upperName) == upperName {
                table[upperName] = String(String.UnicodeScalarView(PythonText.upper(Array(value.unicodeScalars))))
            }
        }
        return table
    }()

    /// Windows-1252 meanings of the C1 range (and two fix-ups) that HTML5 gives numeric
    /// references `&#128;`…`&#159;`, `&#0;` and `&#13;`.
    static let invalidCharrefs: [UInt32: UInt32] = {
        var table: [UInt32: UInt32] = [0x00: 0xFFFD, 0x0D: 0x0D]
        for (i, v) in Windows1252.c1Range.enumerated() { table[0x80 + UInt32(i)] = v }
        return table
    }()

    /// Code points that a numeric reference decodes to nothing.
    static func isInvalidCodepoint(_ v: UInt32) -> Bool {
        switch v {
        case 0x01...0x08, 0x0B, 0x0E...0x1F, 0x7F...0x9F, 0xFDD0...0xFDEF: return true
        default: return v & 0xFFFE == 0xFFFE && v <= 0x10FFFF
        }
    }

    // MARK: Python html.unescape

    static func python(_ text: String) -> String {
        guard text.contains("&") else { return text }
        let s = Array(text.unicodeScalars)
        var out = String.UnicodeScalarView()
        var i = 0
        while i < s.count {
            guard s[i] == "&", let (end, replacement) = pythonReference(s, at: i) else {
                out.append(s[i])
                i += 1
                continue
            }
            out.append(contentsOf: replacement.unicodeScalars)
            i = end
        }
        return String(out)
    }

    /// The reference starting with the `&` at `i`: where it ends and what replaces it.
    private static func pythonReference(_ s: [Unicode.Scalar], at i: Int) -> (Int, String)? {
        var j = i + 1
        guard j < s.count else { return nil }
        if s[j] == "#" {
            j += 1
            var hex = false
            if j < s.count, s[j] == "x" || s[j] == "X" {
                hex = true
                j += 1
            }
            let start = j
            var value: UInt32 = 0
            while j < s.count, let d = digitValue(s[j], hex: hex) {
                value = value > 0x10FFFF ? value : value * (hex ? 16 : 10) + d
                j += 1
            }
            // `&#x` with no hex digits is not a reference; neither is `&#` alone.
            guard j > start else { return nil }
            if j < s.count, s[j] == ";" { j += 1 }
            return (j, numericReplacement(value))
        }
        let start = j
        while j < s.count, j - start < 32, !isNameTerminator(s[j]) { j += 1 }
        guard j > start else { return nil }
        if j < s.count, s[j] == ";" { j += 1 }
        let name = Array(s[start..<j])
        if let value = html5[String(String.UnicodeScalarView(name))] { return (j, value) }
        // The longest known prefix (at least two characters) wins; the rest stays as text.
        var x = name.count - 1
        while x > 1 {
            if let value = html5[String(String.UnicodeScalarView(name[0..<x]))] {
                return (j, value + String(String.UnicodeScalarView(name[x...])))
            }
            x -= 1
        }
        return (j, "&" + String(String.UnicodeScalarView(name)))
    }

    private static func isNameTerminator(_ c: Unicode.Scalar) -> Bool {
        c == "\t" || c == "\n" || c == "\u{0C}" || c == " " || c == "<" || c == "&" || c == "#" || c == ";"
    }

    private static func digitValue(_ c: Unicode.Scalar, hex: Bool) -> UInt32? {
        switch c.value {
        case 0x30...0x39: return c.value - 0x30
        case 0x41...0x46 where hex: return c.value - 0x41 + 10
        case 0x61...0x66 where hex: return c.value - 0x61 + 10
        default: return nil
        }
    }

    private static func numericReplacement(_ value: UInt32) -> String {
        if let mapped = invalidCharrefs[value], let scalar = Unicode.Scalar(mapped) { return String(Character(scalar)) }
        if (0xD800...0xDFFF).contains(value) || value > 0x10FFFF { return "\u{FFFD}" }
        if isInvalidCodepoint(value) { return "" }
        return Unicode.Scalar(value).map { String(String.UnicodeScalarView([$0])) } ?? "\u{FFFD}"
    }

    // MARK: ftfy unescape_html

    /// Replaces `&#?[0-9A-Za-z]{1,24};` references that ftfy knows; numeric ones through
    /// Python's rules unless that leaves a `;` (i.e. it did not decode).
    static func ftfy(_ text: String) -> String {
        guard text.contains("&") else { return text }
        let s = Array(text.unicodeScalars)
        var out = String.UnicodeScalarView()
        var i = 0
        while i < s.count {
            guard s[i] == "&" else { out.append(s[i]); i += 1; continue }
            var j = i + 1
            let numeric = j < s.count && s[j] == "#"
            if numeric { j += 1 }
            let start = j
            while j < s.count, j - start <= 24, s[j].isASCII, s[j].properties.isAlphabetic || ("0"..."9").contains(s[j]) { j += 1 }
            let length = j - start
            guard length >= 1, length <= 24, j < s.count, s[j] == ";" else {
                out.append(s[i])
                i += 1
                continue
            }
            let reference = String(String.UnicodeScalarView(s[i...j]))
            if let value = ftfyEntities[reference] {
                out.append(contentsOf: value.unicodeScalars)
            } else if numeric {
                let decoded = python(reference)
                out.append(contentsOf: (decoded.contains(";") ? reference : decoded).unicodeScalars)
            } else {
                out.append(contentsOf: reference.unicodeScalars)
            }
            i = j + 1
        }
        return String(out)
    }
}

/// Windows-1252 (as browsers and Python's `_invalid_charrefs` read it): bytes 0x80–0x9F.
/// Undefined bytes keep their C1 code point, as ftfy's "sloppy" codec does.
enum Windows1252 {
    static let c1Range: [UInt32] = [
        0x20AC, 0x81, 0x201A, 0x192, 0x201E, 0x2026, 0x2020, 0x2021, 0x2C6, 0x2030, 0x160, 0x2039, 0x152, 0x8D, 0x17D, 0x8F,
        0x90, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x2DC, 0x2122, 0x161, 0x203A, 0x153, 0x9D, 0x17E, 0x178,
    ]
}
