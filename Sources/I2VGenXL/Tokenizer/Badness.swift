// Matches ftfy 6.3 ftfy/badness.py: is_bad (BADNESS_RE).

/// A set of code points.
struct ScalarSet {
    private(set) var points: Set<UInt32>

    init(_ ranges: [ClosedRange<UInt32>]) {
        points = []
        for r in ranges { for v in r { points.insert(v) } }
    }

    init(chars: String) { points = Set(chars.unicodeScalars.map(\.value)) }

    init(category name: String) { self.init(MojibakeTables.categories[name] ?? []) }

    init(clue name: String) { self.init(MojibakeTables.utf8Clues[name] ?? []) }

    func contains(_ c: Unicode.Scalar) -> Bool { points.contains(c.value) }

    static func + (a: ScalarSet, b: ScalarSet) -> ScalarSet {
        var out = a
        out.points.formUnion(b.points)
        return out
    }
}

/// ftfy's heuristic for "this text contains mojibake": any of its ~37 short patterns of
/// characters that UTF-8 mis-decoded as a single-byte code page produces, and real text rarely
/// does (an accented lower-case letter followed by a currency sign, box-drawing next to
/// punctuation, ...).
enum Badness {
    enum Atom {
        case set(ScalarSet)
        case notSet(ScalarSet)
        /// Python `\s`.
        case space
        /// Python `\s?`.
        case optionalSpace
        /// Python `\w`.
        case word
        /// `.`: anything but a line feed.
        case anyButNewline
        /// `^`: the start of the text.
        case start
    }

    static func isBad(_ s: [Unicode.Scalar]) -> Bool {
        for i in 0..<s.count {
            for pattern in patterns where matches(pattern[...], s, i) { return true }
        }
        return false
    }

    private static func matches(_ atoms: ArraySlice<Atom>, _ s: [Unicode.Scalar], _ i: Int) -> Bool {
        guard let atom = atoms.first else { return true }
        let rest = atoms.dropFirst()
        switch atom {
        case .start:
            return i == 0 && matches(rest, s, i)
        case .optionalSpace:
            if i < s.count, PythonText.isSpace(s[i]), matches(rest, s, i + 1) { return true }
            return matches(rest, s, i)
        default:
            guard i < s.count else { return false }
            let c = s[i]
            let ok: Bool
            switch atom {
            case .set(let set): ok = set.contains(c)
            case .notSet(let set): ok = !set.contains(c)
            case .space: ok = PythonText.isSpace(c)
            case .word: ok = isWordCharacter(c)
            case .anyButNewline: ok = c != "\n"
            case .start, .optionalSpace: ok = false
            }
            return ok && matches(rest, s, i + 1)
        }
    }

