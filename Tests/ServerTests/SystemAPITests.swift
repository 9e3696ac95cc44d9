import Foundation
import Hummingbird
import HummingbirdTesting
import XCTest
@testable import Server

/// Health, metrics, OpenAPI, templates, planning, authentication and CORS.
final class SystemAPITests: XCTestCase {
    func testHealthReportsEnginesQueueAndStatus() async throws {
        let pipeline = ScriptedPipeline(engines: [
            EngineStatus(name: "template", state: .ready, detail: "procedural renderer"),
            EngineStatus(name: "i2vgen-xl", state: .unavailable, detail: "no weights in Models/i2vgen-xl"),
        ])
        let server = try TestServer(pipeline: pipeline)
        let (app, _) = try server.build()
        try await app.test(.router) { client in
            let (response, health) = try await client.json("/healthz")
            XCTAssertEqual(response.status, .ok)
            XCTAssertEqual(health["status"]?.stringValue, "degraded")
            XCTAssertEqual(health["reason"]?.stringValue, "i2vgen-xl: no weights in Models/i2vgen-xl")
            XCTAssertEqual(health["auth_required"]?.boolValue, false)
            XCTAssertEqual(health["queue"]?["queued"]?.doubleValue, 0)
            pipeline.setEngines([EngineStatus(name: "i2vgen-xl", state: .loading, detail: "loading weights")])
            let (loading, body) = try await client.json("/healthz")
            XCTAssertEqual(loading.status, .serviceUnavailable)
            XCTAssertEqual(body["status"]?.stringValue, "loading")
            pipeline.setEngines([EngineStatus(name: "template", state: .ready, detail: ""), EngineStatus(name: "i2vgen-xl", state: .ready, detail: "")])
            let (_, ready) = try await client.json("/healthz")
            XCTAssertEqual(ready["status"]?.stringValue, "ready")
        }
    }

    func testHealthAssessment() {
        let ready = EngineStatus(name: "template", state: .ready, detail: "")
        XCTAssertEqual(SystemController<AppContext>.assess(engines: [ready], workers: 1).status, "ready")
        XCTAssertEqual(SystemController<AppContext>.assess(engines: [ready], workers: 0).status, "degraded")
        XCTAssertEqual(SystemController<AppContext>.assess(engines: [EngineStatus(name: "t", state: .failed, detail: "x")], workers: 1).status, "degraded")
    }

    func testMetricsArePrometheusText() async throws {
        let server = try TestServer()
        let (app, _) = try server.build()
        try await app.test(.router) { client in
            let id = try await client.submit(.job()).jobID()
            _ = try await client.waitForStatus(id, "succeeded")
            let response = try await client.execute(uri: "/metrics", method: .get)
            XCTAssertEqual(response.headers[.contentType], "text/plain; version=0.0.4; charset=utf-8")
            let text = response.text
            for line in ["i2v_queue_depth 0", "i2v_jobs{state=\"succeeded\"} 1", "i2v_oldest_queued_age_seconds 0",
                         "i2v_attempts_total{outcome=\"succeeded\"} 1", "# TYPE i2v_step_seconds histogram", "i2v_engine_busy_ratio "] {
                XCTAssertTrue(text.contains(line), "missing \(line) in\n\(text)")
            }
            let count = text.split(separator: "\n").first { $0.hasPrefix("i2v_step_seconds_count ") }
            XCTAssertEqual(count, "i2v_step_seconds_count 3", "steps 2…4 of the four are timed")
        }
    }

    func testOpenAPIDocumentIsServed() async throws {
        let server = try TestServer()
        let (app, _) = try server.build()
        try await app.test(.router) { client in
            let response = try await client.execute(uri: "/openapi.yaml", method: .get)
            XCTAssertEqual(response.status, .ok)
            XCTAssertEqual(response.headers[.contentType], "application/yaml; charset=utf-8")
            XCTAssertTrue(response.text.hasPrefix("openapi: 3.1"))
            for path in ["/api/v1/jobs:", "/api/v1/jobs/{id}/events:", "/api/v1/batches/{id}/archive:", "/api/v1/plan:", "/healthz:", "/metrics:"] {
                XCTAssertTrue(response.text.contains(path), path)
            }
        }
    }

