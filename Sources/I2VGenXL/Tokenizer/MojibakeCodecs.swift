// Matches ftfy 6.3 ftfy/bad_codecs (sloppy code pages, utf-8-variants) and ftfy/fixes.py
// (restore_byte_a0, replace_lossy_sequences).

/// A single-byte code page as ftfy uses it: bytes 0x00–0x7F are ASCII except 0x1A, which the
/// "sloppy" pages decode as U+FFFD (so lossy text can be re-encoded); the sloppy pages also
/// pass unassigned bytes through as the Latin-1 code point.
struct CodePage {
    let name: String
    private let encodeTable: [UInt32: UInt8]

    var isSloppy: Bool { name.hasPrefix("sloppy") }

    init(name: String, high: [UInt32], sub: UInt32) {
        self.name = name
        var table: [UInt32: UInt8] = [:]
        for b in 0..<0x80 where b != 0x1A { table[UInt32(b)] = UInt8(b) }
        for (i, v) in high.enumerated() { table[v] = UInt8(0x80 + i) }
        table[sub] = 0x1A
        encodeTable = table
    }

    /// The bytes of `s` in this code page, or nil when some character is not in it.
    func encode(_ s: [Unicode.Scalar]) -> [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity(s.count)
        for c in s {
            guard let b = encodeTable[c.value] else { return nil }
            out.append(b)
        }
        return out
    }

    /// ftfy's CHARMAP_ENCODINGS, in its order.
    static let all: [CodePage] = MojibakeTables.codePages.map { CodePage(name: $0.name, high: $0.high, sub: $0.sub) }
}

/// Strict UTF-8 decoding, optionally with ftfy's "utf-8-variants": Java's `C0 80` for U+0000
/// and CESU-8 surrogate pairs (`ED A0–AF xx ED B0–BF xx`) for supplementary characters.
enum UTF8Variants {
    static func decode(_ bytes: [UInt8], allowVariants: Bool) -> [Unicode.Scalar]? {
        var out: [Unicode.Scalar] = []
        var plainStart = 0
        var i = 0
        func flush(_ end: Int) -> Bool {
            guard plainStart < end else { return true }
            guard let decoded = strict(bytes[plainStart..<end]) else { return false }
            out.append(contentsOf: decoded)
            return true
        }
        while allowVariants, i < bytes.count {
            if bytes[i] == 0xC0, i + 1 < bytes.count, bytes[i + 1] == 0x80 {
                guard flush(i) else { return nil }
                out.append("\u{0}")
                i += 2
                plainStart = i
            } else if bytes[i] == 0xED, i + 5 < bytes.count, (0xA0...0xAF).contains(bytes[i + 1]),
                      (0x80...0xBF).contains(bytes[i + 2]), bytes[i + 3] == 0xED,
                      (0xB0...0xBF).contains(bytes[i + 4]), (0x80...0xBF).contains(bytes[i + 5]) {
                guard flush(i) else { return nil }
                let v = (UInt32(bytes[i + 1] & 0x0F) << 16) + (UInt32(bytes[i + 2] & 0x3F) << 10)
                    + (UInt32(bytes[i + 4] & 0x0F) << 6) + UInt32(bytes[i + 5] & 0x3F) + 0x10000
                guard let scalar = Unicode.Scalar(v) else { return nil }
                out.append(scalar)
                i += 6
                plainStart = i
            } else {
                i += 1
            }
        }
        guard flush(bytes.count) else { return nil }
        return out
    }

    /// Standard UTF-8 (no surrogates, no overlong forms, nothing above U+10FFFF); nil on error.
    static func strict(_ bytes: ArraySlice<UInt8>) -> [Unicode.Scalar]? {
        var out: [Unicode.Scalar] = []
        var decoder = UTF8()
        var iterator = bytes.makeIterator()
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let s): out.append(s)
            case .emptyInput: return out
            case .error: return nil
            }
        }
    }
}

/// Byte-level patterns (fixed-length sequences of byte classes) and the rewrites ftfy applies
/// before decoding re-encoded text.
enum ByteRewrites {
    struct Pattern {
        /// Alternatives tried in order at each position, as Python's regex alternation does.
        let alternatives: [[ClosedRangeSet]]

        func match(_ bytes: [UInt8], at i: Int) -> Int? {
            for alt in alternatives where i + alt.count <= bytes.count {
                if alt.enumerated().allSatisfy({ $0.element.contains(bytes[i + $0.offset]) }) { return i + alt.count }
            }
            return nil
        }