    /// Python `\w` on str: alphanumeric (letters, any numeric type) or underscore.
    static func isWordCharacter(_ c: Unicode.Scalar) -> Bool {
        if c == "_" { return true }
        switch c.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter: return true
        default: return c.properties.numericType != nil
        }
    }

    static let patterns: [[Atom]] = {
        let c1 = ScalarSet(category: "c1"), bad = ScalarSet(category: "bad"), law = ScalarSet(category: "law")
        let currency = ScalarSet(category: "currency"), start = ScalarSet(category: "start_punctuation")
        let end = ScalarSet(category: "end_punctuation"), numeric = ScalarSet(category: "numeric")
        let kaomoji = ScalarSet(category: "kaomoji"), upperA = ScalarSet(category: "upper_accented")
        let lowerA = ScalarSet(category: "lower_accented"), upperC = ScalarSet(category: "upper_common")
        let lowerC = ScalarSet(category: "lower_common"), box = ScalarSet(category: "box")
        let common = ScalarSet(category: "common")
        let asciiLetters = ScalarSet([0x41...0x5A, 0x61...0x7A]), asciiLower = ScalarSet([0x61...0x7A])
        func chars(_ s: String) -> ScalarSet { ScalarSet(chars: s) }
        func set(_ x: ScalarSet) -> Atom { .set(x) }
        let arabic = common + currency + bad + numeric + start + chars("\u{178}\u{160}\u{AE}\u{B0}\u{B5}\u{BB}")
        let cyrillic = chars("\u{412}\u{413}\u{420}\u{421}"), greek = chars("\u{392}\u{393}\u{39E}\u{39F}")
        return [
            [set(c1)],
            [set(bad + lowerA + upperA + box + start + end + currency + numeric + law), set(bad)],
            [set(asciiLetters), set(lowerC + upperC), set(bad)],
            [set(bad), set(lowerA + upperA + box + start + end + currency + numeric + law)],
            [set(lowerA + lowerC + box + end + currency + numeric), set(upperA)],
            [set(box + end + currency + numeric), set(lowerA)],
            [set(lowerA + box + end), set(currency)],
            [.space, set(upperA), set(currency)],
            [set(upperA + box), set(numeric + law)],
            [set(lowerA + upperA + box + currency + end), set(start), set(numeric)],
            [set(lowerA + upperA + currency + numeric + box + law), set(end), set(start)],
            [set(currency + numeric + box), set(start)],
            [set(asciiLower), set(upperA), set(start + currency)],
            [set(box), set(kaomoji)],
            [set(lowerA + upperA + currency + numeric + start + end + law), set(box)],
            [set(box), set(end)],
            [set(lowerA + upperA), set(start + end), .word],
            [set(chars("\u{152}\u{153}")), .notSet(asciiLetters)],
            [set(upperA), set(chars("\u{B0}"))],
            [set(chars("\u{C2}\u{C3}\u{CE}\u{D0}")),
             set(chars("\u{20AC}\u{153}\u{160}\u{161}\u{A2}\u{A3}\u{178}\u{17E}\u{A0}\u{AD}\u{AE}\u{A9}\u{B0}\u{B7}\u{BB}\u{2013}\u{2014}\u{B4}")
                 + start + end)],
            [set(chars("\u{D7}")), set(chars("\u{B2}\u{B3}"))],
            [set(chars("\u{D8}\u{D9}")), set(arabic), set(chars("\u{D8}\u{D9}")), set(arabic)],
            [set(chars("\u{E0}")), set(chars("\u{B2}\u{B5}\u{B9}\u{BC}\u{BD}\u{BE}"))],
            [set(chars("\u{221A}")), set(chars("\u{B1}\u{2202}\u{2020}\u{2260}\u{AE}\u{2122}\u{B4}\u{2264}\u{2265}\u{A5}\u{B5}\u{F8}"))],
            [set(chars("\u{2248}")), set(chars("\u{B0}\u{A2}"))],
            [set(chars("\u{201A}")), set(chars("\u{C4}")),
             set(chars("\u{EC}\u{EE}\u{EF}\u{F2}\u{F4}\u{FA}\u{F9}\u{FB}\u{2020}\u{B0}\u{A2}\u{3C0}"))],
            [set(chars("\u{201A}")), set(chars("\u{E2}\u{F3}")), set(chars("\u{E0}\u{E4}\u{B0}\u{EA}"))],
            [set(chars("\u{432}")), set(chars("\u{402}"))],
            [set(cyrillic), set(c1 + bad + start + end + currency + chars("\u{B0}\u{B5}")), set(cyrillic)],
            [set(chars("\u{413}")), set(chars("\u{45E}")), set(chars("\u{412}")), set(chars("\u{402}")), set(chars("\u{412}")),
             .anyButNewline, set(asciiLetters + chars(" "))],
            [set(chars("\u{C3}")), set(chars("\u{A0}\u{A1}"))],
            [set(asciiLower), .optionalSpace, set(chars("\u{C3}\u{C2}")), set(chars(" "))],
            [.start, set(chars("\u{C3}\u{C2}")), set(chars(" "))],
            [set(asciiLower + chars(".,?!") + end), set(chars("\u{C2}")), set(chars(" ") + start + end)],
            [set(chars("\u{3B2}")), set(chars("\u{20AC}")), set(chars("\u{2122}\u{A0}\u{386}\u{AD}\u{AE}\u{B0}"))],
            [set(greek), set(c1 + bad + start + end + currency + chars("\u{B0}")), set(greek)],
            [set(chars("\u{101}")), set(chars("\u{20AC}"))],
        ]
    }()
}
