import XCTest
@testable import Jobs

/// Claiming, leases, heartbeats and fencing.
final class QueueTests: StoreTestCase {
    func testEnqueuedJobIsQueuedWithNoAttemptYet() async throws {
        let job = try await enqueue()
        XCTAssertEqual(job.state, .queued)
        XCTAssertEqual(job.attempt, 0)
        XCTAssertEqual(job.maxAttempts, 3)
        let position = try await store.queuePosition(of: job.id)
        XCTAssertEqual(position, 1)
    }

    func testHigherPriorityRunsFirstThenOldestFirst() async throws {
        let low = try await enqueue("low", priority: 0)
        let highOld = try await enqueue("high-old", priority: 5)
        let highNew = try await enqueue("high-new", priority: 5)
        let p1 = try await store.queuePosition(of: highOld.id)
        let p2 = try await store.queuePosition(of: highNew.id)
        let p3 = try await store.queuePosition(of: low.id)
        XCTAssertEqual([p1, p2, p3], [1, 2, 3])
        var order: [String] = []
        for _ in 0..<3 { order.append(try await claim().jobID) }
        XCTAssertEqual(order, [highOld.id, highNew.id, low.id])
        let none = try await store.claimNext(owner: "w", leaseDuration: 30)
        XCTAssertNil(none)
    }

    func testClaimStartsAttemptOneAndLeasesTheJob() async throws {
        let job = try await enqueue()
        let lease = try await claim(owner: "host:1", lease: 45)
        XCTAssertEqual(lease.jobID, job.id)
        XCTAssertEqual(lease.attempt, 1)
        XCTAssertEqual(lease.expiresAt, clock.now.addingTimeInterval(45))
        let stored = try await store.job(id: job.id)
        XCTAssertEqual(stored?.state, .running)
        XCTAssertEqual(stored?.leaseOwner, "host:1")
        let position = try await store.queuePosition(of: job.id)
        XCTAssertNil(position, "running jobs have no queue position")
    }

    func testConcurrentClaimersNeverClaimTheSameJobTwice() async throws {
        var ids: Set<String> = []
        for i in 0..<120 { ids.insert(try await enqueue("item \(i)").id) }
        // Two connections to the same file, as two processes would have, four claimers each.
        let stores = [store!, try openStore()]
        let claimed = try await withThrowingTaskGroup(of: [String].self) { group in
            for worker in 0..<8 {
                let store = stores[worker % 2]
                group.addTask {
                    var mine: [String] = []
                    while let lease = try await store.claimNext(owner: "w\(worker)", leaseDuration: 30) { mine.append(lease.jobID) }
                    return mine
                }
            }
            return try await group.reduce(into: [String]()) { $0 += $1 }
        }
        XCTAssertEqual(claimed.count, 120, "every job claimed exactly once")
        XCTAssertEqual(Set(claimed), ids)
    }

    func testHeartbeatExtendsTheLeaseAndStoresProgress() async throws {
        let job = try await enqueue()
        let lease = try await claim(lease: 30)
        clock.advance(20)
        let outcome = try await store.heartbeat(lease, progress: JobProgress(stage: "generating", fraction: 0.4, step: 4, totalSteps: 10), leaseDuration: 30)
        XCTAssertEqual(outcome, .extended(until: clock.now.addingTimeInterval(30), cancelRequested: false))
        clock.advance(20)  // 40 s after the claim: past the first lease, inside the extended one.
        let recovered = try await store.recoverExpiredLeases()
        XCTAssertTrue(recovered.isEmpty)
        let stored = try await store.job(id: job.id)
        XCTAssertEqual(stored?.progress?.step, 4)
        XCTAssertEqual(stored?.state, .running)
    }

    func testExpiredLeaseIsRequeuedAndTheNextClaimIsANewAttempt() async throws {
        let job = try await enqueue()
        _ = try await claim(lease: 30)
        clock.advance(31)
        let recovered = try await store.recoverExpiredLeases()
        XCTAssertEqual(recovered.map(\.job.id), [job.id])
        XCTAssertEqual(recovered.first?.job.state, .queued)
        XCTAssertEqual(recovered.first?.expiredAttempt, 1)
        let second = try await claim()
        XCTAssertEqual(second.attempt, 2)
    }

