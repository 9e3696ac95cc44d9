import Foundation
import Hummingbird
import Jobs

/// `GET|HEAD /api/v1/jobs/{id}/files/{name}`: a committed output, with byte ranges (video
/// seeking), a strong ETag (the content hash) and its content type. Only the fixed file names
/// a job produces are served, from the attempt folder recorded at commit.
struct FilesController<Context: RequestContext>: Sendable {
    let services: AppServices

    func register(on group: RouterGroup<Context>) {
        group.get("jobs/:id/files/:name", use: file)
        group.head("jobs/:id/files/:name", use: file)
    }

    /// A parsed `Range` header against a file of `size` bytes.
    enum RangeRequest: Equatable {
        case full
        case partial(ClosedRange<Int>)
        case unsatisfiable
    }

    static func parseRange(_ header: String?, size: Int) -> RangeRequest {
        guard let header = header?.trimmingCharacters(in: .whitespaces), header.lowercased().hasPrefix("bytes=") else { return .full }
        let spec = header.dropFirst(6)
        // Several ranges would need multipart/byteranges; serving the whole file is allowed.
        guard !spec.contains(","), let dash = spec.firstIndex(of: "-") else { return .full }
        let first = spec[..<dash].trimmingCharacters(in: .whitespaces)
        let last = spec[spec.index(after: dash)...].trimmingCharacters(in: .whitespaces)
        if first.isEmpty {
            guard let suffix = Int(last), suffix > 0 else { return last.isEmpty ? .full : .unsatisfiable }
            guard size > 0 else { return .unsatisfiable }
            return .partial(max(0, size - suffix)...(size - 1))
        }
        guard let start = Int(first), start >= 0 else { return .full }
        guard start < size else { return .unsatisfiable }
        if last.isEmpty { return .partial(start...(size - 1)) }
        guard let end = Int(last), end >= start else { return .full }
        return .partial(start...min(end, size - 1))
    }

    @Sendable func file(_ request: Request, context: Context) async throws -> Response {
        let job = try await services.requireJob(try context.parameters.require("id"))
        let name = try context.parameters.require("name")
        guard let contentType = JobFiles.contentTypes[name] else {
            throw Problem.notFound("File '\(name.prefix(64))'")
        }
        guard job.state == .succeeded, let text = job.result, let result = try? JobResult.decode(text),
            let info = result.file(named: name), let path = services.committer.committedFile(result, name: name)
        else {
            throw Problem.fileNotReady("Job \(job.id) has no \(name) (it is \(job.state.rawValue)).")
        }
        let size = info.bytes
        let etag = "\"\(info.sha256.prefix(32))\""
        var headers: HTTPFields = [
            .contentType: contentType, .eTag: etag, .acceptRanges: "bytes", .cacheControl: "private, no-cache",
        ]
        let downloadName = JobFiles.publishedName(name, folder: result.published)
        let asciiName = String(downloadName.unicodeScalars.map { $0.isASCII && $0 != "\"" && $0 != "\\" ? Character($0) : "_" })
        let encoded = downloadName.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? asciiName
        let disposition = request.uri.queryParameters.get("download") != nil ? "attachment" : "inline"
        headers[.contentDisposition] = "\(disposition); filename=\"\(asciiName)\"; filename*=UTF-8''\(encoded)"

        if let ifNoneMatch = request.headers[.ifNoneMatch],
            ifNoneMatch.split(separator: ",").contains(where: { $0.trimmingCharacters(in: .whitespaces) == etag || $0.trimmingCharacters(in: .whitespaces) == "*" })
        {
            return Response(status: .notModified, headers: headers)
        }
        var range = Self.parseRange(request.headers[.range], size: size)
        if let ifRange = request.headers[.ifRange], ifRange != etag { range = .full }
        switch range {
        case .unsatisfiable:
            throw Problem.rangeNotSatisfiable(size: size)
        case .full:
            headers[.contentLength] = String(size)
            if request.method == .head { return Response(status: .ok, headers: headers) }
            return Response(status: .ok, headers: headers, body: try await FileIO().loadFile(path: path.path, context: context))
        case .partial(let bytes):
            headers[.contentRange] = "bytes \(bytes.lowerBound)-\(bytes.upperBound)/\(size)"
            headers[.contentLength] = String(bytes.count)
            if request.method == .head { return Response(status: .partialContent, headers: headers) }
            return Response(status: .partialContent, headers: headers, body: try await FileIO().loadFile(path: path.path, range: bytes, context: context))
        }
    }
}
