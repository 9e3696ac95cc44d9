import Foundation
import Hummingbird
import Jobs
import NIOPosix
import ZIPFoundation

/// `/api/v1/batches`: many products at once (JSON list, CSV, or a zip of images with a CSV),
/// per-item status, and a zip of all outputs.
struct BatchesController<Context: RequestContext>: Sendable {
    let services: AppServices

    func register(on group: RouterGroup<Context>) {
        group.post("batches", use: create)
        group.get("batches/:id", use: get)
        group.get("batches/:id/archive", use: archive)
    }

    struct Rejected: Encodable {
        var index: Int
        var code: String
        var field: String?
        var detail: String
    }

    struct Created: Encodable {
        var batch: BatchResource
        var rejected: [Rejected]
    }

    var uploadLimit: Int { services.config.maxUploadBytes * 8 }

    func readInput(_ request: Request) async throws -> BatchInput {
        switch RequestReading.mediaType(request) {
        case "application/json":
            return try BatchInput.fromJSON(try RequestReading.jsonObject(try await RequestReading.collect(request, limit: 4 << 20)))
        case "text/csv":
            let text = String(decoding: try await RequestReading.collect(request, limit: 4 << 20), as: UTF8.self)
            let query = request.uri.queryParameters
            return BatchInput(title: query.get("title"), webhook: query.get("webhook"), items: try BatchInput.fromCSV(text, defaults: [:]))
        case "multipart/form-data":
            let form = try RequestReading.multipart(request, bytes: try await RequestReading.collect(request, limit: uploadLimit))
            var defaults = form.fields
            let title = defaults.removeValue(forKey: "batch_title")?.stringValue
            let webhook = defaults.removeValue(forKey: "webhook")?.stringValue
            guard let file = form.files["file"] else { throw Problem.missingField("file", "Attach a CSV or zip file in the 'file' field.") }
            for name in form.files.keys where name != "file" { throw Problem.invalidField(name, "Unexpected file field '\(name)'.") }
            let items: [BatchInput.Item]
            if file.bytes.starts(with: [0x50, 0x4B, 0x03, 0x04]) {
                let limits = services.config
                items = try BatchInput.fromZip(file.bytes, defaults: defaults, maxEntryBytes: limits.maxUploadBytes, maxTotalBytes: uploadLimit)
            } else {
                items = try BatchInput.fromCSV(String(decoding: file.bytes, as: UTF8.self), defaults: defaults)
            }
            return BatchInput(title: title ?? file.filename, webhook: webhook, items: items)
        default:
            throw Problem.unsupportedMediaType("Send application/json, text/csv, or multipart/form-data with a CSV or zip in 'file'.")
        }
    }

    @Sendable func create(_ request: Request, context: Context) async throws -> Response {
        let input = try await readInput(request)
        guard input.items.count <= BatchInput.maxItems else {
            throw Problem.invalidField("items", "A batch may hold at most \(BatchInput.maxItems) items; split larger catalogues.")
        }
        if let webhook = input.webhook {
            _ = try FieldReader.parse(["webhook": .string(webhook)])
        }
        let intake = services.intake
        // Validate and store every item, four at a time (image URLs are fetched here).
        let outcomes = try await withThrowingTaskGroup(of: (Int, Result<NewJob, Problem>).self) { group in
            var results: [(Int, Result<NewJob, Problem>)] = []
            var next = 0
            func addNext() {
                let index = next
                let item = input.items[index]
                next += 1
                group.addTask {
                    do {
                        let (generation, options) = try intake.parse(item.fields)
                        let bytes: [UInt8]
                        switch item.image {
                        case .url(let url)?: bytes = try await intake.fetch(imageURL: url)
                        case .bytes(let data, _)?: bytes = data
                        case nil:
                            if let url = options.imageURL { bytes = try await intake.fetch(imageURL: url) } else {
                                throw Problem.missingField("image_url", "Item \(index) has no image.")
                            }
                        }
                        let stored = try await intake.accept(imageBytes: bytes)
                        var job = try intake.makeJob(generation, options: options, inputRef: stored.ref, idempotencyKey: nil)
                        job.idempotencyKey = nil  // every batch item runs, even if the same product was submitted before
                        return (index, .success(job))
                    } catch let problem as Problem {
                        return (index, .failure(problem))
                    }
                }
            }
            for _ in 0..<min(4, input.items.count) { addNext() }
            while let result = try await group.next() {
                results.append(result)
                if next < input.items.count { addNext() }
            }
            return results.sorted { $0.0 < $1.0 }
        }
        let jobs = outcomes.compactMap { try? $0.1.get() }
        let rejected = outcomes.compactMap { index, result -> Rejected? in
            guard case .failure(let problem) = result else { return nil }
            return Rejected(index: index, code: problem.code, field: problem.field, detail: problem.detail)
        }
        guard !jobs.isEmpty else {
            var problem = Problem(.unprocessableContent, code: "batch_rejected", title: "No item of the batch can be processed",
                                  detail: rejected.prefix(5).map { "item \($0.index): \($0.detail)" }.joined(separator: " "))
            problem.field = "items"
            throw problem
        }
        let title = input.title.map { String($0.prefix(200)) } ?? "Batch of \(jobs.count)"
        let (batch, created) = try await services.store.createBatch(NewBatch(title: title, webhookURL: input.webhook), jobs: jobs)
        services.doorbell.ring()
        guard let summary = try await services.store.batch(id: batch.id) else { throw Problem.internalError("the batch vanished") }
        let resource = BatchResource(summary, jobs: created.map(\.job))
        return try Reply.json(Created(batch: resource, rejected: rejected), status: .accepted, headers: [.location: "/api/v1/batches/\(batch.id)"])
    }

