import Foundation
import Hummingbird
import Jobs
import NIOPosix

/// Health, metrics, the OpenAPI document, templates, planning and the browser session.
struct SystemController<Context: RequestContext>: Sendable {
    let services: AppServices

    func register(on router: Router<Context>, api: RouterGroup<Context>) {
        router.get("healthz", use: health)
        router.get("metrics", use: metrics)
        router.get("openapi.yaml", use: openAPI)
        api.get("templates", use: templates)
        api.post("plan", use: plan)
        api.post("session", use: startSession)
        api.delete("session", use: endSession)
    }

    struct Health: Encodable {
        var status: String
        var reason: String?
        var version: String
        var engines: [EngineStatus]
        var workers: Int
        var running: [String]
        var queue: [String: Int]
        var authRequired: Bool
        var uptimeSeconds: Double
        enum CodingKeys: String, CodingKey {
            case status, reason, version, engines, workers, running, queue
            case authRequired = "auth_required"
            case uptimeSeconds = "uptime_seconds"
        }
    }

    /// `loading` (503) while an engine loads; `degraded` (200) when the server works but not
    /// at full capability (no model weights, no worker slots); `ready` (200) otherwise.
    static func assess(engines: [EngineStatus], workers: Int) -> (status: String, reason: String?) {
        if let loading = engines.first(where: { $0.state == .loading }) { return ("loading", "\(loading.name): \(loading.detail)") }
        if workers == 0 { return ("degraded", "No worker slots: this process accepts jobs but does not run them.") }
        if engines.allSatisfy({ $0.state != .ready }) { return ("degraded", "No engine is available: " + engines.map { "\($0.name): \($0.detail)" }.joined(separator: "; ")) }
        if let missing = engines.first(where: { $0.state != .ready }) { return ("degraded", "\(missing.name): \(missing.detail)") }
        return ("ready", nil)
    }

    @Sendable func health(_ request: Request, context: Context) async throws -> Response {
        let engines = services.pipeline.engines
        let (status, reason) = Self.assess(engines: engines, workers: services.config.workers)
        let stats = try await services.store.stats()
        let body = Health(
            status: status, reason: reason, version: AppServices.version, engines: engines, workers: services.config.workers,
            running: services.worker.runningJobIDs.sorted(),
            queue: Dictionary(uniqueKeysWithValues: JobState.allCases.map { ($0.rawValue, stats.counts[$0] ?? 0) }),
            authRequired: services.config.requiresAPIKey, uptimeSeconds: Date().timeIntervalSince(services.startedAt))
        return try Reply.json(body, status: status == "loading" ? .serviceUnavailable : .ok, headers: [.cacheControl: "no-store"])
    }

    @Sendable func metrics(_ request: Request, context: Context) async throws -> Response {
        let text = services.metrics.render(stats: try await services.store.stats())
        return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    @Sendable func openAPI(_ request: Request, context: Context) async throws -> Response {
        guard let folder = services.config.publicURL,
            let data = FileManager.default.contents(atPath: folder.appendingPathComponent("openapi.yaml").path)
        else { throw Problem.notFound("The OpenAPI document") }
        return Response(status: .ok, headers: [.contentType: "application/yaml; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    @Sendable func templates(_ request: Request, context: Context) async throws -> Response {
        try Reply.json(["templates": JSONValue.array(services.planner.templates())])
    }

    /// The plan for a title (and, optionally, an image), without generating anything.
    @Sendable func plan(_ request: Request, context: Context) async throws -> Response {
        let intake = services.intake
        var fields: [String: JSONValue]
        var image: [UInt8]?
        switch RequestReading.mediaType(request) {
        case "multipart/form-data":
            let form = try RequestReading.multipart(request, bytes: try await RequestReading.collect(request, limit: services.config.maxUploadBytes + 256 * 1024))
            fields = form.fields
            image = form.files["image"]?.bytes
        case "application/json":
            fields = try RequestReading.jsonObject(try await RequestReading.collect(request, limit: 1 << 20))
        default:
            throw Problem.unsupportedMediaType("Send multipart/form-data or application/json.")
        }
        let (generation, options) = try intake.parse(fields)
        if image == nil, let url = options.imageURL { image = try await intake.fetch(imageURL: url) }
        var path: URL?
        if let image { path = intake.inputs.path(for: try await intake.accept(imageBytes: image).ref) }
        let planner = services.planner
        let plan: JSONValue
        do {
            plan = try await NIOThreadPool.singleton.runIfActive { try planner.plan(generation, imagePath: path) }
        } catch let invalid as InvalidRequest {
            throw Problem.invalidField(invalid.field, invalid.message)
        } catch let error as PipelineError {
            throw Problem.invalidField("image", error.description)
        }
        return try Reply.json(["plan": plan])
    }

    /// Stores the presented key in an HttpOnly cookie for the web UI's media and event requests.
    @Sendable func startSession(_ request: Request, context: Context) async throws -> Response {
        var headers: HTTPFields = [:]
        if services.config.requiresAPIKey, let key = AuthMiddleware<Context>.presentedKey(request) {
            let value = key.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? key
            headers[.setCookie] = "\(AuthMiddleware<Context>.cookieName)=\(value); Path=/; HttpOnly; SameSite=Strict; Max-Age=2592000"
        }
        return try Reply.json(["authenticated": true], headers: headers)
    }

    @Sendable func endSession(_ request: Request, context: Context) async throws -> Response {
        var headers: HTTPFields = [:]
        headers[.setCookie] = "\(AuthMiddleware<Context>.cookieName)=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0"
        return Response(status: .noContent, headers: headers)
    }
}
