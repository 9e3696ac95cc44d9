// Matches ftfy 6.3 ftfy/__init__.py: fix_encoding (_fix_encoding_one_step_and_explain) with
// the default TextFixerConfig (restore_byte_a0, replace_lossy_sequences,
// decode_inconsistent_utf8, fix_c1_controls all on).

/// Repairs mojibake: text that was UTF-8 but got decoded with a single-byte code page
/// ("cafÃ©" → "café"). Only text that `Badness` flags is touched; the repair must re-encode
/// in one of ftfy's code pages and decode as (slightly lenient) UTF-8, else the text stays.
enum MojibakeFixer {
    static func fixEncoding(_ text: String) -> String {
        var s = Array(text.unicodeScalars)
        var changed = false
        while true {
            let next = fixOneStep(s)
            if next == s { break }
            s = next
            changed = true
        }
        return changed ? String(String.UnicodeScalarView(s)) : text
    }

    static func fixEncoding(_ s: [Unicode.Scalar]) -> [Unicode.Scalar] {
        var s = s
        while true {
            let next = fixOneStep(s)
            if next == s { return s }
            s = next
        }
    }

    static func fixOneStep(_ s: [Unicode.Scalar]) -> [Unicode.Scalar] {
        guard !s.isEmpty, !s.allSatisfy(\.isASCII), Badness.isBad(s) else { return s }
        var possible: [String] = []
        for page in CodePage.all {
            guard var bytes = page.encode(s) else { continue }
            possible.append(page.name)
            if page.name != "macroman", ByteRewrites.alteredUTF8.firstMatch(in: bytes, from: 0) != nil {
                bytes = ByteRewrites.restoreByteA0(bytes)
            }
            if page.isSloppy { bytes = ByteRewrites.replaceLossySequences(bytes) }
            let variants = bytes.contains(0xED) || bytes.contains(0xC0)
            if let fixed = UTF8Variants.decode(bytes, allowVariants: variants) { return fixed }
        }
        if UTF8Detector.firstMatch(s, from: 0) != nil {
            let fixed = decodeInconsistentUTF8(s)
            if fixed != s { return fixed }
        }
        if possible.contains("latin-1") {
            // Latin-1 text with C1 controls was most likely Windows-1252 (strict: the five
            // undefined bytes make this step fail and fall through).
            var fixed: [Unicode.Scalar] = []
            var ok = true
            for c in s {
                if (0x80...0x9F).contains(c.value) {
                    let v = Windows1252.c1Range[Int(c.value - 0x80)]
                    if v == c.value { ok = false; break }
                    fixed.append(Unicode.Scalar(v)!)
                } else {
                    fixed.append(c)
                }
            }
            if ok, fixed != s { return fixed }
        }
        if s.contains(where: { (0x80...0x9F).contains($0.value) }) {
            return s.flatMap { c in TextFixer.fixC1Control(c).map { Array($0.unicodeScalars) } ?? [c] }
        }
        return s
    }

    /// Fixes runs that look like UTF-8 read as a code page inside otherwise good text.
    static func decodeInconsistentUTF8(_ s: [Unicode.Scalar]) -> [Unicode.Scalar] {
        var out: [Unicode.Scalar] = []
        var i = 0
        while i < s.count {
            guard let end = UTF8Detector.match(s, at: i) else {
                out.append(s[i])
                i += 1
                continue
            }
            let run = Array(s[i..<end])
            if run.count < s.count, Badness.isBad(run) {
                out.append(contentsOf: fixEncoding(run))
            } else {
                out.append(contentsOf: run)
            }
            i = end
        }
        return out
    }
}

/// ftfy's `UTF8_DETECTOR_RE`: `(?<![cont_strict])([first2][cont]|[first3][cont]{2}|[first4][cont]{3})+`.
enum UTF8Detector {
    static let first2 = ScalarSet(clue: "utf8_first_of_2"), first3 = ScalarSet(clue: "utf8_first_of_3")
    static let first4 = ScalarSet(clue: "utf8_first_of_4"), continuation = ScalarSet(clue: "utf8_continuation")
    static let continuationStrict = ScalarSet(clue: "utf8_continuation_strict")

    /// End of the match starting exactly at `i`, if any.
    static func match(_ s: [Unicode.Scalar], at i: Int) -> Int? {
        if i > 0, continuationStrict.contains(s[i - 1]) { return nil }
        var j = i
        while let next = sequence(s, at: j) { j = next }
        return j > i ? j : nil
    }

    static func firstMatch(_ s: [Unicode.Scalar], from start: Int) -> Int? {
        (start..<max(start, s.count)).first { match(s, at: $0) != nil }
    }

    /// One lead character and its continuations, trying the alternatives in pattern order.
    private static func sequence(_ s: [Unicode.Scalar], at j: Int) -> Int? {
        guard j < s.count else { return nil }
        for (lead, count) in [(first2, 1), (first3, 2), (first4, 3)] where lead.contains(s[j]) {
            if (1...count).allSatisfy({ j + $0 < s.count && continuation.contains(s[j + $0]) }) {
                return j + 1 + count
            }
        }
        return nil
    }
}