    func allJobs(_ batchID: String) async throws -> [Job] {
        var jobs: [Job] = []
        var cursor: String?
        repeat {
            let page = try await services.store.jobs(JobQuery(batchID: batchID, limit: 500, cursor: cursor))
            jobs += page.jobs
            cursor = page.nextCursor
        } while cursor != nil
        return jobs.reversed()  // submission order
    }

    func requireBatch(_ context: Context) async throws -> BatchSummary {
        let id = try context.parameters.require("id")
        guard JobID.isValid(id), let summary = try await services.store.batch(id: id) else { throw Problem.notFound("Batch '\(id.prefix(64))'") }
        return summary
    }

    @Sendable func get(_ request: Request, context: Context) async throws -> Response {
        let summary = try await requireBatch(context)
        return try Reply.json(BatchResource(summary, jobs: try await allJobs(summary.batch.id)))
    }

    /// A zip (stored, not compressed: videos do not shrink) of every finished item's files
    /// and a `summary.csv`, built in a temporary file that is removed after sending.
    @Sendable func archive(_ request: Request, context: Context) async throws -> Response {
        let summary = try await requireBatch(context)
        let jobs = try await allJobs(summary.batch.id)
        let committer = services.committer
        let scratch = services.layout.scratch
        let url = try await NIOThreadPool.singleton.runIfActive { () -> URL in
            try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
            let url = scratch.appendingPathComponent("batch-\(summary.batch.id)-\(UUID().uuidString).zip")
            let archive = try Archive(url: url, accessMode: .create)
            var csv = "job_id,title,status,folder,error\n"
            for job in jobs {
                let result = job.result.flatMap { try? JobResult.decode($0) }
                csv += [job.id, job.title, job.state.rawValue, result?.published ?? "", job.state == .failed ? (job.failure?.message ?? "") : ""]
                    .map(CSV.escape).joined(separator: ",") + "\n"
                guard job.state == .succeeded, let result else { continue }
                for file in result.files {
                    guard let path = committer.committedFile(result, name: file.name) else { continue }
                    try archive.addEntry(with: "\(result.published)/\(JobFiles.publishedName(file.name, folder: result.published))", fileURL: path)
                }
            }
            let data = Data(csv.utf8)
            try archive.addEntry(with: "summary.csv", type: .file, uncompressedSize: Int64(data.count), provider: { position, size in
                data.subdata(in: Int(position)..<Int(position) + size)
            })
            return url
        }
        let size = (try? FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int) ?? 0
        let body = try await FileIO().loadFile(path: url.path, context: context)
        let cleanup = ResponseBody(contentLength: size) { writer in
            defer { try? FileManager.default.removeItem(at: url) }
            try await body.write(writer)
        }
        let name = "batch-\(summary.batch.id).zip"
        return Response(status: .ok, headers: [
            .contentType: "application/zip", .contentDisposition: "attachment; filename=\"\(name)\"", .contentLength: String(size),
        ], body: cleanup)
    }
}
