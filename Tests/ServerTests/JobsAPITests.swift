import Foundation
import Hummingbird
import HummingbirdTesting
import Jobs
import XCTest
@testable import Server

/// Submitting, reading, listing, cancelling, retrying and deleting jobs through the router.
final class JobsAPITests: XCTestCase {
    func testUploadedPhotoBecomesAQueuedJobThenASucceededOne() async throws {
        let server = try TestServer()
        let (app, _) = try server.build()
        try await app.test(.router) { client in
            let response = try await client.submit(.job(fields: ["title": "Ceramic Mug 350ml", "frames": "16", "outputs": "mp4,poster"]))
            XCTAssertEqual(response.status, .accepted)
            let job = response.jsonBody
            let id = try XCTUnwrap(job["id"]?.stringValue)
            XCTAssertEqual(response.headers[.location], "/api/v1/jobs/\(id)")
            XCTAssertTrue(["queued", "running", "succeeded"].contains(job["status"]?.stringValue ?? ""))
            XCTAssertEqual(job["links"]?["events"]?.stringValue, "/api/v1/jobs/\(id)/events")
            XCTAssertEqual(job["params"]?["frames"]?.doubleValue, 16)

            let done = try await client.waitForStatus(id, "succeeded")
            XCTAssertEqual(done["attempt"]?.doubleValue, 1)
            XCTAssertEqual(done["qc"]?["passed"]?.boolValue, true)
            XCTAssertEqual(done["plan"]?["template"]?.stringValue, "push-in")
            XCTAssertEqual(done["engine"]?.stringValue, "template")
            guard case .array(let files)? = done["files"] else { return XCTFail("files missing") }
            let names = files.compactMap { $0["name"]?.stringValue }
            XCTAssertEqual(Set(names), ["video.mp4", "poster.jpg", "plan.json", "qc.json"])
            let folder = try XCTUnwrap(done["outputs_folder"]?.stringValue)
            XCTAssertTrue(folder.hasSuffix("_\(id)_ceramic-mug-350ml"), folder)
            let published = server.config.outputsURL.appendingPathComponent(folder)
            let listing = try FileManager.default.contentsOfDirectory(atPath: published.path).sorted()
            XCTAssertEqual(listing, ["\(folder).mp4", "\(folder).poster.jpg", "plan.json", "qc.json"])
        }
    }

    func testSameImageAndParametersReturnTheExistingJob() async throws {
        let server = try TestServer()
        let (app, _) = try server.build()
        try await app.test(.router) { client in
            let first = try await client.submit(.job())
            let second = try await client.submit(.job())
            XCTAssertEqual(first.status, .accepted)
            XCTAssertEqual(second.status, .ok)
            XCTAssertEqual(second.headers[.idempotentReplay], "true")
            XCTAssertEqual(first.jsonBody["id"], second.jsonBody["id"])
            let other = try await client.submit(.job(fields: ["title": "Ceramic mug", "seed": "7"]))
            XCTAssertEqual(other.status, .accepted)
            XCTAssertNotEqual(other.jsonBody["id"], first.jsonBody["id"])
        }
    }

    func testIdempotencyKeyHeaderDeduplicatesDifferentBodies() async throws {
        let server = try TestServer()
        let (app, _) = try server.build()
        try await app.test(.router) { client in
            let a = try await client.submit(.job(fields: ["title": "A"]), headers: [.idempotencyKey: "order-17"])
            let b = try await client.submit(.job(fields: ["title": "B"]), headers: [.idempotencyKey: "order-17"])
            XCTAssertEqual(a.jsonBody["id"], b.jsonBody["id"])
            XCTAssertEqual(b.jsonBody["title"]?.stringValue, "A")
            let bad = try await client.submit(.job(), headers: [.idempotencyKey: String(repeating: "x", count: 300)])
            XCTAssertEqual(bad.status, .badRequest)
        }
    }

    func testCancellingAQueuedJobIsImmediateAndAFinishedOneConflicts() async throws {
        let server = try TestServer { $0.workers = 0 }
        let (app, _) = try server.build()
        try await app.test(.router) { client in
            let id = try await client.submit(.job()).jobID()
            let (cancel, cancelled) = try await client.json("/api/v1/jobs/\(id)/cancel", method: .post)
            XCTAssertEqual(cancel.status, .ok)
            XCTAssertEqual(cancelled["status"]?.stringValue, "cancelled")
            let (again, problem) = try await client.json("/api/v1/jobs/\(id)/cancel", method: .post)
            XCTAssertEqual(again.status, .conflict)
            XCTAssertEqual(again.headers[.contentType], "application/problem+json")
            XCTAssertEqual(problem["code"]?.stringValue, "job_cancelled")
        }
    }

