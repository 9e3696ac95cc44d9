import Foundation
import XCTest
@testable import Jobs

/// A clock tests move by hand, so lease expiry and backoff need no sleeping.
final class TestClock: @unchecked Sendable {
    private let lock = NSLock()
    private var current = Date(timeIntervalSince1970: 1_800_000_000)

    var now: Date { lock.withLock { current } }
    func advance(_ seconds: TimeInterval) { lock.withLock { current += seconds } }
}

/// A fresh database file in a temporary directory, removed by `tearDown`.
class StoreTestCase: XCTestCase {
    var directory: URL!
    var clock: TestClock!
    var store: SQLiteJobStore!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("i2v-jobs-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        clock = TestClock()
        store = try openStore()
    }

    override func tearDownWithError() throws {
        store = nil
        try? FileManager.default.removeItem(at: directory)
    }

    /// Another connection to the same file, as a second process would open it.
    func openStore(random: Double = 0.5) throws -> SQLiteJobStore {
        let clock = self.clock!
        return try SQLiteJobStore(
            path: directory.appendingPathComponent("jobs.sqlite").path, clock: { clock.now }, unitRandom: { random })
    }

    func newJob(_ title: String = "Ceramic mug", priority: Int = 0, key: String? = nil, webhook: String? = nil, maxAttempts: Int = 3) -> NewJob {
        NewJob(
            title: title, payload: #"{"title":"\#(title)"}"#, inputRef: "sha256-abc", priority: priority,
            idempotencyKey: key, webhookURL: webhook, maxAttempts: maxAttempts)
    }

    @discardableResult
    func enqueue(_ title: String = "Ceramic mug", priority: Int = 0, key: String? = nil, webhook: String? = nil, maxAttempts: Int = 3) async throws -> Job {
        try await store.enqueue(newJob(title, priority: priority, key: key, webhook: webhook, maxAttempts: maxAttempts)).job
    }

    func claim(owner: String = "worker-1", lease: TimeInterval = 30) async throws -> Lease {
        guard let lease = try await store.claimNext(owner: owner, leaseDuration: lease) else {
            XCTFail("expected a claimable job")
            throw JobStoreError.invalid("no claimable job")
        }
        return lease
    }

    func state(_ id: String) async throws -> JobState? { try await store.job(id: id)?.state }
}

func XCTAssertThrowsErrorAsync<T>(
    _ expression: @autoclosure () async throws -> T, _ check: (Error) -> Void = { _ in },
    file: StaticString = #filePath, line: UInt = #line
) async {
    do {
        _ = try await expression()
        XCTFail("expected an error", file: file, line: line)
    } catch {
        check(error)
    }
}
