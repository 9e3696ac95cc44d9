/// A rule that lets one checkpoint key have two stored spellings. Model code asks for one
/// spelling; the tensor binds under whichever the file holds (never both: a folder that stores
/// both spellings of one tensor is rejected as ambiguous).
public struct WeightKeyAlias: Equatable, Sendable, CustomStringConvertible {
    /// A prefix that the stored keys may or may not carry (including its trailing dot).
    public let optionalPrefix: String

    public init(optionalPrefix: String) {
        self.optionalPrefix = optionalPrefix
    }

    /// CLIP text encoders: transformers 4 saves `text_model.…`; transformers 5 may omit it.
    public static let clipTextModel = WeightKeyAlias(optionalPrefix: "text_model.")
    /// CLIP vision encoders: `vision_model.…` with or without the prefix.
    public static let clipVisionModel = WeightKeyAlias(optionalPrefix: "vision_model.")

    /// The other spelling of `key` under this rule.
    public func alternative(of key: String) -> String {
        key.hasPrefix(optionalPrefix) ? String(key.dropFirst(optionalPrefix.count)) : optionalPrefix + key
    }

    public var description: String { "optional prefix '\(optionalPrefix)'" }
}
