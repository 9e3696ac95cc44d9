import Foundation
import Jobs
import Logging

/// The pieces a running server is made of, built once by `buildApplication` and shared by the
/// controllers and services.
public final class AppServices: Sendable {
    public let config: ServerConfig
    public let layout: StorageLayout
    public let store: any JobStore
    public let pipeline: any JobPipeline
    public let planner: any PlanningService
    public let hub: EventHub
    public let metrics: Metrics
    public let doorbell: Doorbell
    public let committer: OutputCommitter
    public let worker: WorkerService
    public let webhooks: WebhookService
    public let maintenance: MaintenanceService
    let intake: Intake
    public let apiKeys: [String]
    public let startedAt = Date()
    public static let version = "0.1.0"

    init(
        config: ServerConfig, layout: StorageLayout, store: any JobStore, pipeline: any JobPipeline, planner: any PlanningService,
        apiKeys: [String], webhookSecret: String, verifyImage: (@Sendable ([UInt8]) throws -> Void)?, recoverLeasesOnStart: Bool,
        logger: Logger
    ) {
        self.config = config
        self.layout = layout
        self.store = store
        self.pipeline = pipeline
        self.planner = planner
        self.apiKeys = apiKeys
        hub = EventHub()
        metrics = Metrics(slots: config.workers)
        doorbell = Doorbell()
        committer = OutputCommitter(layout: layout)
        let inputs = InputStore(layout: layout)
        let outbound = SafeHTTPClient(allowPrivateNetworks: config.allowPrivateNetworks, timeout: config.fetchTimeoutSeconds)
        intake = Intake(
            limits: .init(
                maxUploadBytes: config.maxUploadBytes, maxImagePixels: config.maxImagePixels, minImageSide: config.minImageSide,
                maxAttempts: config.maxAttempts),
            inputs: inputs, fetcher: outbound, planner: planner, verifyImage: verifyImage)
        let retry = RetryPolicy(baseDelay: config.retryBaseSeconds, maxDelay: config.retryMaxSeconds)
        var host = ProcessInfo.processInfo.hostName
        if host.isEmpty { host = "localhost" }
        worker = WorkerService(
            store: store, pipeline: pipeline, committer: committer, inputs: inputs, hub: hub, metrics: metrics, doorbell: doorbell,
            settings: .init(
                slots: config.workers, owner: "\(host):\(getpid())", leaseSeconds: config.leaseSeconds,
                heartbeatSeconds: config.heartbeatSeconds, retryPolicy: retry),
            logger: logger)
        webhooks = WebhookService(
            store: store, client: outbound, signer: WebhookSigner(secret: webhookSecret), metrics: metrics,
            maxAttempts: config.webhookMaxAttempts, retryBaseSeconds: config.webhookRetryBaseSeconds, logger: logger)
        maintenance = MaintenanceService(
            store: store, committer: committer, inputs: inputs, hub: hub, doorbell: doorbell, leaseSeconds: config.leaseSeconds,
            retentionDays: config.retentionDays, recoverAllOnStart: recoverLeasesOnStart, logger: logger)
    }

    /// The job as the API shows it (with its queue position when queued).
    func resource(_ job: Job) async throws -> JobResource {
        let position = job.state == .queued ? try await store.queuePosition(of: job.id) : nil
        return JobResource(job, queuePosition: position)
    }

    func requireJob(_ id: String) async throws -> Job {
        guard JobID.isValid(id), let job = try await store.job(id: id) else { throw Problem.notFound("Job '\(id.prefix(64))'") }
        return job
    }
}