    func testCancellingARunningJobStopsItBetweenSteps() async throws {
        let pipeline = ScriptedPipeline(gated: true)
        let server = try TestServer(pipeline: pipeline)
        let (app, _) = try server.build()
        try await app.test(.router) { client in
            let id = try await client.submit(.job()).jobID()
            _ = try await client.waitForStatus(id, "running")
            let (response, body) = try await client.json("/api/v1/jobs/\(id)/cancel", method: .post)
            XCTAssertEqual(response.status, .accepted)
            XCTAssertEqual(body["cancel_requested"]?.boolValue, true)
            let final = try await client.waitForStatus(id, "cancelled")
            XCTAssertEqual(final["files"], .array([]))
            let (conflict, _) = try await client.json("/api/v1/jobs/\(id)/cancel", method: .post)
            XCTAssertEqual(conflict.status, .conflict)
        }
    }

    func testRetryingAFailedJobRunsItAgain() async throws {
        let pipeline = ScriptedPipeline(failures: [1: .badInput("The photo is blank.")])
        let server = try TestServer(pipeline: pipeline)
        let (app, _) = try server.build()
        try await app.test(.router) { client in
            let id = try await client.submit(.job()).jobID()
            let failed = try await client.waitForStatus(id, "failed")
            XCTAssertEqual(failed["error"]?["code"]?.stringValue, "bad_input")
            XCTAssertEqual(failed["error"]?["message"]?.stringValue, "The photo is blank.")
            XCTAssertEqual(failed["attempt"]?.doubleValue, 1, "bad input is not retried")
            let (retry, _) = try await client.json("/api/v1/jobs/\(id)/retry", method: .post)
            XCTAssertEqual(retry.status, .accepted)
            let done = try await client.waitForStatus(id, "succeeded")
            XCTAssertEqual(done["attempt"]?.doubleValue, 2)
            let (again, problem) = try await client.json("/api/v1/jobs/\(id)/retry", method: .post)
            XCTAssertEqual(again.status, .conflict)
            XCTAssertEqual(problem["code"]?.stringValue, "job_succeeded")
        }
    }

    func testRetryableFailuresAreRetriedAndReplannedAfterQCFailure() async throws {
        let pipeline = ScriptedPipeline(failures: [1: .engineFailed("CUDA error"), 2: .qcFailed("too much jitter", report: nil)])
        let server = try TestServer(pipeline: pipeline)
        let (app, _) = try server.build()
        try await app.test(.router) { client in
            let id = try await client.submit(.job()).jobID()
            let done = try await client.waitForStatus(id, "succeeded")
            XCTAssertEqual(done["attempt"]?.doubleValue, 3)
            XCTAssertEqual(pipeline.attempts.map(\.previousFailure), [nil, "engine_error", "qc_failed"])
        }
    }

    func testAttemptsAreBoundedByMaxAttempts() async throws {
        let pipeline = ScriptedPipeline(failures: [1: .outOfMemory("oom"), 2: .outOfMemory("oom"), 3: .outOfMemory("oom")])
        let server = try TestServer(pipeline: pipeline) { $0.maxAttempts = 2 }
        let (app, _) = try server.build()
        try await app.test(.router) { client in
            let id = try await client.submit(.job()).jobID()
            let failed = try await client.waitForStatus(id, "failed")
            XCTAssertEqual(failed["attempt"]?.doubleValue, 2)
            XCTAssertEqual(failed["error"]?["code"]?.stringValue, "out_of_memory")
            XCTAssertEqual(pipeline.attempts.count, 2)
        }
    }

    func testDeleteRemovesAFinishedJobAndItsFiles() async throws {
        let server = try TestServer()
        let (app, _) = try server.build()
        try await app.test(.router) { client in
            let id = try await client.submit(.job()).jobID()
            let done = try await client.waitForStatus(id, "succeeded")
            let folder = try XCTUnwrap(done["outputs_folder"]?.stringValue)
            let response = try await client.execute(uri: "/api/v1/jobs/\(id)", method: .delete)
            XCTAssertEqual(response.status, .noContent)
            let (gone, problem) = try await client.json("/api/v1/jobs/\(id)")
            XCTAssertEqual(gone.status, .notFound)
            XCTAssertEqual(problem["code"]?.stringValue, "not_found")
            XCTAssertFalse(FileManager.default.fileExists(atPath: server.config.outputsURL.appendingPathComponent(folder).path))
            XCTAssertFalse(FileManager.default.fileExists(atPath: server.config.dataURL.appendingPathComponent("jobs/\(id)").path))
        }
    }

