/// Input to an encoder that does not fit its config (token ids out of the vocabulary, sequences
/// longer than the position table, images of the wrong size). The message names the input.
public enum EncoderInputError: Error, CustomStringConvertible, Equatable {
    case invalid(input: String, reason: String)

    public var description: String {
        switch self {
        case .invalid(let input, let reason): return "invalid \(input): \(reason)"
        }
    }
}
