import Foundation
import Jobs
import Logging
import ServiceLifecycle

/// Runs jobs: each slot claims a job, runs the pipeline on its own engine thread while a
/// heartbeat keeps the lease, then commits (fenced), publishes and announces the outcome.
///
/// Graceful shutdown stops claiming, interrupts the running attempt at its next step and
/// releases it to the queue (the attempt does not count against the job's budget).
public final class WorkerService: Service, Sendable {
    public struct Settings: Sendable {
        public var slots: Int
        public var owner: String
        public var leaseSeconds: TimeInterval
        public var heartbeatSeconds: TimeInterval
        public var pollSeconds: TimeInterval = 1
        public var retryPolicy: RetryPolicy

        public init(slots: Int, owner: String, leaseSeconds: TimeInterval, heartbeatSeconds: TimeInterval, retryPolicy: RetryPolicy) {
            self.slots = slots
            self.owner = owner
            self.leaseSeconds = leaseSeconds
            self.heartbeatSeconds = heartbeatSeconds
            self.retryPolicy = retryPolicy
        }
    }

    let store: any JobStore
    let pipeline: any JobPipeline
    let committer: OutputCommitter
    let inputs: InputStore
    let hub: EventHub
    let metrics: Metrics
    let settings: Settings
    let doorbell: Doorbell
    let logger: Logger
    private let running = Locked<[String: RunningAttempt]>([:])
    private let stopping = Locked(false)

    public init(
        store: any JobStore, pipeline: any JobPipeline, committer: OutputCommitter, inputs: InputStore, hub: EventHub,
        metrics: Metrics, doorbell: Doorbell, settings: Settings, logger: Logger
    ) {
        self.store = store
        self.pipeline = pipeline
        self.committer = committer
        self.inputs = inputs
        self.hub = hub
        self.metrics = metrics
        self.doorbell = doorbell
        self.settings = settings
        self.logger = logger
    }

    /// Asks the attempt running `jobID` in this process to stop at its next step.
    public func interrupt(jobID: String) {
        running.withLock { $0[jobID] }?.stop(.cancelRequested)
    }

    public var runningJobIDs: [String] { running.withLock { Array($0.keys) } }

    public func run() async throws {
        await pipeline.prepare()
        try await withGracefulShutdownHandler {
            await withTaskGroup(of: Void.self) { group in
                for slot in 0..<settings.slots {
                    group.addTask { await self.runSlot(slot) }
                }
                if settings.slots == 0 {
                    // Nothing to run: just live until shutdown.
                    group.addTask { while !self.stopping.current { await self.doorbell.wait(timeout: 3600) } }
                }
            }
        } onGracefulShutdown: {
            self.beginShutdown()
        }
        hub.shutdown()
    }

    func beginShutdown() {
        stopping.withLock { $0 = true }
        for attempt in running.withLock({ Array($0.values) }) { attempt.stop(.shutdown) }
        // Wake every idle slot so it notices.
        for _ in 0..<max(1, settings.slots) { doorbell.ring() }
        hub.shutdown()
    }

    private func runSlot(_ slot: Int) async {
        let thread = EngineThread(name: "i2v-engine-\(slot)")
        defer { thread.stop() }
        let owner = "\(settings.owner)/slot-\(slot)"
        while !stopping.current {
            do {
                guard let lease = try await store.claimNext(owner: owner, leaseDuration: settings.leaseSeconds) else {
                    await doorbell.wait(timeout: settings.pollSeconds)
                    continue
                }
                hub.queueMoved()
                await runAttempt(lease, on: thread)
                hub.queueMoved()
            } catch {
                logger.error("worker slot \(slot): \(error)")
                await doorbell.wait(timeout: settings.pollSeconds)
            }
        }
    }

    func runAttempt(_ lease: Lease, on thread: EngineThread) async {
        let job = lease.job
        let hub = self.hub
        let metrics = self.metrics
        let attempt = RunningAttempt(
            lease: lease,
            onProgress: { progress in hub.publish(JobEvent(jobID: job.id, name: "progress", data: JobResource.Progress.json(progress))) },
            onStep: { metrics.observeStep(seconds: $0) })
        running.withLock { $0[job.id] = attempt }
        defer { running.withLock { _ = $0.removeValue(forKey: job.id) } }
        if stopping.current { attempt.stop(.shutdown) }
        hub.publish(JobEvent(jobID: job.id, name: "running", data: .object(["attempt": .number(Double(lease.attempt))])))

        let heartbeat = Task { await self.heartbeatLoop(attempt) }
        let outcome = await execute(attempt, on: thread)
        heartbeat.cancel()
        metrics.addBusy(seconds: Date().timeIntervalSince(attempt.startedAt))
        await finish(attempt, outcome: outcome)
    }

