import Foundation
import Jobs
import NIOPosix

/// Turns what a client sent (fields plus an uploaded file or an image URL) into a validated,
/// stored `NewJob`. Every check that can fail on bad input happens here, before a job exists.
public struct Intake: Sendable {
    public struct Limits: Sendable {
        public var maxUploadBytes: Int
        public var maxImagePixels: Int
        public var minImageSide: Int
        public var maxAttempts: Int
    }

    let limits: Limits
    let inputs: InputStore
    let fetcher: SafeHTTPClient
    let planner: any PlanningService
    /// Full decode check (e.g. through Media); nil checks headers only.
    let verifyImage: (@Sendable ([UInt8]) throws -> Void)?

    /// Checks and stores an image; the problems it throws name the field `image`.
    func accept(imageBytes bytes: [UInt8]) async throws -> InputStore.Stored {
        guard !bytes.isEmpty else { throw Problem.missingField("image", "The image file is empty.") }
        guard bytes.count <= limits.maxUploadBytes else { throw Problem.payloadTooLarge(limit: limits.maxUploadBytes) }
        let info: ImageSniffer.Info
        do {
            info = try ImageSniffer.inspect(bytes)
        } catch ImageSniffer.Failure.unsupported {
            throw Problem.unsupportedMediaType("The image must be a JPEG, PNG or WebP file.")
        } catch let failure as ImageSniffer.Failure {
            throw Problem.corruptImage(failure.description)
        }
        guard info.width * info.height <= limits.maxImagePixels else {
            throw Problem.imageTooLarge(
                "The image is \(info.width)×\(info.height) pixels; the limit is \(limits.maxImagePixels / 1_000_000) megapixels.")
        }
        guard min(info.width, info.height) >= limits.minImageSide else {
            throw Problem.invalidField("image", "The image is \(info.width)×\(info.height) pixels; each side must be at least \(limits.minImageSide).")
        }
        if let verifyImage {
            do {
                try await NIOThreadPool.singleton.runIfActive { try verifyImage(bytes) }
            } catch {
                throw Problem.corruptImage("The image cannot be decoded: \(error).")
            }
        }
        let inputs = self.inputs
        return try await NIOThreadPool.singleton.runIfActive { try inputs.store(bytes, info: info) }
    }

    func fetch(imageURL: String) async throws -> [UInt8] {
        do {
            return try await fetcher.fetchImage(imageURL, maxBytes: limits.maxUploadBytes)
        } catch SafeHTTPClient.Failure.refused(let why) {
            throw Problem.fetchRefused(why)
        } catch let failure as SafeHTTPClient.Failure {
            throw Problem.fetchFailed(failure.description)
        }
    }

    /// Parses fields and validates them against the template library.
    func parse(_ fields: [String: JSONValue], extraAllowed: Set<String> = []) throws -> (GenerationRequest, SubmissionOptions) {
        let (request, options) = try FieldReader.parse(fields, extraAllowed: extraAllowed)
        do {
            try planner.validate(request)
        } catch let invalid as InvalidRequest {
            throw Problem.invalidField(invalid.field, invalid.message)
        }
        return (request, options)
    }

    /// The job to enqueue. Without an explicit key, identical image + parameters + options
    /// submitted again return the existing job instead of running twice.
    func makeJob(_ request: GenerationRequest, options: SubmissionOptions, inputRef: String, idempotencyKey: String?) throws -> NewJob {
        let payload = try request.canonicalJSON()
        let key: String
        if let idempotencyKey {
            key = "key:" + idempotencyKey
        } else {
            let material = [inputRef, payload, String(options.priority), options.webhook ?? ""].joined(separator: "\n")
            key = "auto:" + InputStore.sha256Hex(Array(material.utf8))
        }
        return NewJob(
            title: request.title, payload: payload, inputRef: inputRef, priority: options.priority,
            idempotencyKey: key, webhookURL: options.webhook, maxAttempts: limits.maxAttempts)
    }
}
