/// Python 3 `str` semantics the CLIP text clean-up relies on, written over Unicode scalars
/// (Python strings are sequences of code points). Matches CPython 3.11 (`str.isspace`,
/// `str.split()`, `str.strip()`, `str.lower()`, `str.upper()`).
enum PythonText {
    /// `str.isspace()` for one code point: bidirectional class WS, B or S, or category Zs.
    /// This includes U+001C–U+001F, which Unicode's White_Space property does not.
    static func isSpace(_ c: Unicode.Scalar) -> Bool {
        switch c.value {
        case 0x09...0x0D, 0x1C...0x20, 0x85, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000:
            return true
        default:
            return false
        }
    }

    /// `" ".join(s.split())`: runs of whitespace become one space; no leading/trailing space.
    static func collapseWhitespace(_ s: [Unicode.Scalar]) -> [Unicode.Scalar] {
        var out: [Unicode.Scalar] = []
        out.reserveCapacity(s.count)
        var pendingSpace = false
        for c in s {
            if isSpace(c) {
                pendingSpace = !out.isEmpty
            } else {
                if pendingSpace { out.append(" ") }
                pendingSpace = false
                out.append(c)
            }
        }
        return out
    }

    /// `s.strip()`.
    static func strip(_ s: [Unicode.Scalar]) -> [Unicode.Scalar] {
        guard let first = s.firstIndex(where: { !isSpace($0) }), let last = s.lastIndex(where: { !isSpace($0) }) else {
            return []
        }
        return Array(s[first...last])
    }

    /// `s.lower()`: full lowercase mappings, with Python's Final_Sigma rule for U+03A3 (Σ
    /// becomes ς at the end of a word and σ elsewhere).
    static func lower(_ s: [Unicode.Scalar]) -> [Unicode.Scalar] {
        var out: [Unicode.Scalar] = []
        out.reserveCapacity(s.count)
        for (i, c) in s.enumerated() {
            if c.value < 0x80 {
                out.append(c.value >= 0x41 && c.value <= 0x5A ? Unicode.Scalar(c.value + 32)! : c)
            } else if c.value == 0x3A3 {
                out.append(isFinalSigma(s, at: i) ? "\u{3C2}" : "\u{3C3}")
            } else {
                out.append(contentsOf: c.properties.lowercaseMapping.unicodeScalars)
            }
        }
        return out
    }

    /// `s.upper()`: full uppercase mappings (ß → SS).
    static func upper(_ s: [Unicode.Scalar]) -> [Unicode.Scalar] {
        s.flatMap { Array($0.properties.uppercaseMapping.unicodeScalars) }
    }

    /// Σ is final when preceded by a cased letter and not followed by one, ignoring
    /// case-ignorable characters in between on either side.
    private static func isFinalSigma(_ s: [Unicode.Scalar], at i: Int) -> Bool {
        var j = i - 1
        while j >= 0, s[j].properties.isCaseIgnorable { j -= 1 }
        guard j >= 0, s[j].properties.isCased else { return false }
        var k = i + 1
        while k < s.count, s[k].properties.isCaseIgnorable { k += 1 }
        return k == s.count || !s[k].properties.isCased
    }
}
