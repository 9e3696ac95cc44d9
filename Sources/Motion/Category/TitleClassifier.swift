/// Scores a product title against the category vocabulary. Evidence is additive per distinct
/// term; terms inside a context (after "for", "适用", "送" …) count for less; the head noun (the
/// last product word of the first clause) counts for more; data rules damp categories that a
/// present term contradicts (a phone case is not a phone).
public struct TitleClassifier: Sendable {
    public let vocabulary: CategoryVocabulary
    private let lexicon: Lexicon
    private let entries: [String: [Entry]]
    private let markers: [String: CategoryVocabulary.ContextMarker]

    struct Entry: Sendable {
        var category: String
        var weight: Double
        var noun: String?
        var template: String?
        var isBrand: Bool
    }

    /// One term found in the title and what it contributed.
    public struct Hit: Sendable, Equatable {
        public var surface: String
        public var category: String
        public var weight: Double
        public var noun: String?
        public var template: String?
        public var isBrand: Bool
        public var inContext: Bool
        public var isHead: Bool
    }

    public struct Analysis: Sendable {
        /// Final score per category (after context, head bonus and rules).
        public var scores: [String: Double]
        public var hits: [Hit]
        /// Rules that fired, as sentences.
        public var appliedRules: [String]
        /// Whether the title had any letters or Han characters at all.
        public var hasWords: Bool
    }

    public init(vocabulary: CategoryVocabulary) {
        self.vocabulary = vocabulary
        var e: [String: [Entry]] = [:]
        for c in vocabulary.categories {
            for (k, t) in c.terms { e[k, default: []].append(Entry(category: c.id, weight: t.weight, noun: t.noun, template: t.template, isBrand: false)) }
            for (k, w) in c.brands { e[k, default: []].append(Entry(category: c.id, weight: w, noun: nil, template: nil, isBrand: true)) }
        }
        entries = e
        markers = Dictionary(vocabulary.markers.map { ($0.text, $0) }, uniquingKeysWith: { a, _ in a })
        lexicon = Lexicon(keys: Set(e.keys).union(vocabulary.neutral).union(markers.keys).union(vocabulary.contextEnders))
    }

    public func analyse(_ title: String) -> Analysis {
        let tokens = Lexicon.tokenize(title)
        let found = lexicon.matches(in: tokens)

        // Clause index of every token: hard breaks start a new clause.
        var clause = [Int](repeating: 0, count: tokens.count)
        var c = 0
        for (i, t) in tokens.enumerated() {
            if t.hardBreak && i > 0 { c += 1 }
            clause[i] = c
        }
        func breakBetween(_ a: Int, _ b: Int, hard: Bool) -> Bool {
            guard a < b else { return false }
            return tokens[(a + 1)...b].contains { hard ? $0.hardBreak : $0.softBreak }
        }

        struct Found { var match: Lexicon.Match; var entries: [Entry]; var inContext: Bool }
        var items: [Found] = []
        var active: CategoryVocabulary.ContextMarker? = nil
        var activeEnd = 0       // token after the last one the context covers
        var covered = false     // whether the context has covered a term yet
        for m in found {
            if let a = active {
                let ended = a.scope == .clause
                    ? breakBetween(activeEnd - 1, m.range.lowerBound, hard: true)
                    : covered && breakBetween(activeEnd - 1, m.range.lowerBound, hard: false)
                if ended { active = nil }
            }
            if vocabulary.contextEnders.contains(m.key) {
                if active?.scope == .clause { active = nil }
                continue
            }
            if let marker = markers[m.key] {
                switch marker.direction {
                case .after:
                    active = marker
                    activeEnd = m.range.upperBound
                    covered = false
                case .before:
                    // Everything back to the previous break of the marker's scope is context.
                    var k = items.count - 1
                    var limit = m.range.lowerBound
                    while k >= 0 {
                        let end = items[k].match.range.upperBound - 1
                        if breakBetween(end, limit, hard: marker.scope == .clause) { break }
                        items[k].inContext = true
                        limit = items[k].match.range.lowerBound
                        k -= 1
                    }
                }
                continue
            }
            guard let es = entries[m.key] else { continue }  // neutral filler
            items.append(Found(match: m, entries: es, inContext: active != nil))
            if active != nil { activeEnd = m.range.upperBound; covered = true }
        }

        // Head noun: last non-brand, non-context term of the first clause that has one.
        var headIndex: Int? = nil
        let nounItems = items.indices.filter { i in !items[i].inContext && items[i].entries.contains { !$0.isBrand } }
        if let firstClause = nounItems.map({ clause[items[$0].match.range.lowerBound] }).min() {
            headIndex = nounItems.last { clause[items[$0].match.range.lowerBound] == firstClause }
        }

        var hits: [Hit] = []
        var best: [String: [String: Double]] = [:]  // category → key → weight (distinct terms)
        for (i, f) in items.enumerated() {
            for e in f.entries {
                var w = e.weight
                if f.inContext { w *= vocabulary.contextFactor }
                let isHead = i == headIndex && !e.isBrand
                if isHead { w *= vocabulary.headBonus }
                hits.append(Hit(surface: f.match.surface, category: e.category, weight: w, noun: e.noun, template: e.template,
                                isBrand: e.isBrand, inContext: f.inContext, isHead: isHead))
                best[e.category, default: [:]][f.match.key] = max(best[e.category]?[f.match.key] ?? 0, w)
            }
        }
        var scores = best.mapValues { $0.values.reduce(0, +) }

        var applied: [String] = []
        for r in vocabulary.rules where hits.contains(where: { $0.category == r.ifCategory && !$0.inContext && !$0.isBrand }) {
            for (target, factor) in r.scale.sorted(by: { $0.key < $1.key }) {
                guard let s = scores[target], s > 0 else { continue }
                scores[target] = s * factor
                applied.append("\(r.note): \(target) ×\(Format.number(factor))")
            }
        }
        let hasWords = tokens.contains { $0.kind != .digits }
        return Analysis(scores: scores, hits: hits, appliedRules: applied, hasWords: hasWords)
    }
}

/// Compact number formatting for reasons ("3", "0.35", "1.5").
enum Format {
    static func number(_ v: Double) -> String {
        let r = (v * 100).rounded() / 100
        if r == r.rounded() { return String(Int(r)) }
        return String(r)
    }
}
