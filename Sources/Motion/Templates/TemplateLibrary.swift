import Foundation

/// The motion templates, keyed by id. The built-in library is `Data/templates.json`; a user JSON
/// file in the same format overrides templates with the same id (only the fields it names, when
/// it gives `"base"` or reuses an existing id) and adds new ones.
public struct TemplateLibrary: Sendable, Equatable {
    public private(set) var templates: [MotionTemplate]

    /// Validates every template (unique ids, sane parameters).
    public init(templates: [MotionTemplate], source: String = "templates") throws {
        var seen = Set<String>()
        for t in templates {
            guard seen.insert(t.id).inserted else {
                throw MotionError.dataFile(path: source, problem: "template id '\(t.id)' appears twice")
            }
            let problems = t.validationProblems()
            if !problems.isEmpty {
                throw MotionError.dataFile(path: source, problem: "template '\(t.id)': \(problems.joined(separator: "; "))")
            }
        }
        self.templates = templates
    }

    /// The library shipped in the module's `Data/templates.json`.
    public static func builtIn() throws -> TemplateLibrary {
        guard let url = Bundle.module.url(forResource: "templates", withExtension: "json", subdirectory: "Data") else {
            throw MotionError.dataFile(path: "Data/templates.json", problem: "missing from the Motion resource bundle")
        }
        return try TemplateLibrary(contentsOf: url)
    }

    /// A complete library file.
    public init(contentsOf url: URL) throws {
        let file = try Self.decodeFile(url)
        var list: [MotionTemplate] = []
        for (i, patch) in file.templates.enumerated() {
            list.append(try patch.complete(base: nil, source: "\(url.path) templates[\(i)]"))
        }
        try self.init(templates: list, source: url.path)
    }

    /// This library with a user file applied: entries whose id exists (or that name a `"base"`)
    /// inherit every field they omit; other entries must be complete and are added.
    public func applying(userFile url: URL) throws -> TemplateLibrary {
        let file = try Self.decodeFile(url)
        var list = templates
        for (i, patch) in file.templates.enumerated() {
            let source = "\(url.path) templates[\(i)]"
            let baseID = patch.base ?? patch.id
            let base = baseID.flatMap { id in list.first { $0.id == id } }
            if let b = patch.base, base == nil {
                throw MotionError.dataFile(path: source, problem: "base template '\(b)' does not exist; known: \(list.map(\.id).joined(separator: ", "))")
            }
            let t = try patch.complete(base: base, source: source)
            if let idx = list.firstIndex(where: { $0.id == t.id }) { list[idx] = t } else { list.append(t) }
        }
        return try TemplateLibrary(templates: list, source: url.path)
    }

    public var ids: [String] { templates.map(\.id) }

    public func template(id: String) throws -> MotionTemplate {
        guard let t = templates.first(where: { $0.id == id }) else {
            throw MotionError.unknownTemplate(id, valid: ids)
        }
        return t
    }

    /// Templates of a category in file order; the first one is the category's default.
    public func templates(for category: String) -> [MotionTemplate] {
        templates.filter { $0.category == category }
    }

    private struct File: Decodable {
        var version: Int?
        var templates: [TemplatePatch]
    }

    private static func decodeFile(_ url: URL) throws -> File {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw MotionError.dataFile(path: url.path, problem: "cannot read: \(error.localizedDescription)")
        }
        do {
            let file = try JSONDecoder().decode(File.self, from: data)
            if let v = file.version, v != MotionModule.templateSchemaVersion {
                throw MotionError.dataFile(path: url.path, problem: "version \(v) is not supported (expected \(MotionModule.templateSchemaVersion))")
            }
            return file
        } catch let e as MotionError {
            throw e
        } catch {
            throw MotionError.dataFile(path: url.path, problem: DecodingProblem.describe(error))
        }
    }
}

/// A template entry as written in a file: every field optional so that a user file can change
/// one field of a built-in template.
struct TemplatePatch: Decodable {
    var id: String?
    var base: String?
    var category: String?
    var summary: String?
    var prompt: String?
    var negativePrompt: String?
    var aspect: String?
    var resolution: Int?
    var frames: Int?
    var fps: Int?
    var steps: Int?
    var guidance: Double?
    var motionStrength: Double?
    var motion: MotionSpec?

    func complete(base: MotionTemplate?, source: String) throws -> MotionTemplate {
        func need<T>(_ v: T?, _ b: T?, _ name: String) throws -> T {
            if let v { return v }
            if let b { return b }
            throw MotionError.dataFile(path: source, problem: "missing field '\(name)'")
        }
        return MotionTemplate(
            id: try need(id, base?.id, "id"),
            category: try need(category, base?.category, "category"),
            summary: summary ?? base?.summary ?? "",
            prompt: try need(prompt, base?.prompt, "prompt"),
            negativePrompt: negativePrompt ?? base?.negativePrompt ?? "",
            aspect: try need(aspect, base?.aspect, "aspect"),
            resolution: try need(resolution, base?.resolution, "resolution"),
            frames: try need(frames, base?.frames, "frames"),
            fps: try need(fps, base?.fps, "fps"),
            steps: try need(steps, base?.steps, "steps"),
            guidance: try need(guidance, base?.guidance, "guidance"),
            motionStrength: try need(motionStrength, base?.motionStrength, "motionStrength"),
            motion: try need(motion, base?.motion, "motion"))
    }
}

/// Turns a `DecodingError` into one line naming the field.
enum DecodingProblem {
    static func describe(_ error: Error) -> String {
        guard let e = error as? DecodingError else { return "\(error)" }
        func path(_ c: [CodingKey]) -> String {
            c.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
        }
        switch e {
        case let .keyNotFound(key, ctx): return "missing field '\(path(ctx.codingPath + [key]))'"
        case let .typeMismatch(_, ctx): return "wrong type at '\(path(ctx.codingPath))': \(ctx.debugDescription)"
        case let .valueNotFound(_, ctx): return "null at '\(path(ctx.codingPath))'"
        case let .dataCorrupted(ctx):
            return ctx.codingPath.isEmpty ? "not valid JSON: \(ctx.debugDescription)" : "bad value at '\(path(ctx.codingPath))': \(ctx.debugDescription)"
        @unknown default: return "\(error)"
        }
    }
}
