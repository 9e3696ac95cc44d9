/// One tensor entry of a safetensors header. Offsets are relative to the data section, which
/// starts right after the header.
public struct SafetensorsEntry: Equatable, Sendable {
    public let name: String
    public let dtype: SafetensorsDType
    public let shape: [Int]
    public let begin: Int
    public let end: Int

    public var byteCount: Int { end - begin }
    public var elementCount: Int { shape.reduce(1, *) }
}

/// The validated header of a safetensors file.
///
/// Layout: 8-byte little-endian header length N, N bytes of UTF-8 JSON (an object mapping each
/// tensor name to `{dtype, shape, data_offsets: [begin, end]}`, plus an optional
/// `__metadata__` string→string map), then the data section. Validation follows the format's
/// rules: the spans must tile the data section exactly (no overlaps, no holes, no trailing
/// bytes), and each span must hold exactly element count × dtype size bytes.
public struct SafetensorsHeader: Equatable, Sendable {
    public static let maxHeaderLength: UInt64 = 100_000_000

    /// Entries in header order.
    public let entries: [SafetensorsEntry]
    public let metadata: [String: String]
    /// Absolute file offset of the data section (8 + N).
    public let dataStart: Int

    /// Validates `file` (the whole file's bytes); `path` names it in errors.
    public static func parse(file bytes: UnsafeRawBufferPointer, path: String) throws -> SafetensorsHeader {
        func fail(_ key: String?, _ problem: SafetensorsProblem) -> ModelIOError {
            .invalidSafetensors(file: path, key: key, problem: problem)
        }
        guard bytes.count >= 8 else { throw fail(nil, .shorterThanHeaderLength(fileSize: bytes.count)) }
        var length: UInt64 = 0
        for k in 0..<8 { length |= UInt64(bytes[k]) << (8 * UInt64(k)) }
        guard length <= maxHeaderLength else { throw fail(nil, .headerTooLarge(headerLength: length)) }
        guard length <= UInt64(bytes.count - 8) else {
            throw fail(nil, .headerBeyondFile(headerLength: length, fileSize: bytes.count))
        }
        let dataStart = 8 + Int(length)
        let dataSize = bytes.count - dataStart

        let json: JSONValue
        do {
            json = try JSONParser.parse(UnsafeRawBufferPointer(rebasing: bytes[8..<dataStart]))
        } catch let error as JSONParseError {
            throw fail(nil, .badJSON("\(error.reason) at header byte \(error.offset)"))
        }
        guard case .object(let object) = json else { throw fail(nil, .headerNotObject) }

        var entries: [SafetensorsEntry] = []
        var metadata: [String: String] = [:]
        for name in object.keys {
            guard let value = object[name] else { continue }
            if name == "__metadata__" {
                metadata = try parseMetadata(value, path: path)
                continue
            }
            entries.append(try parseEntry(name: name, value: value, dataSize: dataSize, path: path))
        }
        try checkTiling(entries, dataSize: dataSize, path: path)
        return SafetensorsHeader(entries: entries, metadata: metadata, dataStart: dataStart)
    }

    private static func parseMetadata(_ value: JSONValue, path: String) throws -> [String: String] {
        guard case .object(let object) = value else {
            throw ModelIOError.invalidSafetensors(file: path, key: nil, problem: .badMetadata("must be an object of strings"))
        }
        var result: [String: String] = [:]
        for key in object.keys {
            guard let s = object[key]?.stringValue else {
                throw ModelIOError.invalidSafetensors(
                    file: path, key: nil, problem: .badMetadata("value of '\(key)' is \(object[key]?.typeDescription ?? "missing"), not a string"))
            }
            result[key] = s
        }
        return result
    }

    private static func parseEntry(name: String, value: JSONValue, dataSize: Int, path: String) throws -> SafetensorsEntry {
        func fail(_ problem: SafetensorsProblem) -> ModelIOError {
            .invalidSafetensors(file: path, key: name, problem: problem)
        }
        guard case .object(let fields) = value else { throw fail(.entryNotObject) }

        guard let dtypeValue = fields["dtype"] else { throw fail(.missingField("dtype")) }
        guard let dtypeName = dtypeValue.stringValue else { throw fail(.badField("dtype", detail: "must be a string")) }
        guard let dtype = SafetensorsDType(rawValue: dtypeName) else { throw fail(.unknownDType(dtypeName)) }

        guard let shapeValue = fields["shape"] else { throw fail(.missingField("shape")) }
        guard let dims = shapeValue.arrayValue else { throw fail(.badField("shape", detail: "must be an array of integers")) }
        var shape: [Int] = []
        for d in dims {
            guard let n = d.intValue else { throw fail(.badField("shape", detail: "must be an array of integers")) }
            shape.append(n)
        }
        if shape.contains(where: { $0 < 0 }) { throw fail(.negativeDimension(shape)) }

        guard let offsetsValue = fields["data_offsets"] else { throw fail(.missingField("data_offsets")) }
        guard let offsets = offsetsValue.arrayValue, offsets.count == 2,
              let begin = offsets[0].intValue, let end = offsets[1].intValue else {
            throw fail(.badField("data_offsets", detail: "must be an array of two integers"))
        }
        guard begin >= 0, end >= 0, begin <= dataSize, end <= dataSize else {
            throw fail(.offsetsOutOfRange(begin: begin, end: end, dataSize: dataSize))
        }
        guard begin <= end else { throw fail(.reversedOffsets(begin: begin, end: end)) }

        var elements = 1
        var overflow = false
        for d in shape {
            let (product, o) = elements.multipliedReportingOverflow(by: d)
            elements = product
            overflow = overflow || o
        }
        let (bytesNeeded, o) = elements.multipliedReportingOverflow(by: dtype.byteSize)
        overflow = overflow || o
        // A zero dimension makes the product 0 regardless of an overflow in other factors.
        if shape.contains(0) { overflow = false }
        let expected: Int? = overflow ? nil : (shape.contains(0) ? 0 : bytesNeeded)
        guard expected == end - begin else { throw fail(.byteCountMismatch(expected: expected, stored: end - begin)) }

        return SafetensorsEntry(name: name, dtype: dtype, shape: shape, begin: begin, end: end)
    }

    /// The spans, sorted, must cover [0, dataSize) exactly once.
    private static func checkTiling(_ entries: [SafetensorsEntry], dataSize: Int, path: String) throws {
        let sorted = entries.sorted { ($0.begin, $0.end, $0.name) < ($1.begin, $1.end, $1.name) }
        var previousEnd = 0
        var previousName: String?
        for entry in sorted {
            if entry.begin < previousEnd, let previousName {
                throw ModelIOError.invalidSafetensors(file: path, key: entry.name, problem: .overlaps(other: previousName))
            }
            if entry.begin > previousEnd {
                throw ModelIOError.invalidSafetensors(
                    file: path, key: entry.name, problem: .gapBefore(begin: entry.begin, previousEnd: previousEnd))
            }
            previousEnd = entry.end
            previousName = entry.name
        }
        guard previousEnd == dataSize else {
            throw ModelIOError.invalidSafetensors(
                file: path, key: nil, problem: .trailingBytes(dataEnd: previousEnd, dataSize: dataSize))
        }
    }
}
