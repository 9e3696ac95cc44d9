import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// Reading request bodies under explicit limits, into typed submissions.
enum RequestReading {
    /// The body bytes, refusing more than `limit` (checked against Content-Length first, then
    /// while reading).
    static func collect(_ request: Request, limit: Int) async throws -> [UInt8] {
        if let length = request.headers[.contentLength].flatMap(Int.init), length > limit {
            throw Problem.payloadTooLarge(limit: limit)
        }
        do {
            let buffer = try await request.body.collect(upTo: limit)
            return Array(buffer.readableBytesView)
        } catch is NIOTooManyBytesError {
            throw Problem.payloadTooLarge(limit: limit)
        }
    }

    static func mediaType(_ request: Request) -> String {
        (request.headers[.contentType] ?? "").split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
    }

    /// A JSON object body as fields.
    static func jsonObject(_ bytes: [UInt8]) throws -> [String: JSONValue] {
        guard let value = JSONValue.parse(Data(bytes)) else { throw Problem.invalidBody("The body is not valid JSON.") }
        guard case .object(let object) = value else { throw Problem.invalidBody("The body must be a JSON object.") }
        return object
    }

    struct Form {
        var fields: [String: JSONValue] = [:]
        var files: [String: (filename: String?, bytes: [UInt8])] = [:]
    }

    /// A multipart body: text parts become fields, parts with a filename become files.
    static func multipart(_ request: Request, bytes: [UInt8]) throws -> Form {
        guard let boundary = MultipartForm.boundary(fromContentType: request.headers[.contentType] ?? "") else {
            throw Problem.invalidBody("The multipart body has no boundary.")
        }
        let parsed: MultipartForm
        do {
            parsed = try MultipartForm(body: bytes, boundary: boundary)
        } catch {
            throw Problem.invalidBody("The multipart body is malformed (\(error)).")
        }
        var form = Form()
        for part in parsed.parts {
            if part.filename != nil {
                guard form.files[part.name] == nil else { throw Problem.invalidField(part.name, "Only one file may be sent in '\(part.name)'.") }
                form.files[part.name] = (part.filename, Array(part.body))
            } else {
                guard let text = part.text else { throw Problem.invalidField(part.name, "Field '\(part.name)' is not UTF-8 text.") }
                form.fields[part.name] = .string(text)
            }
        }
        return form
    }

    static func idempotencyKey(_ request: Request) throws -> String? {
        guard let key = request.headers[.idempotencyKey]?.trimmingCharacters(in: .whitespaces), !key.isEmpty else { return nil }
        guard key.utf8.count <= 200, key.unicodeScalars.allSatisfy({ $0.value >= 0x21 && $0.value <= 0x7E }) else {
            throw Problem.invalidField("Idempotency-Key", "The Idempotency-Key header must be 1–200 visible ASCII characters.")
        }
        return key
    }
}

/// JSON responses with the API's encoder.
enum Reply {
    static func json<T: Encodable>(_ value: T, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) throws -> Response {
        var headers = headers
        headers[.contentType] = "application/json; charset=utf-8"
        let data = try JSONCoding.encoder.encode(value)
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
