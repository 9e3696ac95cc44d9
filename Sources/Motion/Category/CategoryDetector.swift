import Media

/// Image classifier evidence (e.g. ResNet-50 over ImageNet classes mapped to our categories).
public protocol ImageCategoryClassifier: Sendable {
    /// Probability mass per category id and the top raw labels, for reasons.
    func categoryEvidence(for image: RGBImage) throws -> ImageClassifierEvidence
}

public struct ImageClassifierEvidence: Sendable, Equatable {
    public var scores: [String: Double]
    /// Top raw classes with probabilities, best first (e.g. ("jersey, T-shirt", 0.61)).
    public var topLabels: [LabelScore]
    public init(scores: [String: Double], topLabels: [LabelScore]) {
        self.scores = scores
        self.topLabels = topLabels
    }
}

public struct LabelScore: Sendable, Equatable {
    public var label: String
    public var probability: Double
    public init(label: String, probability: Double) {
        self.label = label
        self.probability = probability
    }
}

/// The product as the detector understood it: category decision plus attributes and the term
/// that called for a specific template.
public struct Detection: Sendable {
    public var decision: CategoryDecision
    public var noun: String
    /// Template id a title term asked for (e.g. 咖啡机 → "home_appliances.steam"), if any.
    public var templateHint: String?
    public var templateHintTerm: String?
    public var cues: ImageCues?
}

/// Combines the title model, image cues and the optional image classifier into one decision.
public struct CategoryDetector: Sendable {
    public let vocabulary: CategoryVocabulary
    public let title: TitleClassifier
    public let palette: ColourPalette
    public var imageClassifier: (any ImageCategoryClassifier)?

    public init(vocabulary: CategoryVocabulary, palette: ColourPalette, imageClassifier: (any ImageCategoryClassifier)? = nil) {
        self.vocabulary = vocabulary
        self.title = TitleClassifier(vocabulary: vocabulary)
        self.palette = palette
        self.imageClassifier = imageClassifier
    }

    /// The built-in vocabulary and colour palette.
    public static func builtIn(imageClassifier: (any ImageCategoryClassifier)? = nil) throws -> CategoryDetector {
        CategoryDetector(vocabulary: try .builtIn(), palette: try .builtIn(), imageClassifier: imageClassifier)
    }

    public func detect(title raw: String, image: RGBImage?) -> Detection {
        let analysis = title.analyse(raw)
        var scores = analysis.scores
        var reasons: [String] = []

        let trimmed = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.isEmpty {
            reasons.append("title is empty")
        } else if !analysis.hasWords {
            reasons.append("title '\(trimmed)' has no words")
        }
        let ordered = analysis.hits.sorted { $0.weight > $1.weight }
        for h in ordered.prefix(6) {
            var note = "title \(h.isBrand ? "brand" : "term") '\(h.surface)' → \(h.category) +\(Format.number(h.weight))"
            if h.isHead { note += " (head noun ×\(Format.number(vocabulary.headBonus)))" }
            if h.inContext { note += " (context, ×\(Format.number(vocabulary.contextFactor)))" }
            reasons.append(note)
        }
        reasons.append(contentsOf: analysis.appliedRules.map { "rule: \($0)" })

        var cues: ImageCues? = nil
        if let image {
            let c = ImageCues(image: image, palette: palette)
            cues = c
            reasons.append(c.plainBackground
                ? "image: plain studio background (border uniformity \(Format.number(c.borderUniformity)))"
                : "image: busy background (border uniformity \(Format.number(c.borderUniformity)))")
            if let classifier = imageClassifier {
                do {
                    let ev = try classifier.categoryEvidence(for: image)
                    for (cat, p) in ev.scores where p > 0 && vocabulary.category(cat) != nil {
                        scores[cat, default: 0] += vocabulary.imageWeight * p
                    }
                    if let top = ev.topLabels.first {
                        let best = ev.scores.max { $0.value < $1.value }
                        reasons.append("image classifier: '\(top.label)' \(Format.number(top.probability))"
                            + (best.map { " → \($0.key) +\(Format.number(vocabulary.imageWeight * $0.value))" } ?? ""))
                    }
                } catch {
                    reasons.append("image classifier failed: \(error)")
                }
            }
        }

        let ranked = scores.filter { $0.value > 0 }.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
        let candidates = ranked.prefix(5).map { CategoryScore(category: $0.key, score: ($0.value * 100).rounded() / 100) }
        let top = ranked.first
        let second = ranked.dropFirst().first?.value ?? 0
        let category: String
        let confidence: Double
        if let top, top.value >= vocabulary.threshold {
            category = top.key
            // Margin over the runner-up times saturation in the absolute evidence.
            confidence = (top.value / (top.value + second)) * (1 - exp(-top.value / 2))
            reasons.insert("\(category) scores \(Format.number(top.value))" + (second >= 0.005 ? " vs \(Format.number(second)) for the runner-up" : ""), at: 0)
        } else {
            category = vocabulary.fallback
            // A fallback is a default, not a finding: at most 0.5.
            confidence = top == nil ? 0.5 : max(0.3, 0.5 * (1 - (top?.value ?? 0) / vocabulary.threshold) + 0.2)
            reasons.insert(top == nil
                ? "no category evidence in the title or image; using '\(vocabulary.fallback)'"
                : "evidence too weak (best \(top!.key) \(Format.number(top!.value)) < \(Format.number(vocabulary.threshold))); using '\(vocabulary.fallback)'", at: 0)
        }

        // Noun and template hint from the strongest term of the chosen category (head first).
        let own = analysis.hits.filter { $0.category == category && !$0.isBrand }
            .sorted { ($0.isHead ? 1 : 0, $0.weight) > ($1.isHead ? 1 : 0, $1.weight) }
        let nounHit = own.first
        let noun = nounHit.flatMap { $0.noun ?? (Lexicon.isHanFree($0.surface) ? $0.surface : nil) }
            ?? vocabulary.category(category)?.noun ?? vocabulary.fallbackNoun
        let hint = own.first { $0.template != nil }
        return Detection(decision: CategoryDecision(category: category, confidence: (confidence * 1000).rounded() / 1000,
                                                    reasons: reasons, candidates: Array(candidates)),
                         noun: noun, templateHint: hint?.template, templateHintTerm: hint?.surface, cues: cues)
    }
}

import Foundation

extension Lexicon {
    static func isHanFree(_ s: String) -> Bool { !s.contains { isHan($0) } }
}
