import XCTest
@testable import Jobs

/// Webhook notifications are written with the state change they announce.
final class OutboxTests: StoreTestCase {
    func testTerminalTransitionOfAJobWithAWebhookWritesOneMessage() async throws {
        let job = try await enqueue(webhook: "https://hooks.example/j")
        let lease = try await claim()
        let none = try await store.dueOutboxMessages(limit: 10)
        XCTAssertTrue(none.isEmpty, "no message while running")
        _ = try await store.complete(lease, result: "{}")
        let messages = try await store.dueOutboxMessages(limit: 10)
        XCTAssertEqual(messages.count, 1)
        XCTAssertEqual(messages.first?.subject, .job(job.id))
        XCTAssertEqual(messages.first?.event, "job.succeeded")
        XCTAssertEqual(messages.first?.url, "https://hooks.example/j")
    }

    func testJobsWithoutWebhooksWriteNoMessages() async throws {
        _ = try await store.complete(try await claim(from: try await enqueue()), result: "{}")
        let messages = try await store.dueOutboxMessages(limit: 10)
        XCTAssertTrue(messages.isEmpty)
    }

    func testFailedDeliveriesAreRetriedLaterAndCanBeGivenUp() async throws {
        let job = try await enqueue(webhook: "https://hooks.example/j")
        _ = try await store.requestCancel(id: job.id)
        let message = try await store.dueOutboxMessages(limit: 1)[0]
        XCTAssertEqual(message.event, "job.cancelled")
        try await store.markOutboxFailed(id: message.id, error: "HTTP 500", retryAt: clock.now.addingTimeInterval(30))
        let notYet = try await store.dueOutboxMessages(limit: 1)
        XCTAssertTrue(notYet.isEmpty)
        clock.advance(30)
        let retried = try await store.dueOutboxMessages(limit: 1)
        XCTAssertEqual(retried.first?.attempts, 1)
        try await store.markOutboxFailed(id: message.id, error: "HTTP 500", retryAt: nil)
        clock.advance(1000)
        let givenUp = try await store.dueOutboxMessages(limit: 1)
        XCTAssertTrue(givenUp.isEmpty)
    }

    func testDeliveredMessagesAreNotSentAgain() async throws {
        let job = try await enqueue(webhook: "https://hooks.example/j")
        _ = try await store.requestCancel(id: job.id)
        let message = try await store.dueOutboxMessages(limit: 1)[0]
        try await store.markOutboxDelivered(id: message.id)
        let stats = try await store.stats()
        XCTAssertEqual(stats.pendingWebhooks, 0)
        let due = try await store.dueOutboxMessages(limit: 1)
        XCTAssertTrue(due.isEmpty)
    }

    private func claim(from job: Job) async throws -> Lease {
        let lease = try await claim()
        XCTAssertEqual(lease.jobID, job.id)
        return lease
    }
}