    func testTemplatesAndPlanning() async throws {
        let server = try TestServer()
        let (app, _) = try server.build()
        try await app.test(.router) { client in
            let (_, templates) = try await client.json("/api/v1/templates")
            guard case .array(let list)? = templates["templates"] else { return XCTFail("no templates") }
            XCTAssertEqual(list.compactMap { $0["id"]?.stringValue }, ["push-in", "orbit"])
            let (_, plan) = try await client.json("/api/v1/plan", method: .post, body: #"{"title":"Trail running shoe"}"#)
            XCTAssertEqual(plan["plan"]?["category"]?.stringValue, "shoes")
            XCTAssertEqual(plan["plan"]?["has_image"]?.boolValue, false)
            var form = MultipartBody.job(fields: ["title": "Mug", "template": "orbit"])
            form.field("resolution", "768p")
            let withImage = try await client.execute(uri: "/api/v1/plan", method: .post, headers: [.contentType: form.contentType], body: form.finished)
            XCTAssertEqual(withImage.jsonBody["plan"]?["template"]?.stringValue, "orbit")
            XCTAssertEqual(withImage.jsonBody["plan"]?["has_image"]?.boolValue, true)
            let (bad, problem) = try await client.json("/api/v1/plan", method: .post, body: #"{"title":"x","template":"nope"}"#)
            XCTAssertEqual(bad.status, .badRequest)
            XCTAssertEqual(problem["field"]?.stringValue, "template")
        }
    }

    func testKeysAreRequiredBeyondLoopback() async throws {
        let server = try TestServer { $0.host = "0.0.0.0" }
        XCTAssertThrowsError(try server.build(), "refuses to start without keys")
        server.apiKeys = ["k-123456"]
        let (app, _) = try server.build()
        try await app.test(.router) { client in
            let (denied, problem) = try await client.json("/api/v1/jobs")
            XCTAssertEqual(denied.status, .unauthorized)
            XCTAssertEqual(problem["code"]?.stringValue, "unauthorized")
            XCTAssertEqual(denied.headers[.wwwAuthenticate], "Bearer realm=\"i2v\"")
            let (wrong, _) = try await client.json("/api/v1/jobs", headers: [.authorization: "Bearer k-000000"])
            XCTAssertEqual(wrong.status, .unauthorized)
            let (allowed, _) = try await client.json("/api/v1/jobs", headers: [.authorization: "Bearer k-123456"])
            XCTAssertEqual(allowed.status, .ok)
            let (metrics, _) = try await client.json("/metrics")
            XCTAssertEqual(metrics.status, .unauthorized)
            let (health, body) = try await client.json("/healthz")
            XCTAssertEqual(health.status, .ok, "health stays public for load balancers")
            XCTAssertEqual(body["auth_required"]?.boolValue, true)
            let page = try await client.execute(uri: "/", method: .get)
            XCTAssertEqual(page.status, .ok, "the UI loads and asks for the key")

            let session = try await client.execute(uri: "/api/v1/session", method: .post, headers: [.authorization: "Bearer k-123456"])
            let cookie = try XCTUnwrap(session.headers[.setCookie])
            XCTAssertTrue(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"))
            let pair = String(cookie.split(separator: ";")[0])
            let (viaCookie, _) = try await client.json("/api/v1/jobs", headers: [.cookie: pair])
            XCTAssertEqual(viaCookie.status, .ok)
        }
    }

    func testCORSIsOffByDefaultAndOnlyForListedOrigins() async throws {
        let closed = try TestServer()
        let (app, _) = try closed.build()
        try await app.test(.router) { client in
            let response = try await client.execute(uri: "/api/v1/jobs", method: .get, headers: [.origin: "https://shop.example"])
            XCTAssertNil(response.headers[.accessControlAllowOrigin])
        }
        let open = try TestServer { $0.corsOrigins = ["https://shop.example"] }
        let (openApp, _) = try open.build()
        try await openApp.test(.router) { client in
            let allowed = try await client.execute(uri: "/api/v1/jobs", method: .get, headers: [.origin: "https://shop.example"])
            XCTAssertEqual(allowed.headers[.accessControlAllowOrigin], "https://shop.example")
            let other = try await client.execute(uri: "/api/v1/jobs", method: .get, headers: [.origin: "https://evil.example"])
            XCTAssertNil(other.headers[.accessControlAllowOrigin])
            let preflight = try await client.execute(
                uri: "/api/v1/jobs", method: .options, headers: [.origin: "https://shop.example", .accessControlRequestMethod: "POST"])
            XCTAssertEqual(preflight.status, .noContent)
            XCTAssertTrue(preflight.headers[.accessControlAllowHeaders]?.contains("Idempotency-Key") ?? false)
        }
    }

    func testWebUIIsServedWithSecurityHeaders() async throws {
        let server = try TestServer()
        let (app, _) = try server.build()
        try await app.test(.router) { client in
            let page = try await client.execute(uri: "/", method: .get)
            XCTAssertEqual(page.status, .ok)
            XCTAssertTrue(page.headers[.contentType]?.hasPrefix("text/html") ?? false)
            XCTAssertNotNil(page.headers[.contentSecurityPolicy])
            XCTAssertEqual(page.headers[.xContentTypeOptions], "nosniff")
            XCTAssertTrue(page.text.contains("<html"))
        }
    }
}
