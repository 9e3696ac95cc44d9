import Foundation
import Jobs
import Logging
import ServiceLifecycle

/// Housekeeping: re-queues jobs whose worker stopped heartbeating, re-publishes outputs a crash
/// interrupted, and (when configured) deletes finished jobs after the retention period, with
/// their outputs and the uploaded originals no other job uses.
public final class MaintenanceService: Service, Sendable {
    let store: any JobStore
    let committer: OutputCommitter
    let inputs: InputStore
    let hub: EventHub
    let doorbell: Doorbell
    let leaseSeconds: Double
    let retentionDays: Double?
    let recoverAllOnStart: Bool
    let logger: Logger
    private let wake = Doorbell()

    init(
        store: any JobStore, committer: OutputCommitter, inputs: InputStore, hub: EventHub, doorbell: Doorbell, leaseSeconds: Double,
        retentionDays: Double?,
        recoverAllOnStart: Bool, logger: Logger
    ) {
        self.store = store
        self.committer = committer
        self.inputs = inputs
        self.hub = hub
        self.doorbell = doorbell
        self.leaseSeconds = leaseSeconds
        self.retentionDays = retentionDays
        self.recoverAllOnStart = recoverAllOnStart
        self.logger = logger
    }

    public func run() async throws {
        if recoverAllOnStart {
            // This process holds the data directory lock, so no other process runs these jobs.
            announce(try await store.recoverAllLeases(), reason: "the previous server process ended while running it")
            try await republishRecent()
        }
        let stopping = Locked(false)
        var lastRetention = Date.distantPast
        try await withGracefulShutdownHandler {
            while !stopping.current {
                do {
                    announce(try await store.recoverExpiredLeases(), reason: "its worker stopped renewing the lease")
                    if let days = retentionDays, Date().timeIntervalSince(lastRetention) > 3600 {
                        lastRetention = Date()
                        try await purge(olderThanDays: days)
                    }
                } catch {
                    logger.error("maintenance: \(error)")
                }
                await wake.wait(timeout: max(1, leaseSeconds / 2))
            }
        } onGracefulShutdown: {
            stopping.withLock { $0 = true }
            self.wake.ring()
        }
    }

    func announce(_ recovered: [RecoveredJob], reason: String) {
        guard !recovered.isEmpty else { return }
        for item in recovered {
            committer.discard(jobID: item.job.id, attempt: item.expiredAttempt)
            logger.warning("job \(item.job.id) attempt \(item.expiredAttempt) recovered (\(reason)); now \(item.job.state.rawValue)")
            let name = item.job.state == .queued ? "retrying" : item.job.state.rawValue
            hub.publish(JobEvent(jobID: item.job.id, name: name, data: .object(["code": .string("lease_expired"), "message": .string(reason)])))
        }
        hub.queueMoved()
        doorbell.ring()
    }

    /// Finished jobs whose outputs folder is missing (a crash between commit and publish) are
    /// published again. Only recent ones: older folders may have been removed on purpose.
    func republishRecent() async throws {
        let page = try await store.jobs(JobQuery(states: [.succeeded], limit: 200))
        let cutoff = Date().addingTimeInterval(-6 * 3600)
        for job in page.jobs where (job.finishedAt ?? .distantPast) > cutoff {
            guard let text = job.result, let result = try? JobResult.decode(text), !committer.isPublished(result) else { continue }
            do {
                try committer.publish(result, jobID: job.id)
                logger.info("job \(job.id): outputs published again after a restart")
            } catch {
                logger.error("job \(job.id): cannot publish outputs: \(error)")
            }
        }
    }

    func purge(olderThanDays days: Double) async throws {
        try await purge(before: Date().addingTimeInterval(-days * 86400), days: days)
    }

    /// Deletes jobs finished before `cutoff` with their files, then the stored originals that no
    /// remaining job references and that nothing has stored or re-used since `cutoff` (content-
    /// named inputs may be shared by several jobs; uploads whose job was never created go too).
    func purge(before cutoff: Date, days: Double) async throws {
        let purged = try await store.purgeFinished(before: cutoff)
        for job in purged { committer.removeAll(jobID: job.id, result: job.result.flatMap { try? JobResult.decode($0) }) }
        if !purged.isEmpty { logger.info("retention: deleted \(purged.count) job(s) finished more than \(days) day(s) ago") }
        let candidates = inputs.refs(untouchedSince: cutoff)
        let used = try await store.inputsInUse(candidates)
        var removed = 0
        for ref in candidates where !used.contains(ref) {
            if inputs.remove(ref, ifUntouchedSince: cutoff) { removed += 1 }
        }
        if removed > 0 { logger.info("retention: deleted \(removed) stored original(s) no job uses, untouched for \(days) day(s)") }
    }
}
