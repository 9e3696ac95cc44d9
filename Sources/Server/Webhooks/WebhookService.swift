import Foundation
import Jobs
import Logging
import ServiceLifecycle

/// Delivers the webhook outbox: POSTs each notification (signed, JSON), retrying failures with
/// backoff until `maxAttempts`. Delivery is at-least-once; `X-I2V-Delivery` lets receivers
/// drop duplicates.
public final class WebhookService: Service, Sendable {
    let store: any JobStore
    let client: SafeHTTPClient
    let signer: WebhookSigner
    let metrics: Metrics
    let maxAttempts: Int
    let logger: Logger
    let retry: RetryPolicy
    public let doorbell = Doorbell()
    let pollSeconds: Double = 1

    init(store: any JobStore, client: SafeHTTPClient, signer: WebhookSigner, metrics: Metrics, maxAttempts: Int, retryBaseSeconds: Double, logger: Logger) {
        self.retry = RetryPolicy(baseDelay: retryBaseSeconds, maxDelay: 3600, jitter: 0.25)
        self.store = store
        self.client = client
        self.signer = signer
        self.metrics = metrics
        self.maxAttempts = maxAttempts
        self.logger = logger
    }

    struct Payload: Encodable {
        var id: String
        var event: String
        var createdAt: Date
        var job: JobResource?
        var batch: BatchResource?
        enum CodingKeys: String, CodingKey {
            case id, event, job, batch
            case createdAt = "created_at"
        }
    }

    public func run() async throws {
        let stopping = Locked(false)
        try await withGracefulShutdownHandler {
            while !stopping.current {
                do {
                    let due = try await store.dueOutboxMessages(limit: 20)
                    for message in due where !stopping.current { await deliver(message) }
                    if due.isEmpty { await doorbell.wait(timeout: pollSeconds) }
                } catch {
                    logger.error("webhooks: \(error)")
                    await doorbell.wait(timeout: pollSeconds)
                }
            }
        } onGracefulShutdown: {
            stopping.withLock { $0 = true }
            self.doorbell.ring()
        }
    }

    func payload(for message: OutboxMessage) async throws -> Payload? {
        var payload = Payload(id: "whd_\(message.id)", event: message.event, createdAt: message.createdAt)
        switch message.subject {
        case .job(let id):
            guard let job = try await store.job(id: id) else { return nil }
            payload.job = JobResource(job, queuePosition: nil)
        case .batch(let id):
            guard let summary = try await store.batch(id: id) else { return nil }
            payload.batch = BatchResource(summary, jobs: nil)
        }
        return payload
    }

    func deliver(_ message: OutboxMessage) async {
        do {
            guard let payload = try await payload(for: message) else {
                try await store.markOutboxFailed(id: message.id, error: "subject deleted", retryAt: nil)
                return
            }
            let body = Array(try JSONCoding.encoder.encode(payload))
            guard let url = URL(string: message.url) else {
                try await store.markOutboxFailed(id: message.id, error: "invalid URL", retryAt: nil)
                return
            }
            let timestamp = Int(Date().timeIntervalSince1970)
            let headers = [
                ("Content-Type", "application/json"), (WebhookSigner.header, signer.signature(body: body, timestamp: timestamp)),
                ("X-I2V-Event", message.event), ("X-I2V-Delivery", payload.id),
            ]
            let failure: String?
            do {
                let response = try await client.send(.POST, url: url, headers: headers, body: body, maxBytes: 64 * 1024)
                failure = (200..<300).contains(response.status) ? nil : "HTTP \(response.status)"
            } catch let error as SafeHTTPClient.Failure {
                if case .refused(let why) = error {
                    metrics.countWebhook(outcome: "refused")
                    try await store.markOutboxFailed(id: message.id, error: why, retryAt: nil)
                    return
                }
                failure = error.description
            }
            if let failure {
                metrics.countWebhook(outcome: "failed")
                let attempts = message.attempts + 1
                let retryAt = attempts >= maxAttempts ? nil : Date().addingTimeInterval(retry.delay(afterAttempt: attempts, unit: Double.random(in: 0..<1)))
                logger.warning("webhook \(payload.id) to \(message.url) failed (\(failure)); \(retryAt == nil ? "giving up" : "retrying")")
                try await store.markOutboxFailed(id: message.id, error: failure, retryAt: retryAt)
            } else {
                metrics.countWebhook(outcome: "delivered")
                try await store.markOutboxDelivered(id: message.id)
            }
        } catch {
            logger.error("webhook \(message.id): \(error)")
        }
    }
}