    func testDeletingARunningJobConflicts() async throws {
        let pipeline = ScriptedPipeline(gated: true)
        let server = try TestServer(pipeline: pipeline)
        let (app, _) = try server.build()
        try await app.test(.router) { client in
            let id = try await client.submit(.job()).jobID()
            _ = try await client.waitForStatus(id, "running")
            let (response, problem) = try await client.json("/api/v1/jobs/\(id)", method: .delete)
            XCTAssertEqual(response.status, .conflict)
            XCTAssertEqual(problem["code"]?.stringValue, "job_running")
            pipeline.openGate()
            _ = try await client.waitForStatus(id, "succeeded")
        }
    }

    func testListingFiltersByStatusAndPages() async throws {
        let server = try TestServer { $0.workers = 0 }
        let (app, _) = try server.build()
        try await app.test(.router) { client in
            var ids: [String] = []
            for i in 0..<5 { ids.append(try await client.submit(.job(fields: ["title": "Item \(i)"])).jobID()) }
            _ = try await client.json("/api/v1/jobs/\(ids[0])/cancel", method: .post)
            let (_, page1) = try await client.json("/api/v1/jobs?status=queued&limit=3")
            guard case .array(let first)? = page1["jobs"] else { return XCTFail("no jobs") }
            XCTAssertEqual(first.compactMap { $0["id"]?.stringValue }, [ids[4], ids[3], ids[2]])
            let cursor = try XCTUnwrap(page1["next_cursor"]?.stringValue)
            let (_, page2) = try await client.json("/api/v1/jobs?status=queued&limit=3&cursor=\(cursor)")
            guard case .array(let second)? = page2["jobs"] else { return XCTFail("no jobs") }
            XCTAssertEqual(second.compactMap { $0["id"]?.stringValue }, [ids[1]])
            let (_, cancelled) = try await client.json("/api/v1/jobs?state=cancelled")
            guard case .array(let c)? = cancelled["jobs"] else { return XCTFail("no jobs") }
            XCTAssertEqual(c.compactMap { $0["id"]?.stringValue }, [ids[0]])
            let (bad, problem) = try await client.json("/api/v1/jobs?status=done")
            XCTAssertEqual(bad.status, .badRequest)
            XCTAssertEqual(problem["field"]?.stringValue, "state")
        }
    }

    func testQueuePositionFollowsPriorityAndOrder() async throws {
        let server = try TestServer { $0.workers = 0 }
        let (app, _) = try server.build()
        try await app.test(.router) { client in
            let a = try await client.submit(.job(fields: ["title": "A"])).jsonBody
            let b = try await client.submit(.job(fields: ["title": "B", "priority": "5"])).jsonBody
            XCTAssertEqual(a["queue_position"]?.doubleValue, 1)
            XCTAssertEqual(b["queue_position"]?.doubleValue, 1, "higher priority goes first")
            let (_, aNow) = try await client.json("/api/v1/jobs/\(a["id"]!.stringValue!)")
            XCTAssertEqual(aNow["queue_position"]?.doubleValue, 2)
        }
    }

    func testRerunMakesANewJobFromTheSamePhotoWithOverrides() async throws {
        let server = try TestServer()
        let (app, _) = try server.build()
        try await app.test(.router) { client in
            let id = try await client.submit(.job(fields: ["title": "Lamp", "frames": "12"])).jobID()
            _ = try await client.waitForStatus(id, "succeeded")
            let (response, rerun) = try await client.json("/api/v1/jobs/\(id)/rerun", method: .post, body: #"{"seed": 99}"#)
            XCTAssertEqual(response.status, .accepted)
            let newID = try XCTUnwrap(rerun["id"]?.stringValue)
            XCTAssertNotEqual(newID, id)
            XCTAssertEqual(rerun["params"]?["seed"]?.doubleValue, 99)
            XCTAssertEqual(rerun["params"]?["frames"]?.doubleValue, 12, "other parameters are kept")
            _ = try await client.waitForStatus(newID, "succeeded")
            let (bad, problem) = try await client.json("/api/v1/jobs/\(id)/rerun", method: .post, body: #"{"frames": 99}"#)
            XCTAssertEqual(bad.status, .badRequest)
            XCTAssertEqual(problem["field"]?.stringValue, "frames")
        }
    }
}
