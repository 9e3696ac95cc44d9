import ModelIO

/// `tokenizer`: metadata `prompts` (JSON array of strings) → input_ids int64 [N, 77], with the
/// pipeline's `tokenizer/` (see `TokenizerParity` for the reading of the prompts).
public struct TokenizerParityComponent: ParityComponent {
    public init() {}
    public var name: String { "tokenizer" }
    public var summary: String { "metadata prompts (JSON array) → input_ids int64 [N,77]" }

    public func run(_ ctx: ParityContext) throws -> ParityOutputs {
        let tokenizer = try CLIPTokenizer(folder: ctx.model.component("tokenizer"))
        let prompts = try TokenizerParity.readPrompts(ctx.inputs.path)
        let ids = tokenizer.encode(prompts)
        var out = ParityOutputs()
        try out.add("input_ids", int64: ids.flatMap { $0 }, shape: [prompts.count, tokenizer.configuration.modelMaxLength])
        return out
    }
}
