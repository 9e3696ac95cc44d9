import Foundation
import HTTPTypes
import Hummingbird

/// Bearer API keys on `/api/…` and `/metrics`. Browsers, which cannot add headers to
/// `<video src>` or `EventSource`, may instead present the key in the `i2v_key` cookie that
/// `POST /api/v1/session` sets (HttpOnly, SameSite=Strict, so other sites cannot use it).
struct AuthMiddleware<Context: RequestContext>: RouterMiddleware {
    static var cookieName: String { "i2v_key" }

    let keys: [String]

    func isProtected(_ path: String) -> Bool { path.hasPrefix("/api/") || path == "/metrics" }

    static func presentedKey(_ request: Request) -> String? {
        if let header = request.headers[.authorization], header.lowercased().hasPrefix("bearer ") {
            return String(header.dropFirst(7)).trimmingCharacters(in: .whitespaces)
        }
        for cookieHeader in request.headers[values: .cookie] {
            for pair in cookieHeader.split(separator: ";") {
                let kv = pair.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                if kv.count == 2, kv[0] == cookieName { return kv[1].removingPercentEncoding ?? kv[1] }
            }
        }
        return nil
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard isProtected(request.uri.path), request.method != .options else { return try await next(request, context) }
        guard let presented = Self.presentedKey(request), keys.contains(where: { constantTimeEquals($0, presented) }) else {
            throw Problem.unauthorized
        }
        return try await next(request, context)
    }
}

/// CORS for the configured origins only (off when the list is empty, the default).
struct CORSListMiddleware<Context: RequestContext>: RouterMiddleware {
    let origins: Set<String>

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let origin = request.headers[.origin], origins.contains(origin) || origins.contains("*") else {
            return try await next(request, context)
        }
        var response: Response
        if request.method == .options, request.headers[.accessControlRequestMethod] != nil {
            response = Response(status: .noContent)
            response.headers[.accessControlAllowMethods] = "GET, POST, DELETE, HEAD, OPTIONS"
            response.headers[.accessControlAllowHeaders] = "Authorization, Content-Type, Idempotency-Key, Range, Last-Event-ID"
            response.headers[.accessControlMaxAge] = "600"
        } else {
            response = try await next(request, context)
            response.headers[.accessControlExposeHeaders] = "Location, ETag, Content-Range, Content-Length"
        }
        response.headers[.accessControlAllowOrigin] = origins.contains("*") ? "*" : origin
        response.headers[.vary] = "Origin"
        return response
    }
}

/// Security headers on every response, and response counts for `/metrics`.
struct HardeningMiddleware<Context: RequestContext>: RouterMiddleware {
    let metrics: Metrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        response.headers[.xContentTypeOptions] = "nosniff"
        response.headers[.referrerPolicy] = "no-referrer"
        if response.headers[.contentType]?.hasPrefix("text/html") == true {
            response.headers[.contentSecurityPolicy] =
                "default-src 'self'; img-src 'self' blob: data:; media-src 'self' blob:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'"
            response.headers[.xFrameOptions] = "DENY"
        }
        metrics.countRequest(status: response.status.code)
        return response
    }
}

extension HTTPField.Name {
    static let referrerPolicy = HTTPField.Name("Referrer-Policy")!
    static let xFrameOptions = HTTPField.Name("X-Frame-Options")!
    static let idempotencyKey = HTTPField.Name("Idempotency-Key")!
    static let idempotentReplay = HTTPField.Name("Idempotent-Replay")!
}
