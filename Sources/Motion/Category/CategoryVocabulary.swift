import Foundation

/// The category model's data (`Data/categories.json`): categories, their weighted terms and
/// brands, neutral filler words, context markers and cross-category rules. Code holds no words.
public struct CategoryVocabulary: Sendable {
    public struct Category: Sendable {
        public var id: String
        public var label: String
        public var labelZh: String
        /// Prompt noun when no term supplies one ("garment", "product").
        public var noun: String
        public var terms: [String: Term]
        public var brands: [String: Double]
    }

    public struct Term: Sendable, Equatable {
        public var weight: Double
        /// English noun for prompts ("dress" for 连衣裙); nil → the term itself when English.
        public var noun: String?
        /// Template id this term calls for (e.g. 咖啡机 → "home_appliances.steam").
        public var template: String?
    }

    /// Words that, once seen, mark the following (`after`) or preceding (`before`) words as
    /// context (compatibility, target user, free gifts) rather than the product itself.
    public struct ContextMarker: Sendable, Equatable {
        public enum Direction: String, Sendable, Decodable { case after, before }
        /// How far the context reaches: to the next hard break (`clause`) or to the next break
        /// of any kind, including spaces (`phrase`).
        public enum Scope: String, Sendable, Decodable { case clause, phrase }
        public var text: String
        public var direction: Direction
        public var scope: Scope
    }

    /// "When a term of `ifCategory` counts (outside a context), multiply these categories' scores."
    public struct Rule: Sendable, Equatable {
        public var ifCategory: String
        public var scale: [String: Double]
        public var note: String
    }

    public var fallback: String
    public var fallbackNoun: String
    public var threshold: Double
    public var contextFactor: Double
    public var headBonus: Double
    public var categories: [Category]
    public var neutral: Set<String>
    public var markers: [ContextMarker]
    /// Words that end an English `clause`-scoped context ("with", "and").
    public var contextEnders: Set<String>
    public var rules: [Rule]
    /// ImageNet-classifier evidence weight (score added = weight × mapped probability).
    public var imageWeight: Double

    public var ids: [String] { categories.map(\.id) + [fallback] }

    public func category(_ id: String) -> Category? { categories.first { $0.id == id } }

    /// The built-in vocabulary in the module's `Data/categories.json`.
    public static func builtIn() throws -> CategoryVocabulary {
        guard let url = Bundle.module.url(forResource: "categories", withExtension: "json", subdirectory: "Data") else {
            throw MotionError.dataFile(path: "Data/categories.json", problem: "missing from the Motion resource bundle")
        }
        return try CategoryVocabulary(contentsOf: url)
    }

    public init(contentsOf url: URL) throws {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw MotionError.dataFile(path: url.path, problem: "cannot read: \(error.localizedDescription)")
        }
        try self.init(json: data, source: url.path)
    }

    public init(json: Data, source: String) throws {
        let file: VocabularyFile
        do { file = try JSONDecoder().decode(VocabularyFile.self, from: json) } catch {
            throw MotionError.dataFile(path: source, problem: DecodingProblem.describe(error))
        }
        if file.version != MotionModule.templateSchemaVersion {
            throw MotionError.dataFile(path: source, problem: "version \(file.version) is not supported (expected \(MotionModule.templateSchemaVersion))")
        }
        fallback = file.fallback
        fallbackNoun = file.fallbackNoun
        threshold = file.threshold
        contextFactor = file.contextFactor
        headBonus = file.headBonus
        imageWeight = file.imageWeight
        neutral = Set(file.neutral.map { Lexicon.canonical($0) })
        markers = file.markers.map { ContextMarker(text: Lexicon.canonical($0.text), direction: $0.direction, scope: $0.scope) }
        contextEnders = Set(file.contextEnders.map { Lexicon.canonical($0) })
        categories = file.categories.map { c in
            Category(id: c.id, label: c.label, labelZh: c.labelZh, noun: c.noun,
                     terms: Dictionary(c.terms.map { (Lexicon.canonical($0.key), Term(weight: $0.value.weight, noun: $0.value.noun, template: $0.value.template)) },
                                       uniquingKeysWith: { a, _ in a }),
                     brands: Dictionary(c.brands.map { (Lexicon.canonical($0.key), $0.value) }, uniquingKeysWith: { a, _ in a }))
        }
        rules = file.rules.map { Rule(ifCategory: $0.ifCategory, scale: $0.scale, note: $0.note) }
        try validate(source: source)
    }

    private func validate(source: String) throws {
        var ids = Set<String>()
        for c in categories {
            guard ids.insert(c.id).inserted else { throw MotionError.dataFile(path: source, problem: "category '\(c.id)' appears twice") }
            if c.id == fallback { throw MotionError.dataFile(path: source, problem: "fallback '\(fallback)' must not be a listed category") }
            for (t, term) in c.terms where !(term.weight.isFinite && term.weight > 0) {
                throw MotionError.dataFile(path: source, problem: "category '\(c.id)' term '\(t)': weight must be > 0")
            }
        }
        for r in rules {
            for id in [r.ifCategory] + Array(r.scale.keys) where !ids.contains(id) {
                throw MotionError.dataFile(path: source, problem: "rule '\(r.note)' names unknown category '\(id)'")
            }
        }
    }
}

// MARK: - File format

private struct VocabularyFile: Decodable {
    struct CategoryEntry: Decodable {
        var id: String
        var label: String
        var labelZh: String
        var noun: String
        var terms: [String: TermEntry]
        var brands: [String: Double]
    }
    struct MarkerEntry: Decodable {
        var text: String
        var direction: CategoryVocabulary.ContextMarker.Direction
        var scope: CategoryVocabulary.ContextMarker.Scope
    }
    struct RuleEntry: Decodable {
        var ifCategory: String
        var scale: [String: Double]
        var note: String
    }
    var version: Int
    var fallback: String
    var fallbackNoun: String
    var threshold: Double
    var contextFactor: Double
    var headBonus: Double
    var imageWeight: Double
    var neutral: [String]
    var markers: [MarkerEntry]
    var contextEnders: [String]
    var rules: [RuleEntry]
    var categories: [CategoryEntry]
}

/// A term is written as a weight (`3`), `[weight, noun]` or `[weight, noun, template]`.
private struct TermEntry: Decodable {
    var weight: Double
    var noun: String?
    var template: String?

    init(from decoder: Decoder) throws {
        if let single = try? decoder.singleValueContainer(), let w = try? single.decode(Double.self) {
            weight = w
            return
        }
        var c = try decoder.unkeyedContainer()
        weight = try c.decode(Double.self)
        noun = c.isAtEnd ? nil : try c.decode(String?.self)
        template = c.isAtEnd ? nil : try c.decode(String?.self)
    }
}