    func testStaleAttemptCannotOverwriteTheNewerAttemptsResult() async throws {
        let job = try await enqueue()
        let first = try await claim(owner: "zombie", lease: 30)
        clock.advance(31)
        _ = try await store.recoverExpiredLeases()
        let second = try await claim(owner: "fresh", lease: 30)

        let lostBeat = try await store.heartbeat(first, progress: nil, leaseDuration: 30)
        XCTAssertEqual(lostBeat, .lost)
        await XCTAssertThrowsErrorAsync(try await self.store.complete(first, result: "zombie")) {
            XCTAssertEqual($0 as? JobStoreError, .leaseLost(id: job.id, attempt: 1))
        }
        _ = try await store.complete(second, result: "fresh")
        // Even after the newer attempt finished, the zombie's writes are refused.
        await XCTAssertThrowsErrorAsync(try await self.store.complete(first, result: "zombie"))
        await XCTAssertThrowsErrorAsync(
            try await self.store.fail(first, failure: JobFailure(code: "engine_error", message: "x", retryable: true), retryPolicy: RetryPolicy()))
        await XCTAssertThrowsErrorAsync(try await self.store.acknowledgeCancel(first))
        await XCTAssertThrowsErrorAsync(try await self.store.release(first))
        let stored = try await store.job(id: job.id)
        XCTAssertEqual(stored?.state, .succeeded)
        XCTAssertEqual(stored?.result, "fresh")
        XCTAssertEqual(stored?.attempt, 2)
    }

    func testCompletingTwiceWithTheSameLeaseIsRefused() async throws {
        _ = try await enqueue()
        let lease = try await claim()
        _ = try await store.complete(lease, result: "one")
        await XCTAssertThrowsErrorAsync(try await self.store.complete(lease, result: "two"))
    }

    func testRestartRecoversEveryRunningLeaseAtOnce() async throws {
        let a = try await enqueue("a")
        let b = try await enqueue("b", maxAttempts: 1)
        _ = try await claim()
        _ = try await claim()
        // A new process opens the same file and recovers without waiting for expiry.
        let restarted = try openStore()
        let recovered = try await restarted.recoverAllLeases()
        XCTAssertEqual(Set(recovered.map(\.job.id)), [a.id, b.id])
        let stateA = try await restarted.job(id: a.id)?.state
        let failureB = try await restarted.job(id: b.id)?.failure
        XCTAssertEqual(stateA, .queued)
        XCTAssertEqual(failureB?.code, "lease_expired", "b had no attempts left")
        let again = try await restarted.claimNext(owner: "new", leaseDuration: 30)
        XCTAssertEqual(again?.jobID, a.id)
        XCTAssertEqual(again?.attempt, 2)
    }

    func testReleasedAttemptDoesNotCountAgainstTheBudget() async throws {
        let job = try await enqueue(maxAttempts: 1)
        let lease = try await claim()
        let released = try await store.release(lease)
        XCTAssertEqual(released.state, .queued)
        XCTAssertEqual(released.maxAttempts, 2)
        let again = try await claim()
        XCTAssertEqual(again.attempt, 2)
        let outcome = try await store.fail(again, failure: JobFailure(code: "engine_error", message: "x", retryable: true), retryPolicy: RetryPolicy())
        guard case .finished(let failed) = outcome else { return XCTFail("expected the job to fail: \(outcome)") }
        XCTAssertEqual(failed.id, job.id)
        XCTAssertEqual(failed.state, .failed)
    }

    func testJobsSurviveReopeningTheDatabase() async throws {
        let job = try await enqueue("durable")
        store = nil
        let reopened = try openStore()
        let stored = try await reopened.job(id: job.id)
        XCTAssertEqual(stored?.title, "durable")
        XCTAssertEqual(stored?.state, .queued)
    }
}
