import Foundation

/// The parameters of one video, as a client asked for them. Stored as the job's payload; every
/// optional left nil is decided by the planner (category → template → prompt and numbers).
public struct GenerationRequest: Codable, Sendable, Equatable {
    public enum Engine: String, Codable, Sendable, CaseIterable {
        case auto, template
        case i2vgenXL = "i2vgen-xl"
    }

    public enum OutputFormat: String, Codable, Sendable, CaseIterable, Comparable {
        case mp4, webp, gif, poster
        public static func < (a: Self, b: Self) -> Bool { allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)! }
    }

    public static let aspects = ["auto", "1:1", "3:4", "4:3", "9:16", "16:9", "4:5", "7:9"]
    public static let resolutions = [512, 768, 1024]
    public static let defaultOutputs: [OutputFormat] = [.mp4, .webp, .poster]

    public var title: String = ""
    public var category: String?
    public var template: String?
    public var engine: Engine = .auto
    public var prompt: String?
    public var negativePrompt: String?
    public var aspect: String?
    /// Short side in pixels: 512, 768 or 1024.
    public var resolution: Int?
    public var frames: Int?
    public var fps: Int?
    public var steps: Int?
    public var guidance: Double?
    public var seed: UInt32?
    /// 0 (still) … 1 (strong); the planner's template default when nil.
    public var motionStrength: Double?
    /// Visible watermark text; nil or empty for none (marketplaces such as Taobao reject marks).
    public var watermark: String?
    public var outputs: [OutputFormat] = GenerationRequest.defaultOutputs

    enum CodingKeys: String, CodingKey {
        case title, category, template, engine, prompt, aspect, resolution, frames, fps, steps, guidance, seed, watermark, outputs
        case negativePrompt = "negative_prompt"
        case motionStrength = "motion_strength"
    }

    public init(title: String = "") { self.title = title }

    /// Canonical JSON (sorted keys), the job payload and part of the automatic idempotency key.
    public func canonicalJSON() throws -> String {
        String(decoding: try JSONCoding.encoder.encode(self), as: UTF8.self)
    }

    public static func decodePayload(_ payload: String) throws -> GenerationRequest {
        try JSONCoding.decoder.decode(GenerationRequest.self, from: Data(payload.utf8))
    }
}

/// Options of a submission that belong to the job rather than to the video.
public struct SubmissionOptions: Sendable, Equatable {
    public var priority = 0
    public var webhook: String?
    public var imageURL: String?
}

/// Reads a submission's fields — form fields (all text) or a JSON object — into typed values,
/// naming the field in every error.
struct FieldReader {
    static let requestFields: Set<String> = [
        "title", "category", "template", "engine", "prompt", "negative_prompt", "aspect", "resolution", "size",
        "frames", "fps", "steps", "guidance", "seed", "motion_strength", "watermark", "outputs",
    ]
    static let optionFields: Set<String> = ["priority", "webhook", "image_url"]

    let fields: [String: JSONValue]

