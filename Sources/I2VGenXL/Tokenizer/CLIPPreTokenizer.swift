/// CLIP's pre-tokenizer: the matches of
/// `<|startoftext|>|<|endoftext|>|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+`
/// (case-insensitive), scanned left to right as Python's `regex.findall` does. Text that none
/// of the alternatives match (white space) separates words and is dropped.
struct CLIPPreTokenizer {
    /// Special token strings matched as whole words (the BOS and EOS spellings).
    let specials: [[Unicode.Scalar]]

    enum Piece: Equatable {
        case special(String)
        case word(ArraySlice<Unicode.Scalar>)
    }

    static let contractions: [[Unicode.Scalar]] = ["s", "t", "re", "ve", "m", "ll", "d"].map { Array($0.unicodeScalars) }

    func split(_ s: [Unicode.Scalar]) -> [Piece] {
        var pieces: [Piece] = []
        var i = 0
        scan: while i < s.count {
            for special in specials where matches(special, in: s, at: i, caseInsensitive: true) {
                pieces.append(.special(String(String.UnicodeScalarView(special))))
                i += special.count
                continue scan
            }
            if s[i] == "'" {
                for c in Self.contractions where matches(c, in: s, at: i + 1, caseInsensitive: true) {
                    pieces.append(.word(s[i..<(i + 1 + c.count)]))
                    i += 1 + c.count
                    continue scan
                }
            }
            let start = i
            if Self.isLetter(s[i]) {
                while i < s.count, Self.isLetter(s[i]) { i += 1 }
            } else if Self.isNumber(s[i]) {
                i += 1
            } else if !Self.isWhiteSpace(s[i]) {
                while i < s.count, !Self.isWhiteSpace(s[i]), !Self.isLetter(s[i]), !Self.isNumber(s[i]) { i += 1 }
            } else {
                i += 1
                continue
            }
            pieces.append(.word(s[start..<i]))
        }
        return pieces
    }

    /// Whether `pattern` occurs at `i`; case-insensitively with the simple case folding of the
    /// `regex` module (which also lets `ſ` match `s`).
    private func matches(_ pattern: [Unicode.Scalar], in s: [Unicode.Scalar], at i: Int, caseInsensitive: Bool) -> Bool {
        guard i + pattern.count <= s.count else { return false }
        for (k, p) in pattern.enumerated() where !Self.equalFolded(s[i + k], p) { return false }
        return true
    }

    static func equalFolded(_ a: Unicode.Scalar, _ b: Unicode.Scalar) -> Bool {
        if a == b { return true }
        return fold(a) == fold(b)
    }

    private static func fold(_ c: Unicode.Scalar) -> Unicode.Scalar {
        if c.value == 0x17F { return "s" }  // LATIN SMALL LETTER LONG S folds to s
        if c.value == 0x212A { return "k" }  // KELVIN SIGN
        if c.value == 0x212B { return "\u{E5}" }  // ANGSTROM SIGN
        let lowered = c.properties.lowercaseMapping.unicodeScalars
        return lowered.count == 1 ? lowered.first! : c
    }

    static func isLetter(_ c: Unicode.Scalar) -> Bool {
        if c.isASCII { return (c.value | 0x20) >= 0x61 && (c.value | 0x20) <= 0x7A }
        switch c.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter: return true
        default: return false
        }
    }

    static func isNumber(_ c: Unicode.Scalar) -> Bool {
        if c.isASCII { return c.value >= 0x30 && c.value <= 0x39 }
        switch c.properties.generalCategory {
        case .decimalNumber, .letterNumber, .otherNumber: return true
        default: return false
        }
    }

    /// `\s` of the `regex` module: the Unicode White_Space property.
    static func isWhiteSpace(_ c: Unicode.Scalar) -> Bool { c.properties.isWhitespace }
}