        func firstMatch(in bytes: [UInt8], from start: Int) -> (Int, Int)? {
            var i = start
            while i < bytes.count {
                if let end = match(bytes, at: i) { return (i, end) }
                i += 1
            }
            return nil
        }

        /// `re.sub` with a function of the matched bytes.
        func substitute(_ bytes: [UInt8], _ replacement: (ArraySlice<UInt8>) -> [UInt8]) -> [UInt8] {
            var out: [UInt8] = []
            var i = 0
            while i < bytes.count {
                if let end = match(bytes, at: i) {
                    out.append(contentsOf: replacement(bytes[i..<end]))
                    i = end
                } else {
                    out.append(bytes[i])
                    i += 1
                }
            }
            return out
        }
    }

    /// A byte class as a list of ranges.
    struct ClosedRangeSet {
        let ranges: [ClosedRange<UInt8>]
        init(_ ranges: ClosedRange<UInt8>...) { self.ranges = ranges }
        func contains(_ b: UInt8) -> Bool { ranges.contains { $0.contains(b) } }
    }

    private typealias C = ClosedRangeSet
    private static let cont = C(0x80...0xBF)
    private static let contNoA0 = C(0x80...0x84, 0x86...0x9F, 0xA1...0xBF)
    private static let space = C(0x20...0x20)

    /// UTF-8 sequences in which byte A0 became a space (ftfy's ALTERED_UTF8_RE).
    static let alteredUTF8 = Pattern(alternatives: [
        [C(0xC2...0xC3, 0xC5...0xC5, 0xCE...0xCE, 0xD0...0xD0, 0xD9...0xD9), space],
        [C(0xE2...0xE3), space, contNoA0],
        [C(0xE0...0xE3), contNoA0, space],
        [C(0xF0...0xF0), space, cont, cont],
        [C(0xF0...0xF0), cont, space, cont],
        [C(0xF0...0xF0), cont, cont, space],
    ])

    /// UTF-8 sequences damaged by a lossy decode (0x1A or '?' in place of bytes; ftfy's
    /// LOSSY_UTF8_RE).
    static let lossyUTF8: Pattern = {
        let sub = C(0x1A...0x1A), subOrQ = C(0x1A...0x1A, 0x3F...0x3F)
        let subOrCont = C(0x1A...0x1A, 0x80...0xBF), any3 = C(0x1A...0x1A, 0x3F...0x3F, 0x80...0xBF)
        let ed = C(0xED...0xED)
        return Pattern(alternatives: [
            [C(0xC2...0xDF), sub],
            [C(0xC2...0xC3), C(0x3F...0x3F)],
            [ed, C(0xA0...0xAF), subOrQ, ed, C(0xB0...0xBF), any3],
            [ed, C(0xA0...0xAF), any3, ed, C(0xB0...0xBF), subOrQ],
            [C(0xE0...0xEF), subOrQ, subOrCont],
            [C(0xE0...0xEF), subOrCont, subOrQ],
            [C(0xF0...0xF4), subOrQ, subOrCont, subOrCont],
            [C(0xF0...0xF4), subOrCont, subOrQ, subOrCont],
            [C(0xF0...0xF4), subOrCont, subOrCont, subOrQ],
            [sub],
        ])
    }()

    /// Puts back A0 bytes that became spaces inside UTF-8 sequences (ftfy's restore_byte_a0).
    static func restoreByteA0(_ bytes: [UInt8]) -> [UInt8] {
        // `\xc3 (?! |quele|quela|quilo|s )` → `\xc3\xa0 `: "à" before a word, except where the
        // following text shows the space was real.
        var step: [UInt8] = []
        var i = 0
        let exceptions: [[UInt8]] = [[0x20], Array("quele".utf8), Array("quela".utf8), Array("quilo".utf8), Array("s ".utf8)]
        while i < bytes.count {
            if bytes[i] == 0xC3, i + 1 < bytes.count, bytes[i + 1] == 0x20 {
                let after = bytes[(i + 2)...]
                if !exceptions.contains(where: { after.starts(with: $0) }) {
                    step.append(contentsOf: [0xC3, 0xA0, 0x20])
                    i += 2
                    continue
                }
            }
            step.append(bytes[i])
            i += 1
        }
        return alteredUTF8.substitute(step) { match in match.map { $0 == 0x20 ? 0xA0 : $0 } }
    }

    /// Replaces lossy UTF-8 sequences with the UTF-8 of U+FFFD (ftfy's replace_lossy_sequences).
    static func replaceLossySequences(_ bytes: [UInt8]) -> [UInt8] {
        lossyUTF8.substitute(bytes) { _ in [0xEF, 0xBF, 0xBD] }
    }
}
