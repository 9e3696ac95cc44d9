import Foundation
import Jobs
import Logging
import XCTest
@testable import Server

/// Retention (`retention_days`, off by default) deletes finished jobs, their outputs, and the
/// uploaded originals no remaining job uses — never an original a live job or a fresh upload
/// shares (originals are named by content, so jobs share them).
final class RetentionTests: XCTestCase {
    var root: URL!

    override func setUpWithError() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("i2v-retention-\(UUID().uuidString)")
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: root) }

    func testRetentionDeletesOriginalsNoRemainingJobUsesAndKeepsSharedAndFreshOnes() async throws {
        let day = 86_400.0
        let now = Date()
        let layout = StorageLayout(data: root.appendingPathComponent("data"), outputs: root.appendingPathComponent("outputs"))
        try layout.createDirectories()
        let clock = Locked(now.addingTimeInterval(-20 * day))
        let store = try SQLiteJobStore(path: layout.database.path, clock: { clock.current })
        let inputs = InputStore(layout: layout)
        func upload(_ name: String) throws -> String {
            let bytes = Fixtures.bytes(name)
            return try inputs.store(bytes, info: try ImageSniffer.inspect(bytes)).ref
        }
        func exists(_ ref: String) -> Bool { FileManager.default.fileExists(atPath: inputs.path(for: ref)!.path) }
        func enqueue(_ title: String, _ ref: String) async throws -> Job {
            try await store.enqueue(NewJob(title: title, payload: "{}", inputRef: ref, priority: 0, idempotencyKey: nil, webhookURL: nil, maxAttempts: 1)).job
        }

        let alone = try upload("product.png"), shared = try upload("product.jpg"), orphan = try upload("product.webp")
        let recent = try upload("lossless.webp"), reuploaded = try upload("mug.jpg")
        // Every original was uploaded 30 days ago.
        for ref in [alone, shared, orphan, recent, reuploaded] {
            try FileManager.default.setAttributes([.modificationDate: now.addingTimeInterval(-30 * day)], ofItemAtPath: inputs.path(for: ref)!.path)
        }
        // 20 days ago: a job of `alone` and two of `shared` were submitted; one of each finished.
        let oldAlone = try await enqueue("alone", alone)
        let oldShared = try await enqueue("shared, finished", shared)
        let liveShared = try await enqueue("shared, still queued", shared)
        let oldReuploaded = try await enqueue("re-uploaded", reuploaded)
        for job in [oldAlone, oldShared, oldReuploaded] { _ = try await store.requestCancel(id: job.id) }
        // Yesterday: a job of `recent` finished.
        clock.withLock { $0 = now.addingTimeInterval(-day) }
        let recentJob = try await enqueue("recent", recent)
        _ = try await store.requestCancel(id: recentJob.id)
        // Just now the same photo as `reuploaded` came in again; its job is about to be created.
        XCTAssertEqual(try upload("mug.jpg"), reuploaded)
        // `orphan` was stored but its submission never became a job.

        let maintenance = MaintenanceService(
            store: store, committer: OutputCommitter(layout: layout), inputs: inputs, hub: EventHub(), doorbell: Doorbell(), leaseSeconds: 5,
            retentionDays: 7, recoverAllOnStart: false, logger: Logger(label: "test"))
        try await maintenance.purge(before: now.addingTimeInterval(-7 * day), days: 7)

        let remaining = Set(try await store.jobs(JobQuery()).jobs.map(\.id))
        XCTAssertEqual(remaining, [liveShared.id, recentJob.id])
        XCTAssertFalse(exists(alone), "its only job was purged")
        XCTAssertFalse(exists(orphan), "no job ever used it")
        XCTAssertTrue(exists(shared), "a queued job still uses it")
        XCTAssertTrue(exists(recent), "its job finished within the retention period")
        XCTAssertTrue(exists(reuploaded), "it was uploaded again since the cutoff")
        // A re-run of a purged job's photo finds it gone; a kept one is touched and kept.
        XCTAssertFalse(inputs.retain(alone))
        XCTAssertTrue(inputs.retain(shared))

        // Nothing else in the uploads folder is touched.
        let stray = layout.uploads.appendingPathComponent("notes.txt")
        try Data("operator's file".utf8).write(to: stray)
        try FileManager.default.setAttributes([.modificationDate: now.addingTimeInterval(-30 * day)], ofItemAtPath: stray.path)
        try await maintenance.purge(before: now.addingTimeInterval(-7 * day), days: 7)
        XCTAssertTrue(FileManager.default.fileExists(atPath: stray.path))
    }

    func testAnInputStoredAgainConcurrentlyWithASweepIsNeverLost() throws {
        let layout = StorageLayout(data: root.appendingPathComponent("data"), outputs: root.appendingPathComponent("outputs"))
        try layout.createDirectories()
        let inputs = InputStore(layout: layout)
        let bytes = Fixtures.bytes("product.png")
        let info = try ImageSniffer.inspect(bytes)
        let ref = try inputs.store(bytes, info: info).ref
        let path = inputs.path(for: ref)!.path
        let old = Date().addingTimeInterval(-30 * 86_400)
        // A sweep that decided (before the upload) to delete the file, racing the upload: either
        // the sweep loses (the upload touched the file first) or the upload writes it anew.
        for _ in 0..<50 {
            try FileManager.default.setAttributes([.modificationDate: old], ofItemAtPath: path)
            DispatchQueue.concurrentPerform(iterations: 2) { i in
                if i == 0 { inputs.remove(ref, ifUntouchedSince: Date().addingTimeInterval(-86_400)) } else { _ = try? inputs.store(bytes, info: info) }
            }
            XCTAssertTrue(FileManager.default.fileExists(atPath: path))
        }
    }
}
