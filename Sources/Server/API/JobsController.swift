import Foundation
import HTTPTypes
import Hummingbird
import Jobs

/// `/api/v1/jobs`: submit, list, read, cancel, retry and delete jobs.
struct JobsController<Context: RequestContext>: Sendable {
    let services: AppServices

    func register(on group: RouterGroup<Context>) {
        group.post("jobs", use: create)
        group.get("jobs", use: list)
        group.get("jobs/:id", use: get)
        group.delete("jobs/:id", use: delete)
        group.post("jobs/:id/cancel", use: cancel)
        group.post("jobs/:id/retry", use: retry)
        group.post("jobs/:id/rerun", use: rerun)
    }

    /// Multipart (file in `image`, other fields as form fields) or JSON with `image_url`.
    @Sendable func create(_ request: Request, context: Context) async throws -> Response {
        let intake = services.intake
        let key = try RequestReading.idempotencyKey(request)
        let (generation, options, image) = try await readSubmission(request)
        let stored = try await intake.accept(imageBytes: image)
        let newJob = try intake.makeJob(generation, options: options, inputRef: stored.ref, idempotencyKey: key)
        let outcome = try await services.store.enqueue(newJob)
        let resource = try await services.resource(outcome.job)
        var headers: HTTPFields = [.location: "/api/v1/jobs/\(outcome.job.id)"]
        switch outcome {
        case .created:
            services.doorbell.ring()
            return try Reply.json(resource, status: .accepted, headers: headers)
        case .existing:
            headers[.idempotentReplay] = "true"
            return try Reply.json(resource, status: .ok, headers: headers)
        }
    }

    /// Fields and image bytes of a submission, from either body format.
    func readSubmission(_ request: Request) async throws -> (GenerationRequest, SubmissionOptions, [UInt8]) {
        let intake = services.intake
        switch RequestReading.mediaType(request) {
        case "multipart/form-data":
            let bytes = try await RequestReading.collect(request, limit: services.config.maxUploadBytes + 256 * 1024)
            let form = try RequestReading.multipart(request, bytes: bytes)
            for name in form.files.keys where name != "image" {
                throw Problem.invalidField(name, "Unexpected file field '\(name)'; send the photo in 'image'.")
            }
            let (generation, options) = try intake.parse(form.fields)
            if let file = form.files["image"] {
                guard options.imageURL == nil else { throw Problem.invalidField("image_url", "Send either an image file or image_url, not both.") }
                return (generation, options, file.bytes)
            }
            guard let url = options.imageURL else { throw Problem.missingField("image", "Attach the product photo in the 'image' field.") }
            return (generation, options, try await intake.fetch(imageURL: url))
        case "application/json":
            let fields = try RequestReading.jsonObject(try await RequestReading.collect(request, limit: 1 << 20))
            let (generation, options) = try intake.parse(fields)
            guard let url = options.imageURL else {
                throw Problem.missingField("image_url", "JSON submissions need image_url; upload files as multipart/form-data.")
            }
            return (generation, options, try await intake.fetch(imageURL: url))
        default:
            throw Problem.unsupportedMediaType("Send multipart/form-data (with the photo in 'image') or application/json (with image_url).")
        }
    }

    @Sendable func list(_ request: Request, context: Context) async throws -> Response {
        let query = request.uri.queryParameters
        var states: Set<JobState> = []
        for text in query.getAll("state") + query.getAll("status") {
            for name in text.split(separator: ",") {
                guard let state = JobState(rawValue: String(name)) else {
                    throw Problem.invalidField("state", "state must be queued, running, succeeded, failed or cancelled.")
                }
                states.insert(state)
            }
        }
        let batch = query.get("batch")
        if let batch, !JobID.isValid(batch) { throw Problem.invalidField("batch", "batch is not a valid batch id.") }
        let limit = try query.get("limit").map { text -> Int in
            guard let n = Int(text), (1...200).contains(n) else { throw Problem.invalidField("limit", "limit must be 1–200.") }
            return n
        } ?? 50
        let search = query.get("q").map { String($0.prefix(200)) }
        let page = try await services.store.jobs(JobQuery(states: states, batchID: batch, titleContains: search, limit: limit, cursor: query.get("cursor")))
        return try Reply.json(JobListResource(jobs: page.jobs.map { JobResource($0, queuePosition: nil) }, nextCursor: page.nextCursor))
    }

    @Sendable func get(_ request: Request, context: Context) async throws -> Response {
        let job = try await services.requireJob(try context.parameters.require("id"))
        return try Reply.json(try await services.resource(job))
    }

    @Sendable func cancel(_ request: Request, context: Context) async throws -> Response {
        let id = try await services.requireJob(try context.parameters.require("id")).id
        switch try await services.store.requestCancel(id: id) {
        case .cancelled(let job):
            services.hub.publish(JobEvent(jobID: id, name: "cancelled", data: .object([:])))
            services.hub.queueMoved()
            return try Reply.json(try await services.resource(job))
        case .requested(let job):
            services.worker.interrupt(jobID: id)
            return try Reply.json(try await services.resource(job), status: .accepted)
        }
    }

    @Sendable func retry(_ request: Request, context: Context) async throws -> Response {
        let id = try await services.requireJob(try context.parameters.require("id")).id
        let job = try await services.store.retry(id: id, maxAttempts: services.config.maxAttempts)
        services.doorbell.ring()
        services.hub.publish(JobEvent(jobID: id, name: "queued", data: .object(["retry": .bool(true)])))
        return try Reply.json(try await services.resource(job), status: .accepted)
    }

    /// A new job from a previous one's photo and parameters; a JSON body of fields overrides
    /// them (e.g. `{"seed": 7}`). Never de-duplicated: asking to run again runs again.
    @Sendable func rerun(_ request: Request, context: Context) async throws -> Response {
        let previous = try await services.requireJob(try context.parameters.require("id"))
        var overrides: [String: JSONValue] = [:]
        let body = try await RequestReading.collect(request, limit: 64 * 1024)
        if !body.isEmpty { overrides = try RequestReading.jsonObject(body) }
        guard case .object(var fields)? = JSONValue.parse(Data(previous.payload.utf8)) else {
            throw Problem.internalError("The job's parameters cannot be read.")
        }
        for (key, value) in overrides { fields[key] = value }
        if previous.webhookURL != nil, overrides["webhook"] == nil { fields["webhook"] = .string(previous.webhookURL!) }
        if overrides["priority"] == nil { fields["priority"] = .number(Double(previous.priority)) }
        let (generation, options) = try services.intake.parse(fields)
        // Touching the photo also keeps retention from sweeping it before the new job exists.
        guard services.intake.inputs.retain(previous.inputRef) else {
            throw Problem.conflict(code: "input_missing", "The original photo of job \(previous.id) is no longer stored.")
        }
        var job = try services.intake.makeJob(generation, options: options, inputRef: previous.inputRef, idempotencyKey: nil)
        job.idempotencyKey = nil
        let created = try await services.store.enqueue(job).job
        services.doorbell.ring()
        return try Reply.json(try await services.resource(created), status: .accepted, headers: [.location: "/api/v1/jobs/\(created.id)"])
    }

    @Sendable func delete(_ request: Request, context: Context) async throws -> Response {
        let id = try await services.requireJob(try context.parameters.require("id")).id
        let job = try await services.store.delete(id: id)
        services.committer.removeAll(jobID: id, result: job.result.flatMap { try? JobResult.decode($0) })
        services.hub.publish(JobEvent(jobID: id, name: "deleted", data: .object([:])))
        if job.state == .queued { services.hub.queueMoved() }
        return Response(status: .noContent)
    }
}
