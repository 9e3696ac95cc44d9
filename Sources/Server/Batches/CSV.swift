import Foundation

/// RFC 4180 CSV: quoted fields, doubled quotes, CRLF or LF line ends, an optional UTF-8 BOM.
public enum CSV {
    public struct Failure: Error, Equatable, CustomStringConvertible {
        public var line: Int
        public var message: String
        public var description: String { "CSV line \(line): \(message)" }
    }

    public static func parse(_ text: String) throws -> [[String]] {
        var rows: [[String]] = []
        var row: [String] = []
        var field = ""
        var inQuotes = false
        var fieldStarted = false
        var line = 1
        var chars = text.hasPrefix("\u{FEFF}") ? Substring(text.dropFirst()) : Substring(text)
        func endRow() {
            row.append(field)
            if !(row.count == 1 && row[0].isEmpty) { rows.append(row) }
            row = []
            field = ""
            fieldStarted = false
        }
        while let ch = chars.first {
            chars = chars.dropFirst()
            if inQuotes {
                if ch == "\"" {
                    if chars.first == "\"" {
                        field.append("\"")
                        chars = chars.dropFirst()
                    } else {
                        inQuotes = false
                    }
                } else {
                    if ch == "\n" || ch == "\r\n" { line += 1 }
                    field.append(ch)
                }
                continue
            }
            switch ch {
            case "\"":
                guard !fieldStarted else { throw Failure(line: line, message: "a quote inside an unquoted field") }
                inQuotes = true
                fieldStarted = true
            case ",":
                row.append(field)
                field = ""
                fieldStarted = false
            case "\r\n", "\n", "\r":
                endRow()
                line += 1
            default:
                field.append(ch)
                fieldStarted = true
            }
        }
        guard !inQuotes else { throw Failure(line: line, message: "a quoted field is not closed") }
        if fieldStarted || !row.isEmpty || !field.isEmpty { endRow() }
        return rows
    }

    /// Rows as dictionaries keyed by the (trimmed, lower-cased) header row.
    public static func records(_ text: String) throws -> [[String: String]] {
        let rows = try parse(text)
        guard let header = rows.first else { return [] }
        let keys = header.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        return try rows.dropFirst().enumerated().map { index, row in
            guard row.count <= keys.count else {
                throw Failure(line: index + 2, message: "\(row.count) fields but the header has \(keys.count)")
            }
            var record: [String: String] = [:]
            for (key, value) in zip(keys, row) where !key.isEmpty { record[key] = value }
            return record
        }
    }

    /// One field, quoted when needed.
    public static func escape(_ value: String) -> String {
        guard value.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return value }
        return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
