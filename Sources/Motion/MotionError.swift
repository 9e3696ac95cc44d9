/// Everything that can go wrong while planning or rendering. Each case prints as one clear line
/// that names the offending value and, where useful, the valid choices.
public enum MotionError: Error, Equatable, CustomStringConvertible, Sendable {
    case unknownCategory(String, valid: [String])
    case unknownTemplate(String, valid: [String])
    /// A template was asked for explicitly but belongs to another category than the one asked for.
    case templateCategoryMismatch(template: String, templateCategory: String, category: String)
    case invalidParameter(name: String, value: String, expected: String)
    /// A data file (built-in or user-supplied) could not be read or does not validate.
    case dataFile(path: String, problem: String)
    /// The source image cannot be fitted into the requested frame.
    case unfittableImage(width: Int, height: Int, problem: String)
    /// The caller's `isCancelled` closure returned true.
    case cancelled

    public var description: String {
        switch self {
        case let .unknownCategory(name, valid):
            return "unknown category '\(name)'; valid categories: \(valid.joined(separator: ", "))"
        case let .unknownTemplate(name, valid):
            return "unknown template '\(name)'; valid templates: \(valid.joined(separator: ", "))"
        case let .templateCategoryMismatch(template, templateCategory, category):
            return "template '\(template)' belongs to category '\(templateCategory)', not '\(category)'"
        case let .invalidParameter(name, value, expected):
            return "invalid \(name) '\(value)': expected \(expected)"
        case let .dataFile(path, problem):
            return "\(path): \(problem)"
        case let .unfittableImage(width, height, problem):
            return "cannot fit image \(width)x\(height): \(problem)"
        case .cancelled:
            return "rendering was cancelled"
        }
    }
}

extension MotionError: CustomDebugStringConvertible {
    public var debugDescription: String { description }
}
