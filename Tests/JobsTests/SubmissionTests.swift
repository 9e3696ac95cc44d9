import XCTest
@testable import Jobs

/// Idempotency, batches, listing, deletion and retention.
final class SubmissionTests: StoreTestCase {
    func testSameIdempotencyKeyReturnsTheExistingJob() async throws {
        let first = try await store.enqueue(newJob(key: "k-1"))
        let second = try await store.enqueue(newJob("another title", key: "k-1"))
        guard case .created(let created) = first, case .existing(let existing) = second else {
            return XCTFail("expected created then existing: \(first), \(second)")
        }
        XCTAssertEqual(created.id, existing.id)
        let page = try await store.jobs(JobQuery())
        XCTAssertEqual(page.jobs.count, 1)
    }

    func testConcurrentSubmissionsWithOneKeyCreateOneJob() async throws {
        let store = self.store!
        let template = newJob(key: "same")
        let ids = try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<20 { group.addTask { try await store.enqueue(template).job.id } }
            return try await group.reduce(into: Set<String>()) { $0.insert($1) }
        }
        XCTAssertEqual(ids.count, 1)
    }

    func testAFailedJobGivesItsKeyToTheNextSubmission() async throws {
        let first = try await enqueue(key: "k")
        let lease = try await claim()
        _ = try await store.fail(lease, failure: JobFailure(code: "bad_input", message: "x", retryable: false), retryPolicy: RetryPolicy())
        let second = try await store.enqueue(newJob(key: "k"))
        guard case .created(let job) = second else { return XCTFail("a failed job must not block a new submission") }
        XCTAssertNotEqual(job.id, first.id)
        XCTAssertEqual(job.idempotencyKey, "k")
        let old = try await store.job(id: first.id)
        XCTAssertNil(old?.idempotencyKey)
    }

    func testASucceededJobKeepsItsKey() async throws {
        let first = try await enqueue(key: "k")
        _ = try await store.complete(try await claim(), result: "{}")
        let again = try await store.enqueue(newJob(key: "k"))
        let stored = try await store.job(id: first.id)
        XCTAssertEqual(again, .existing(stored!))
    }

    func testListingFiltersByStateAndPagesNewestFirst() async throws {
        var ids: [String] = []
        for i in 0..<7 { ids.append(try await enqueue("item \(i)").id) }
        _ = try await store.complete(try await claim(), result: "{}")  // item 0
        let queued = try await store.jobs(JobQuery(states: [.queued], limit: 4))
        XCTAssertEqual(queued.jobs.map(\.id), Array(ids[3...6].reversed()))
        let rest = try await store.jobs(JobQuery(states: [.queued], limit: 4, cursor: queued.nextCursor))
        XCTAssertEqual(rest.jobs.map(\.id), Array(ids[1...2].reversed()))
        XCTAssertNil(rest.nextCursor)
        let done = try await store.jobs(JobQuery(states: [.succeeded]))
        XCTAssertEqual(done.jobs.map(\.id), [ids[0]])
        let byTitle = try await store.jobs(JobQuery(titleContains: "ITEM 5"))
        XCTAssertEqual(byTitle.jobs.map(\.id), [ids[5]])
    }

    func testMalformedCursorIsRejected() async throws {
        await XCTAssertThrowsErrorAsync(try await self.store.jobs(JobQuery(cursor: "abc")))
    }

    func testBatchTracksItsJobsAndCompletesOnce() async throws {
        let (batch, outcomes) = try await store.createBatch(
            NewBatch(title: "catalogue", webhookURL: "https://hooks.example/b"), jobs: [newJob("a"), newJob("b")])
        XCTAssertEqual(batch.itemCount, 2)
        XCTAssertTrue(outcomes.allSatisfy { $0.job.batchID == batch.id })
        let open = try await store.batch(id: batch.id)
        XCTAssertEqual(open?.counts[.queued], 2)
        XCTAssertNil(open?.batch.completedAt)

        _ = try await store.complete(try await claim(), result: "{}")
        let half = try await store.batch(id: batch.id)
        XCTAssertEqual(half?.finished, 1)
        XCTAssertNil(half?.batch.completedAt)
        _ = try await store.fail(try await claim(), failure: JobFailure(code: "bad_input", message: "x", retryable: false), retryPolicy: RetryPolicy())
        let done = try await store.batch(id: batch.id)
        XCTAssertEqual(done?.counts[.succeeded], 1)
        XCTAssertEqual(done?.counts[.failed], 1)
        XCTAssertNotNil(done?.batch.completedAt)
        let messages = try await store.dueOutboxMessages(limit: 10)
        XCTAssertEqual(messages.map(\.event), ["batch.completed"])
        XCTAssertEqual(messages.first?.subject, .batch(batch.id))

        let listed = try await store.jobs(JobQuery(batchID: batch.id))
        XCTAssertEqual(listed.jobs.count, 2)
    }

    func testAnEmptyBatchIsRejected() async throws {
        await XCTAssertThrowsErrorAsync(try await self.store.createBatch(NewBatch(title: "x"), jobs: []))
    }

    func testDeletingARunningJobIsAConflictButFinishedJobsGo() async throws {
        let job = try await enqueue()
        let lease = try await claim()
        await XCTAssertThrowsErrorAsync(try await self.store.delete(id: job.id)) {
            XCTAssertEqual($0 as? JobStoreError, .conflict(id: job.id, state: .running, action: "delete"))
        }
        _ = try await store.complete(lease, result: "{}")
        let deleted = try await store.delete(id: job.id)
        XCTAssertEqual(deleted.id, job.id)
        let gone = try await store.job(id: job.id)
        XCTAssertNil(gone)
        await XCTAssertThrowsErrorAsync(try await self.store.delete(id: job.id)) {
            XCTAssertEqual($0 as? JobStoreError, .notFound(job.id))
        }
    }

    func testRetentionPurgesOnlyJobsFinishedBeforeTheCutoff() async throws {
        let old = try await enqueue("old")
        _ = try await store.complete(try await claim(), result: "{}")
        clock.advance(86_400 * 10)
        let recent = try await enqueue("recent")
        _ = try await store.complete(try await claim(), result: "{}")
        let waiting = try await enqueue("waiting")
        let purged = try await store.purgeFinished(before: clock.now.addingTimeInterval(-86_400))
        XCTAssertEqual(purged.map(\.id), [old.id])
        let remaining = try await store.jobs(JobQuery()).jobs.map(\.id)
        XCTAssertEqual(Set(remaining), [recent.id, waiting.id])
    }

    func testInputsInUseAreThoseAnyRemainingJobReferences() async throws {
        func job(_ title: String, input: String) -> NewJob {
            NewJob(title: title, payload: #"{"title":"\#(title)"}"#, inputRef: input, priority: 0, idempotencyKey: nil, webhookURL: nil, maxAttempts: 1)
        }
        _ = try await store.enqueue(job("a, first", input: "a.png"))
        _ = try await store.complete(try await claim(), result: "{}")
        _ = try await store.enqueue(job("a, second", input: "a.png"))
        _ = try await store.enqueue(job("b, stays queued", input: "b.png"))
        clock.advance(1)
        let inUse = try await store.inputsInUse(["a.png", "b.png", "c.png"])
        XCTAssertEqual(inUse, ["a.png", "b.png"])
        // Once both jobs of a.png are purged, only b.png is in use.
        _ = try await store.complete(try await claim(), result: "{}")  // "a, second" (older than "b")
        clock.advance(1)
        let purged = try await store.purgeFinished(before: clock.now)
        XCTAssertEqual(Set(purged.map(\.title)), ["a, first", "a, second"])
        let afterPurge = try await store.inputsInUse(["a.png", "b.png"])
        XCTAssertEqual(afterPurge, ["b.png"])
        let none = try await store.inputsInUse([])
        XCTAssertEqual(none, [])
        // Many at once (beyond SQLite's bound-parameter limit per statement).
        let many = (0..<1200).map { "x\($0).png" } + ["b.png"]
        let fromMany = try await store.inputsInUse(many)
        XCTAssertEqual(fromMany, ["b.png"])
    }

    func testStatsCountStatesAndTheOldestQueuedJob() async throws {
        let first = try await enqueue()
        clock.advance(5)
        _ = try await enqueue()
        _ = try await enqueue()
        _ = try await claim()  // takes `first`
        let stats = try await store.stats()
        XCTAssertEqual(stats.counts[.queued], 2)
        XCTAssertEqual(stats.counts[.running], 1)
        XCTAssertEqual(stats.counts[.succeeded], 0)
        XCTAssertEqual(stats.oldestQueuedAt, first.createdAt.addingTimeInterval(5))
    }
}
