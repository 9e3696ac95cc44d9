import Foundation

/// Splits a product title into tokens and finds dictionary terms in it. Chinese has no spaces,
/// so Han text is segmented by forward maximum matching over the dictionary (at each position
/// the longest dictionary word wins); Latin text is matched as words and multi-word phrases,
/// again longest first, with plural forms folded to the singular.
struct Lexicon: Sendable {
    enum Kind: Sendable { case han, letters, digits }

    struct Token: Sendable {
        var text: String
        var kind: Kind
        /// A clause break (comma, bracket, 、, |, …) precedes this token.
        var hardBreak: Bool
        /// Any break (space, hyphen, slash, or a hard break) precedes this token.
        var softBreak: Bool
    }

    /// One dictionary hit: tokens `range` of the title spelled `surface`, found as `key`.
    struct Match: Sendable {
        var range: Range<Int>
        var key: String
        var surface: String
    }

    private var keys: Set<String>
    /// Longest key in tokens (Han characters count one each).
    private var maxTokens: Int

    init(keys: some Sequence<String>) {
        self.keys = Set(keys)
        maxTokens = self.keys.map { Lexicon.tokenize($0).count }.max() ?? 1
    }

    /// NFKC (full-width → ASCII), lower case.
    static func normalise(_ s: String) -> String {
        s.precomposedStringWithCompatibilityMapping.lowercased()
    }

    /// The spelling a dictionary entry is stored under, identical to how `matches` spells the
    /// same words in a title ("T-Shirt" → "t shirt", "Ｔ恤" → "t恤").
    static func canonical(_ s: String) -> String {
        key(tokenize(s)[...])
    }

    static func tokenize(_ raw: String) -> [Token] {
        let hard: Set<Character> = [",", ";", "|", "(", ")", "[", "]", "{", "}", "、", "。", "！", "？", "!", "?",
                                    "【", "】", "《", "》", "「", "」", "（", "）", "：", ":", "·", "~", "～", "•", "\n", "\t"]
        var tokens: [Token] = []
        var pendingHard = true, pendingSoft = true
        var word = "", wordKind: Kind? = nil
        func flush() {
            if let k = wordKind, !word.isEmpty {
                tokens.append(Token(text: word, kind: k, hardBreak: pendingHard, softBreak: pendingSoft))
                pendingHard = false; pendingSoft = false
            }
            word = ""; wordKind = nil
        }
        for ch in normalise(raw) {
            if isHan(ch) {
                flush()
                tokens.append(Token(text: String(ch), kind: .han, hardBreak: pendingHard, softBreak: pendingSoft))
                pendingHard = false; pendingSoft = false
            } else if ch.isLetter || ch.isNumber {
                let k: Kind = ch.isNumber ? .digits : .letters
                // Letter/digit boundaries split words ("iphone15" → "iphone", "15") without a break.
                if let wk = wordKind, wk != k { flush() }
                word.append(ch); wordKind = k
            } else if ch == "'" || ch == "’" {
                continue  // "men's" → "mens"
            } else {
                flush()
                if hard.contains(ch) { pendingHard = true }
                pendingSoft = true
            }
        }
        flush()
        return tokens
    }

    static func isHan(_ c: Character) -> Bool {
        guard let v = c.unicodeScalars.first?.value else { return false }
        return (0x4E00...0x9FFF).contains(v) || (0x3400...0x4DBF).contains(v) || (0xF900...0xFAFF).contains(v)
    }

    /// English plural folding for lookup: "dresses" → "dress", "batteries" → "battery".
    static func singular(_ w: String) -> String {
        guard w.count > 3 else { return w }
        if w.hasSuffix("ies") { return String(w.dropLast(3)) + "y" }
        if w.hasSuffix("ches") || w.hasSuffix("shes") || w.hasSuffix("sses") || w.hasSuffix("xes") { return String(w.dropLast(2)) }
        if w.hasSuffix("ss") || w.hasSuffix("us") || w.hasSuffix("is") { return w }
        if w.hasSuffix("s") { return String(w.dropLast()) }
        return w
    }

    /// How a run of tokens is spelled as a dictionary key: Han and adjacent Latin concatenate
    /// ("t恤"); Latin words are joined by one space ("phone case").
    static func key(_ tokens: ArraySlice<Token>) -> String {
        var s = ""
        var prev: Kind? = nil
        for t in tokens {
            if let p = prev, p != .han, t.kind != .han, t.softBreak || p != t.kind { s += " " }
            s += t.text
            prev = t.kind
        }
        return s
    }

    /// Dictionary terms in title order. Bidirectional maximum matching: forward (longest term
    /// at each position from the left) and backward (longest term ending at each position from
    /// the right) segmentations are both made, and the one with fewer segments wins, then the one
    /// with fewer unmatched tokens, then the backward one (compounds in Chinese and English are
    /// head-final: "black tea bags" → "black" + "tea bags", 沙发茶几毯 → … + 毯).
    func matches(in tokens: [Token]) -> [Match] {
        let forward = forwardMatches(tokens), backward = backwardMatches(tokens)
        func cost(_ ms: [Match]) -> (Int, Int) {
            let covered = ms.reduce(0) { $0 + $1.range.count }
            let unmatched = tokens.count - covered
            return (ms.count + unmatched, unmatched)
        }
        let f = cost(forward), b = cost(backward)
        return f < b ? forward : backward
    }

    func forwardMatches(_ tokens: [Token]) -> [Match] {
        var out: [Match] = []
        var i = 0
        while i < tokens.count {
            var found: Match? = nil
            var j = min(tokens.count, i + maxTokens)
            while j > i, found == nil {
                found = lookup(tokens, i, j)
                j -= 1
            }
            if let m = found {
                out.append(m)
                i = m.range.upperBound
            } else {
                i += 1
            }
        }
        return out
    }

    func backwardMatches(_ tokens: [Token]) -> [Match] {
        var out: [Match] = []
        var j = tokens.count
        while j > 0 {
            var found: Match? = nil
            var i = max(0, j - maxTokens)
            while i < j, found == nil {
                found = lookup(tokens, i, j)
                i += 1
            }
            if let m = found {
                out.append(m)
                j = m.range.lowerBound
            } else {
                j -= 1
            }
        }
        return out.reversed()
    }

    /// The dictionary term spelled by tokens i..<j, if any. Terms never span a clause break;
    /// Han terms never span a space.
    private func lookup(_ tokens: [Token], _ i: Int, _ j: Int) -> Match? {
        let slice = tokens[i..<j]
        if slice.dropFirst().contains(where: { $0.hardBreak }) { return nil }
        let hasHan = slice.contains { $0.kind == .han }
        if hasHan && slice.dropFirst().contains(where: { $0.softBreak }) { return nil }
        let k = Lexicon.key(slice)
        if keys.contains(k) { return Match(range: i..<j, key: k, surface: k) }
        if !hasHan {
            let s = k.split(separator: " ").map { Lexicon.singular(String($0)) }.joined(separator: " ")
            if s != k && keys.contains(s) { return Match(range: i..<j, key: s, surface: k) }
        }
        return nil
    }
}
