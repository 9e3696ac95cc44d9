import Foundation
import ZIPFoundation

/// The items of a batch submission, before validation: each has its fields and where its
/// image comes from.
struct BatchInput {
    enum Image: Sendable {
        case url(String)
        case bytes([UInt8], name: String)
    }

    struct Item: Sendable {
        var fields: [String: JSONValue]
        var image: Image?
    }

    var title: String?
    var webhook: String?
    var items: [Item]

    static let maxItems = 500
    static let batchFields: Set<String> = ["title", "webhook", "items", "defaults"]

    /// `{"title":…, "webhook":…, "defaults":{…}, "items":[{"image_url":…, "title":…, …}]}`
    static func fromJSON(_ object: [String: JSONValue]) throws -> BatchInput {
        for key in object.keys where !batchFields.contains(key) { throw Problem.invalidField(key, "Unknown batch field '\(key)'.") }
        guard case .array(let list)? = object["items"], !list.isEmpty else {
            throw Problem.missingField("items", "A batch needs a non-empty 'items' list.")
        }
        var defaults: [String: JSONValue] = [:]
        if let value = object["defaults"] {
            guard case .object(let d) = value else { throw Problem.invalidField("defaults", "defaults must be an object.") }
            defaults = d
        }
        let items = try list.enumerated().map { index, value -> Item in
            guard case .object(var fields) = value else { throw Problem.invalidField("items[\(index)]", "Each item must be an object.") }
            fields.merge(defaults) { item, _ in item }
            let url = fields.removeValue(forKey: "image_url")?.stringValue
            return Item(fields: fields, image: url.map { .url($0) })
        }
        return BatchInput(title: object["title"]?.stringValue, webhook: object["webhook"]?.stringValue, items: items)
    }

    /// CSV with a header row: `image_url` (or `image`, for zip uploads), `title`, and any other
    /// job field as a column. Empty cells fall back to `defaults`.
    static func fromCSV(_ text: String, defaults: [String: JSONValue], zip: [String: [UInt8]]? = nil) throws -> [Item] {
        let records: [[String: String]]
        do { records = try CSV.records(text) } catch let failure as CSV.Failure {
            throw Problem.invalidBody(failure.description)
        }
        guard !records.isEmpty else { throw Problem.missingField("items", "The CSV has no rows below its header.") }
        return try records.enumerated().map { index, record -> Item in
            var fields = defaults
            var image: Image?
            for (key, value) in record {
                let value = value.trimmingCharacters(in: .whitespacesAndNewlines)
                guard !value.isEmpty else { continue }
                switch key {
                case "image_url", "url":
                    image = .url(value)
                case "image", "file", "filename":
                    guard let zip else { image = .url(value); continue }
                    guard let bytes = zip[value] ?? zip[(value as NSString).lastPathComponent] else {
                        throw Problem.invalidField("items[\(index)].image", "Row \(index + 2): '\(value)' is not in the zip file.")
                    }
                    image = .bytes(bytes, name: value)
                default:
                    fields[key] = .string(value)
                }
            }
            return Item(fields: fields, image: image)
        }
    }

    /// A zip of images with an optional CSV (first `*.csv` in the archive). Without a CSV,
    /// every image becomes an item titled after its file name.
    static func fromZip(_ bytes: [UInt8], defaults: [String: JSONValue], maxEntryBytes: Int, maxTotalBytes: Int) throws -> [Item] {
        let archive: Archive
        do { archive = try Archive(data: Data(bytes), accessMode: .read) } catch {
            throw Problem.invalidBody("The upload is not a readable zip file.")
        }
        var files: [String: [UInt8]] = [:]
        var csvText: String?
        var total = 0
        for entry in archive where entry.type == .file {
            let name = entry.path
            let base = (name as NSString).lastPathComponent
            if name.hasPrefix("__MACOSX/") || base.hasPrefix(".") { continue }
            guard entry.uncompressedSize <= UInt64(maxEntryBytes) else {
                throw Problem.payloadTooLarge(limit: maxEntryBytes)
            }
            var data: [UInt8] = []
            do {
                _ = try archive.extract(entry, skipCRC32: false) { chunk in
                    data.append(contentsOf: chunk)
                    // The declared size may lie (zip bombs): count what actually comes out.
                    if data.count > maxEntryBytes { throw Problem.payloadTooLarge(limit: maxEntryBytes) }
                }
            } catch let problem as Problem {
                throw problem
            } catch {
                throw Problem.invalidBody("The zip entry '\(name)' cannot be read.")
            }
            total += data.count
            guard total <= maxTotalBytes else { throw Problem.payloadTooLarge(limit: maxTotalBytes) }
            if base.lowercased().hasSuffix(".csv") {
                if csvText == nil { csvText = String(decoding: data, as: UTF8.self) }
            } else {
                files[name] = data
                if files[base] == nil { files[base] = data }
            }
        }
        if let csvText { return try fromCSV(csvText, defaults: defaults, zip: files) }
        let images = files.keys.filter { !$0.contains("/") || files[($0 as NSString).lastPathComponent] != nil }
            .filter { ["jpg", "jpeg", "png", "webp"].contains(($0 as NSString).pathExtension.lowercased()) }
        let unique = Array(Set(images.map { ($0 as NSString).lastPathComponent })).sorted()
        guard !unique.isEmpty else { throw Problem.missingField("items", "The zip file holds no JPEG, PNG or WebP images.") }
        return unique.map { name in
            var fields = defaults
            if fields["title"] == nil { fields["title"] = .string(((name as NSString).deletingPathExtension).replacingOccurrences(of: "_", with: " ")) }
            return Item(fields: fields, image: .bytes(files[name]!, name: name))
        }
    }
}
