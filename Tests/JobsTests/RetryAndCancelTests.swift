import XCTest
@testable import Jobs

/// Bounded retries with backoff, and cancellation of queued and running jobs.
final class RetryAndCancelTests: StoreTestCase {
    let engineError = JobFailure(code: "engine_error", message: "The engine failed.", retryable: true)
    let badInput = JobFailure(code: "bad_input", message: "The image is corrupt.", retryable: false)
    let policy = RetryPolicy(baseDelay: 10, maxDelay: 100, jitter: 0.25)

    func testRetryableFailureWaitsForTheBackoffBeforeTheNextAttempt() async throws {
        let job = try await enqueue()
        let lease = try await claim()
        let outcome = try await store.fail(lease, failure: engineError, retryPolicy: policy)
        let requeued = try await store.job(id: job.id)
        // unitRandom is 0.5 in tests, i.e. no jitter: 10 s after attempt 1.
        XCTAssertEqual(outcome, .willRetry(at: clock.now.addingTimeInterval(10), job: requeued!))
        XCTAssertEqual(requeued?.state, .queued)
        XCTAssertEqual(requeued?.failure, engineError, "the last failure stays visible while waiting")
        let early = try await store.claimNext(owner: "w", leaseDuration: 30)
        XCTAssertNil(early, "not claimable during backoff")
        clock.advance(10)
        let second = try await claim()
        XCTAssertEqual(second.attempt, 2)
        _ = try await store.fail(second, failure: engineError, retryPolicy: policy)
        clock.advance(19)
        let stillEarly = try await store.claimNext(owner: "w", leaseDuration: 30)
        XCTAssertNil(stillEarly, "the second backoff is 20 s")
        clock.advance(1)
        let third = try await claim()
        XCTAssertEqual(third.attempt, 3)
    }

    func testRetriesStopAtMaxAttempts() async throws {
        let job = try await enqueue(maxAttempts: 3)
        var outcomes: [FailOutcome] = []
        for _ in 1...3 {
            clock.advance(1000)
            let lease = try await claim()
            outcomes.append(try await store.fail(lease, failure: engineError, retryPolicy: policy))
        }
        guard case .finished(let final) = outcomes.last else { return XCTFail("expected a final failure") }
        XCTAssertEqual(final.state, .failed)
        XCTAssertEqual(final.attempt, 3)
        XCTAssertEqual(final.failure, engineError)
        clock.advance(1000)
        let none = try await store.claimNext(owner: "w", leaseDuration: 30)
        XCTAssertNil(none)
        let stored = try await state(job.id)
        XCTAssertEqual(stored, .failed)
    }

    func testBadInputIsNeverRetried() async throws {
        _ = try await enqueue(maxAttempts: 5)
        let lease = try await claim()
        let outcome = try await store.fail(lease, failure: badInput, retryPolicy: policy)
        guard case .finished(let job) = outcome else { return XCTFail("bad input must not be retried") }
        XCTAssertEqual(job.state, .failed)
        XCTAssertEqual(job.attempt, 1)
        XCTAssertEqual(job.failure?.code, "bad_input")
    }

    func testManualRetryRequeuesWithAFreshBudgetAndAHigherAttempt() async throws {
        let job = try await enqueue(maxAttempts: 1)
        let lease = try await claim()
        _ = try await store.fail(lease, failure: badInput, retryPolicy: policy)
        let retried = try await store.retry(id: job.id, maxAttempts: 2)
        XCTAssertEqual(retried.state, .queued)
        XCTAssertNil(retried.failure)
        XCTAssertEqual(retried.maxAttempts, 3)
        let again = try await claim()
        XCTAssertEqual(again.attempt, 2, "attempt numbers never repeat")
    }

    func testRetryingARunningOrSucceededJobIsAConflict() async throws {
        let job = try await enqueue()
        let lease = try await claim()
        await XCTAssertThrowsErrorAsync(try await self.store.retry(id: job.id, maxAttempts: 3)) {
            XCTAssertEqual($0 as? JobStoreError, .conflict(id: job.id, state: .running, action: "retry"))
        }
        _ = try await store.complete(lease, result: "{}")
        await XCTAssertThrowsErrorAsync(try await self.store.retry(id: job.id, maxAttempts: 3))
    }

    func testCancellingAQueuedJobIsImmediate() async throws {
        let job = try await enqueue()
        let outcome = try await store.requestCancel(id: job.id)
        guard case .cancelled(let cancelled) = outcome else { return XCTFail("expected immediate cancellation") }
        XCTAssertEqual(cancelled.state, .cancelled)
        XCTAssertNotNil(cancelled.finishedAt)
        let none = try await store.claimNext(owner: "w", leaseDuration: 30)
        XCTAssertNil(none)
    }

    func testCancellingARunningJobIsCooperative() async throws {
        let job = try await enqueue()
        let lease = try await claim()
        let outcome = try await store.requestCancel(id: job.id)
        guard case .requested(let requested) = outcome else { return XCTFail("expected a cancellation request") }
        XCTAssertEqual(requested.state, .running)
        let beat = try await store.heartbeat(lease, progress: nil, leaseDuration: 30)
        XCTAssertEqual(beat, .extended(until: clock.now.addingTimeInterval(30), cancelRequested: true))
        let cancelled = try await store.acknowledgeCancel(lease)
        XCTAssertEqual(cancelled.state, .cancelled)
    }

    func testAFailureAfterACancelRequestEndsCancelledNotRetried() async throws {
        let job = try await enqueue()
        let lease = try await claim()
        _ = try await store.requestCancel(id: job.id)
        let outcome = try await store.fail(lease, failure: engineError, retryPolicy: policy)
        guard case .finished(let final) = outcome else { return XCTFail("expected a terminal state") }
        XCTAssertEqual(final.state, .cancelled)
    }

    func testCancellingAFinishedJobIsAConflict() async throws {
        let job = try await enqueue()
        let lease = try await claim()
        _ = try await store.complete(lease, result: "{}")
        await XCTAssertThrowsErrorAsync(try await self.store.requestCancel(id: job.id)) {
            XCTAssertEqual($0 as? JobStoreError, .conflict(id: job.id, state: .succeeded, action: "cancel"))
        }
    }

    func testExpiredLeaseOfACancelRequestedJobEndsCancelled() async throws {
        let job = try await enqueue()
        _ = try await claim(lease: 30)
        _ = try await store.requestCancel(id: job.id)
        clock.advance(60)
        let recovered = try await store.recoverExpiredLeases()
        XCTAssertEqual(recovered.first?.job.state, .cancelled)
    }
}
