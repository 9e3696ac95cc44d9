import Foundation
import HTTPTypes
import Hummingbird
import Jobs

/// An RFC 9457 problem document with a stable machine-readable `code`.
///
/// Every error the API returns is one of these, served as `application/problem+json`:
/// `{"type":"urn:i2v:problem:<code>","title":…,"status":…,"detail":…,"code":…,"field":…}`.
public struct Problem: Error, HTTPResponseError, Equatable, CustomStringConvertible {
    public var status: HTTPResponse.Status
    public var code: String
    public var title: String
    public var detail: String
    public var field: String?
    public var extraHeaders: [String: String] = [:]

    public init(_ status: HTTPResponse.Status, code: String, title: String, detail: String, field: String? = nil) {
        self.status = status
        self.code = code
        self.title = title
        self.detail = detail
        self.field = field
    }

    public var description: String { "\(status.code) \(code): \(detail)" }

    struct Body: Encodable {
        var type: String
        var title: String
        var status: Int
        var detail: String
        var code: String
        var field: String?
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        let body = Body(type: "urn:i2v:problem:\(code)", title: title, status: status.code, detail: detail, code: code, field: field)
        var headers: HTTPFields = [.contentType: "application/problem+json"]
        for (name, value) in extraHeaders { if let field = HTTPField.Name(name) { headers[field] = value } }
        let data = (try? JSONCoding.encoder.encode(body)) ?? Data()
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}

// MARK: - The catalogue of problems (codes are part of the API; never rename one)

extension Problem {
    static func invalidField(_ field: String, _ detail: String) -> Problem {
        Problem(.badRequest, code: "invalid_field", title: "A field has an invalid value", detail: detail, field: field)
    }
    static func missingField(_ field: String, _ detail: String) -> Problem {
        Problem(.badRequest, code: "missing_field", title: "A required field is missing", detail: detail, field: field)
    }
    static func invalidBody(_ detail: String) -> Problem {
        Problem(.badRequest, code: "invalid_body", title: "The request body cannot be read", detail: detail)
    }
    static func unsupportedMediaType(_ detail: String) -> Problem {
        Problem(.unsupportedMediaType, code: "unsupported_media_type", title: "Unsupported content type", detail: detail)
    }
    static func payloadTooLarge(limit: Int) -> Problem {
        Problem(.contentTooLarge, code: "payload_too_large", title: "The upload is too large",
                detail: "The request body is larger than the limit of \(ByteCount.format(limit)).")
    }
    static func imageTooLarge(_ detail: String) -> Problem {
        Problem(.contentTooLarge, code: "image_too_large", title: "The image has too many pixels", detail: detail, field: "image")
    }
    static func corruptImage(_ detail: String) -> Problem {
        Problem(.unprocessableContent, code: "corrupt_image", title: "The image cannot be decoded", detail: detail, field: "image")
    }
    static func fetchRefused(_ detail: String) -> Problem {
        Problem(.unprocessableContent, code: "image_url_refused", title: "The image URL is not allowed", detail: detail, field: "image_url")
    }
    static func fetchFailed(_ detail: String) -> Problem {
        Problem(.unprocessableContent, code: "image_url_failed", title: "The image URL could not be fetched", detail: detail, field: "image_url")
    }
    static func notFound(_ what: String) -> Problem {
        Problem(.notFound, code: "not_found", title: "Not found", detail: "\(what) does not exist.")
    }
    static func fileNotReady(_ detail: String) -> Problem {
        Problem(.notFound, code: "file_not_available", title: "The file is not available", detail: detail)
    }
    static func conflict(code: String, _ detail: String) -> Problem {
        Problem(.conflict, code: code, title: "The job's state does not allow this", detail: detail)
    }
    static let unauthorized: Problem = {
        var problem = Problem(.unauthorized, code: "unauthorized", title: "Authentication required",
                              detail: "Send an API key as 'Authorization: Bearer <key>'.")
        problem.extraHeaders["WWW-Authenticate"] = "Bearer realm=\"i2v\""
        return problem
    }()
    static func rangeNotSatisfiable(size: Int) -> Problem {
        var problem = Problem(.rangeNotSatisfiable, code: "range_not_satisfiable", title: "Range not satisfiable",
                              detail: "The requested byte range is outside the file (\(size) bytes).")
        problem.extraHeaders["Content-Range"] = "bytes */\(size)"
        return problem
    }
    static func unavailable(_ detail: String) -> Problem {
        Problem(.serviceUnavailable, code: "unavailable", title: "Service unavailable", detail: detail)
    }
    static func internalError(_ detail: String) -> Problem {
        Problem(.internalServerError, code: "internal", title: "Internal error", detail: detail)
    }

    /// Maps store errors to problems at the HTTP edge.
    static func from(_ error: JobStoreError) -> Problem {
        switch error {
        case .notFound(let id): return .notFound("Job or batch '\(id)'")
        case .conflict(let id, let state, let action):
            return .conflict(code: "job_\(state.rawValue)", "Cannot \(action) job \(id): it is \(state.rawValue).")
        case .leaseLost: return .internalError(error.description)
        case .invalid(let why): return .invalidField("cursor", why)
        case .storage(let why): return .internalError(why)
        }
    }
}

enum ByteCount {
    static func format(_ bytes: Int) -> String {
        if bytes >= 1 << 20 { return String(format: "%.0f MiB", Double(bytes) / Double(1 << 20)) }
        if bytes >= 1 << 10 { return String(format: "%.0f KiB", Double(bytes) / Double(1 << 10)) }
        return "\(bytes) bytes"
    }
}

/// Turns every error that escapes a handler into a problem document, so clients never see an
/// HTML page or an empty 500.
struct ProblemMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let problem as Problem {
            return try problem.response(from: request, context: context)
        } catch let error as JobStoreError {
            return try Problem.from(error).response(from: request, context: context)
        } catch let error as HTTPError {
            let code: String
            switch error.status {
            case .notFound: code = "not_found"
            case .methodNotAllowed: code = "method_not_allowed"
            case .contentTooLarge: code = "payload_too_large"
            default: code = "http_\(error.status.code)"
            }
            let problem = Problem(error.status, code: code, title: error.status.reasonPhrase, detail: error.body ?? error.status.reasonPhrase)
            return try problem.response(from: request, context: context)
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            context.logger.error("unhandled error", metadata: ["error": "\(error)"])
            return try Problem.internalError("An unexpected error occurred.").response(from: request, context: context)
        }
    }
}