    /// Parses the fields of one job. `allowed` adds fields the caller handles itself.
    static func parse(_ fields: [String: JSONValue], extraAllowed: Set<String> = []) throws -> (GenerationRequest, SubmissionOptions) {
        for key in fields.keys.sorted() where !requestFields.contains(key) && !optionFields.contains(key) && !extraAllowed.contains(key) {
            throw Problem.invalidField(key, "Unknown field '\(key)'.")
        }
        let reader = FieldReader(fields: fields)
        var request = GenerationRequest()
        request.title = try reader.text("title", maxLength: 200) ?? ""
        request.category = try reader.identifier("category")
        request.template = try reader.identifier("template")
        if let engine = try reader.text("engine", maxLength: 20) {
            guard let value = GenerationRequest.Engine(rawValue: engine.lowercased()) else {
                throw Problem.invalidField("engine", "engine must be one of auto, template, i2vgen-xl.")
            }
            request.engine = value
        }
        request.prompt = try reader.text("prompt", maxLength: 1000)
        request.negativePrompt = try reader.text("negative_prompt", maxLength: 1000)
        if let aspect = try reader.text("aspect", maxLength: 10) {
            guard GenerationRequest.aspects.contains(aspect) else {
                throw Problem.invalidField("aspect", "aspect must be one of \(GenerationRequest.aspects.joined(separator: ", ")).")
            }
            request.aspect = aspect == "auto" ? nil : aspect
        }
        for key in ["resolution", "size"] {
            guard let text = try reader.text(key, maxLength: 8) else { continue }
            let digits = text.lowercased().hasSuffix("p") ? String(text.dropLast()) : text
            guard let value = Int(digits), GenerationRequest.resolutions.contains(value) else {
                throw Problem.invalidField(key, "\(key) must be 512, 768 or 1024 (pixels on the short side).")
            }
            request.resolution = value
        }
        request.frames = try reader.integer("frames", 8...32)
        request.fps = try reader.integer("fps", 4...30)
        request.steps = try reader.integer("steps", 1...150)
        request.guidance = try reader.number("guidance", 1...20)
        request.seed = try reader.integer("seed", 0...Int(UInt32.max)).map { UInt32($0) }
        request.motionStrength = try reader.number("motion_strength", 0...1)
        request.watermark = try reader.text("watermark", maxLength: 60)
        if let outputs = try reader.list("outputs") {
            var formats: [GenerationRequest.OutputFormat] = []
            for item in outputs {
                guard let format = GenerationRequest.OutputFormat(rawValue: item.lowercased()) else {
                    throw Problem.invalidField("outputs", "outputs may list mp4, webp, gif and poster; '\(item)' is not one of them.")
                }
                if !formats.contains(format) { formats.append(format) }
            }
            guard !formats.isEmpty else { throw Problem.invalidField("outputs", "outputs must list at least one format.") }
            request.outputs = formats.sorted()
        }
        var options = SubmissionOptions()
        options.priority = try reader.integer("priority", -10...10) ?? 0
        if let webhook = try reader.text("webhook", maxLength: 2000) {
            guard let url = URL(string: webhook), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme), url.host != nil else {
                throw Problem.invalidField("webhook", "webhook must be an http(s) URL.")
            }
            options.webhook = webhook
        }
        options.imageURL = try reader.text("image_url", maxLength: 4000)
        return (request, options)
    }

    func raw(_ key: String) -> JSONValue? {
        guard let value = fields[key] else { return nil }
        if case .null = value { return nil }
        if case .string(let s) = value, s.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { return nil }
        return value
    }

    func text(_ key: String, maxLength: Int) throws -> String? {
        guard let value = raw(key) else { return nil }
        let text: String
        switch value {
        case .string(let s): text = s.trimmingCharacters(in: .whitespacesAndNewlines)
        case .number(let n): text = n == n.rounded() ? String(Int(n)) : String(n)
        default: throw Problem.invalidField(key, "\(key) must be text.")
        }
        guard text.count <= maxLength else { throw Problem.invalidField(key, "\(key) is longer than \(maxLength) characters.") }
        guard !text.unicodeScalars.contains(where: { $0.properties.generalCategory == .control && $0 != "\n" && $0 != "\t" }) else {
            throw Problem.invalidField(key, "\(key) contains control characters.")
        }
        return text
    }

    /// Lower-case names such as `cosmetics` or `apparel.sway`.
    func identifier(_ key: String) throws -> String? {
        guard let text = try text(key, maxLength: 60) else { return nil }
        let lowered = text.lowercased()
        if lowered == "auto" { return nil }
        guard lowered.unicodeScalars.allSatisfy({ CharacterSet.lowercaseLetters.contains($0) && $0.isASCII || CharacterSet.decimalDigits.contains($0) || $0 == "-" || $0 == "_" || $0 == "." }),
            !lowered.hasPrefix("."), !lowered.contains("..")
        else {
            throw Problem.invalidField(key, "\(key) may contain only letters, digits, '.', '-' and '_'.")
        }
        return lowered
    }

    func number(_ key: String, _ range: ClosedRange<Double>) throws -> Double? {
        guard let value = raw(key) else { return nil }
        let number: Double?
        switch value {
        case .number(let n): number = n
        case .string(let s): number = Double(s.trimmingCharacters(in: .whitespaces))
        default: number = nil
        }
        guard let number, number.isFinite else { throw Problem.invalidField(key, "\(key) must be a number.") }
        guard range.contains(number) else {
            throw Problem.invalidField(key, "\(key) must be between \(Self.format(range.lowerBound)) and \(Self.format(range.upperBound)).")
        }
        return number
    }

    func integer(_ key: String, _ range: ClosedRange<Int>) throws -> Int? {
        guard let value = try number(key, Double(range.lowerBound)...Double(range.upperBound)) else { return nil }
        guard value == value.rounded() else { throw Problem.invalidField(key, "\(key) must be a whole number.") }
        return Int(value)
    }

    /// A JSON array of strings, or comma-separated text.
    func list(_ key: String) throws -> [String]? {
        guard let value = raw(key) else { return nil }
        switch value {
        case .array(let items):
            return try items.map {
                guard let s = $0.stringValue else { throw Problem.invalidField(key, "\(key) must list text values.") }
                return s
            }
        case .string(let s):
            return s.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        default:
            throw Problem.invalidField(key, "\(key) must be a list.")
        }
    }

    static func format(_ value: Double) -> String { value == value.rounded() ? String(Int(value)) : String(value) }
}
