/// Turns a prompt into the fixed-length token ids the text encoder takes (BOS, tokens, EOS,
/// padding; truncated to `model_max_length`, 77 for I2VGen-XL).
public protocol PromptTokenizer: Sendable {
    func inputIDs(for prompt: String) throws -> [Int]
}