    private func heartbeatLoop(_ attempt: RunningAttempt) async {
        while !Task.isCancelled {
            try? await Task.sleep(nanoseconds: UInt64(settings.heartbeatSeconds * 1e9))
            if Task.isCancelled { return }
            do {
                switch try await store.heartbeat(attempt.lease, progress: attempt.progress, leaseDuration: settings.leaseSeconds) {
                case .lost:
                    logger.warning("job \(attempt.lease.jobID) attempt \(attempt.lease.attempt) lost its lease; stopping it")
                    attempt.stop(.leaseLost)
                    return
                case .extended(_, let cancelRequested):
                    if cancelRequested { attempt.stop(.cancelRequested) }
                }
            } catch {
                logger.warning("heartbeat for job \(attempt.lease.jobID) failed: \(error)")
            }
        }
    }

    private func execute(_ attempt: RunningAttempt, on thread: EngineThread) async -> Result<JobResult, PipelineError> {
        let lease = attempt.lease
        let job = lease.job
        do {
            let request = try GenerationRequest.decodePayload(job.payload)
            guard let imagePath = inputs.path(for: job.inputRef), FileManager.default.fileExists(atPath: imagePath.path) else {
                return .failure(.badInput("The stored input image \(job.inputRef) is missing."))
            }
            let directory = try committer.prepare(jobID: job.id, attempt: lease.attempt)
            let input = AttemptInput(jobID: job.id, attempt: lease.attempt, request: request, imagePath: imagePath, previousFailure: job.failure)
            let pipeline = self.pipeline
            let output = try await thread.run { try pipeline.run(input, directory: directory, control: attempt) }
            if attempt.isCancelled { return .failure(.cancelled) }
            attempt.report(PipelineProgress(stage: .qc))
            let seconds = Date().timeIntervalSince(attempt.startedAt)
            return .success(try committer.seal(jobID: job.id, attempt: lease.attempt, title: job.title, output: output, seconds: seconds, finishedAt: Date()))
        } catch let error as PipelineError {
            return .failure(error)
        } catch is DecodingError {
            return .failure(.badInput("The job's parameters cannot be read."))
        } catch {
            return .failure(.engineFailed("\(error)"))
        }
    }

    private func finish(_ attempt: RunningAttempt, outcome: Result<JobResult, PipelineError>) async {
        let lease = attempt.lease
        let jobID = lease.jobID
        do {
            switch outcome {
            case .success(let result):
                let job = try await store.complete(lease, result: try result.encoded())
                metrics.countAttempt(outcome: "succeeded")
                do { try committer.publish(result, jobID: jobID) } catch {
                    logger.error("job \(jobID): committed but publishing to the outputs folder failed: \(error)")
                }
                hub.publish(JobEvent(jobID: jobID, name: "succeeded", data: .object(["state": .string(job.state.rawValue)])))
            case .failure(.cancelled):
                committer.discard(jobID: jobID, attempt: lease.attempt)
                switch attempt.stopReason {
                case .shutdown?:
                    let job = try await store.release(lease)
                    metrics.countAttempt(outcome: "released")
                    if job.state == .cancelled { hub.publish(JobEvent(jobID: jobID, name: "cancelled", data: .object([:]))) }
                case .leaseLost?:
                    metrics.countAttempt(outcome: "lease_lost")
                default:
                    _ = try await store.acknowledgeCancel(lease)
                    metrics.countAttempt(outcome: "cancelled")
                    hub.publish(JobEvent(jobID: jobID, name: "cancelled", data: .object([:])))
                }
            case .failure(let error):
                committer.discard(jobID: jobID, attempt: lease.attempt)
                let failure = error.failure
                metrics.countAttempt(outcome: failure.code)
                switch try await store.fail(lease, failure: failure, retryPolicy: settings.retryPolicy) {
                case .willRetry(let at, _):
                    logger.info("job \(jobID) attempt \(lease.attempt) failed (\(failure)); retrying at \(at)")
                    hub.publish(JobEvent(jobID: jobID, name: "retrying", data: .object([
                        "code": .string(failure.code), "message": .string(failure.message),
                        "retry_at": .string(ISO8601DateFormatter().string(from: at)), "attempt": .number(Double(lease.attempt)),
                    ])))
                    doorbell.ring()
                case .finished(let job):
                    logger.info("job \(jobID) ended \(job.state.rawValue): \(failure)")
                    hub.publish(JobEvent(jobID: jobID, name: job.state.rawValue, data: .object([
                        "code": .string(failure.code), "message": .string(failure.message),
                    ])))
                }
            }
        } catch JobStoreError.leaseLost {
            // A newer attempt owns the job; this attempt's files must not survive.
            committer.discard(jobID: jobID, attempt: lease.attempt)
            metrics.countAttempt(outcome: "lease_lost")
            logger.warning("job \(jobID) attempt \(lease.attempt): lease lost before commit; result discarded")
        } catch {
            logger.error("job \(jobID) attempt \(lease.attempt): cannot record the outcome: \(error)")
        }
    }
}
