import Foundation

/// A request the planner cannot honour (unknown template or category), naming the field.
public struct InvalidRequest: Error, Equatable, CustomStringConvertible {
    public var field: String
    public var message: String
    public init(field: String, message: String) {
        self.field = field
        self.message = message
    }
    public var description: String { "\(field): \(message)" }
}

/// The motion-strategy side the API needs: the template library and planning without
/// generating. Implemented over the Motion module; tests use a small fake.
public protocol PlanningService: Sendable {
    /// Templates for `/api/v1/templates` and the UI, as JSON objects with at least `id`.
    func templates() -> [JSONValue]
    /// Throws `InvalidRequest` when the request names a template or category that does not exist.
    func validate(_ request: GenerationRequest) throws
    /// The plan the worker would follow for this image (nil: title only) and request (category, template,
    /// prompt, negative prompt, size, frames, fps, steps, guidance, seed). Decodes the image,
    /// so callers run it off the event loop.
    func plan(_ request: GenerationRequest, imagePath: URL?) throws -> JSONValue
}
