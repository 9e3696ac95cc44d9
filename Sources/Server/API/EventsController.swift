import Foundation
import HTTPTypes
import Hummingbird
import Jobs
import NIOCore
import ServiceLifecycle

/// `GET /api/v1/jobs/{id}/events`: the job's progress as Server-Sent Events.
///
/// The stream starts with the job's current state, then follows it: `queued` (with the queue
/// position whenever it changes), `running`, `progress` (stage, step k/n, ETA), `retrying`,
/// and ends after the terminal event (`succeeded`, `failed`, `cancelled`; their data is the
/// full job, as `GET /api/v1/jobs/{id}` returns it). A comment line every `pingSeconds` keeps
/// proxies from closing the connection; each ping also re-reads the job, so a missed event
/// (another process ran the job, a slow client overflowed its buffer) is recovered.
struct EventsController<Context: RequestContext>: Sendable {
    let services: AppServices
    var pingSeconds: Double = 10

    func register(on group: RouterGroup<Context>) {
        group.get("jobs/:id/events", use: events)
    }

    enum Signal: Sendable {
        case hub(EventHub.Signal)
        case ping
    }

    @Sendable func events(_ request: Request, context: Context) async throws -> Response {
        let job = try await services.requireJob(try context.parameters.require("id"))
        let services = self.services
        let pingSeconds = self.pingSeconds
        // Subscribe before reading the state, so nothing between the two is missed.
        let hubStream = services.hub.subscribe(jobID: job.id)
        let headers: HTTPFields = [
            .contentType: "text/event-stream; charset=utf-8", .cacheControl: "no-cache", HTTPField.Name("X-Accel-Buffering")!: "no",
        ]
        return Response(status: .ok, headers: headers, body: ResponseBody { writer in
            let (signals, continuation) = AsyncStream<Signal>.makeStream(bufferingPolicy: .bufferingNewest(128))
            let forward = Task {
                for await signal in hubStream { continuation.yield(.hub(signal)) }
                continuation.finish()
            }
            let pinger = Task {
                while !Task.isCancelled {
                    try? await Task.sleep(nanoseconds: UInt64(pingSeconds * 1e9))
                    continuation.yield(.ping)
                }
            }
            defer {
                forward.cancel()
                pinger.cancel()
                continuation.finish()
            }
            var session = Session(services: services, jobID: job.id)
            try await writer.write(ByteBuffer(string: "retry: 3000\n\n"))
            if try await session.sendCurrentState(&writer) { return try await writer.finish(nil) }
            for await signal in signals.cancelOnGracefulShutdown() {
                switch signal {
                case .hub(.event(let event)):
                    if event.isTerminal {
                        _ = try await session.sendCurrentState(&writer, fallback: event)
                        return try await writer.finish(nil)
                    }
                    if event.name == "running" || event.name == "retrying" || event.name == "queued" { session.lastPosition = nil }
                    try await session.send(&writer, name: event.name, data: event.data)
                case .hub(.queueMoved):
                    try await session.sendPositionIfChanged(&writer)
                case .ping:
                    try await writer.write(ByteBuffer(string: ": ping\n\n"))
                    if try await session.sendIfFinished(&writer) { return try await writer.finish(nil) }
                }
            }
            try await writer.finish(nil)
        })
    }

    struct Session {
        let services: AppServices
        let jobID: String
        var sequence = 0
        var lastPosition: Int?

        mutating func send(_ writer: inout any ResponseBodyWriter, name: String, data: JSONValue) async throws {
            sequence += 1
            let json = String(decoding: try JSONCoding.encoder.encode(data), as: UTF8.self)
            try await writer.write(ByteBuffer(string: "id: \(sequence)\nevent: \(name)\ndata: \(json)\n\n"))
        }

        /// Sends the job's present state; true when it is terminal (or gone) and the stream should end.
        mutating func sendCurrentState(_ writer: inout any ResponseBodyWriter, fallback: JobEvent? = nil) async throws -> Bool {
            guard let job = try await services.store.job(id: jobID) else {
                try await send(&writer, name: "deleted", data: .object(["id": .string(jobID)]))
                return true
            }
            let resource = try await services.resource(job)
            let data = try JSONValue.from(resource)
            switch job.state {
            case .queued:
                lastPosition = resource.queuePosition
                try await send(&writer, name: "queued", data: .object(["position": resource.queuePosition.map { JSONValue.number(Double($0)) } ?? JSONValue.null, "job": data]))
                return false
            case .running:
                try await send(&writer, name: "running", data: .object(["attempt": .number(Double(job.attempt)), "job": data]))
                if let progress = job.progress { try await send(&writer, name: "progress", data: JobResource.Progress.json(progress)) }
                return false
            case .succeeded, .failed, .cancelled:
                try await send(&writer, name: job.state.rawValue, data: data)
                return true
            }
        }

        mutating func sendPositionIfChanged(_ writer: inout any ResponseBodyWriter) async throws {
            guard let position = try await services.store.queuePosition(of: jobID), position != lastPosition else { return }
            lastPosition = position
            try await send(&writer, name: "queued", data: .object(["position": .number(Double(position))]))
        }

        mutating func sendIfFinished(_ writer: inout any ResponseBodyWriter) async throws -> Bool {
            guard let job = try await services.store.job(id: jobID) else { return try await sendCurrentState(&writer) }
            return job.state.isTerminal ? try await sendCurrentState(&writer) : false
        }
    }
}
