// Matches OpenCLIP open_clip/tokenizer.py: SimpleTokenizer (clean="lower"), with the special
// tokens, truncation and padding of transformers' CLIPTokenizer as I2VGenXLPipeline calls it
// (padding="max_length", max_length=model_max_length, truncation=True).

/// The CLIP BPE tokenizer of the I2VGen-XL text encoder.
///
/// `encode` produces `[BOS, tokens…, EOS, PAD…]` of length `modelMaxLength`; long prompts are
/// cut to `modelMaxLength - 2` tokens so that EOS stays last. Text is cleaned as OpenCLIP does
/// (ftfy-style repair, HTML unescaping, white-space collapsing, Python lower case) before the
/// CLIP pre-tokenizer splits it and byte-level BPE encodes each word.
public final class CLIPTokenizer: @unchecked Sendable {
    public let configuration: CLIPTokenizerConfiguration
    public let bosTokenID: Int
    public let eosTokenID: Int
    public let padTokenID: Int
    public let unkTokenID: Int
    public let vocabularySize: Int

    private let vocabulary: [String: Int]
    private let bpe: BPE
    private let preTokenizer: CLIPPreTokenizer

    /// Loads `vocab.json`, `merges.txt`, `tokenizer_config.json` and, if present,
    /// `special_tokens_map.json` from `folder`.
    public convenience init(folder: String) throws {
        let trimmed = folder.count > 1 && folder.hasSuffix("/") ? String(folder.dropLast()) : folder
        let configuration = try CLIPTokenizerConfiguration.read(folder: trimmed)
        let vocabulary = try CLIPTokenizerFiles.readVocabulary(trimmed + "/vocab.json")
        let merges = try CLIPTokenizerFiles.readMerges(trimmed + "/merges.txt")
        try self.init(vocabulary: vocabulary, merges: merges, configuration: configuration,
                      source: trimmed + "/tokenizer_config.json")
    }

    /// A tokenizer over an in-memory vocabulary; `source` names the configuration in errors.
    public init(
        vocabulary: [String: Int], merges: [(String, String)], configuration: CLIPTokenizerConfiguration,
        source: String = "tokenizer configuration"
    ) throws {
        func id(_ token: String, _ key: String) throws -> Int {
            guard let id = vocabulary[token] else {
                throw TokenizerError.tokenNotInVocabulary(token: token, key: key, file: source)
            }
            return id
        }
        self.configuration = configuration
        self.vocabulary = vocabulary
        bosTokenID = try id(configuration.bosToken, "bos_token")
        eosTokenID = try id(configuration.eosToken, "eos_token")
        padTokenID = try id(configuration.padToken, "pad_token")
        unkTokenID = try id(configuration.unkToken, "unk_token")
        vocabularySize = (vocabulary.values.max() ?? -1) + 1
        bpe = BPE(merges: merges)
        preTokenizer = CLIPPreTokenizer(specials: [
            Array(configuration.bosToken.unicodeScalars), Array(configuration.eosToken.unicodeScalars),
        ])
    }

    /// The text after clean-up: `whitespace_clean(basic_clean(text)).lower()`.
    public func clean(_ text: String) -> String {
        let fixed = TextFixer.fixText(text)
        let unescaped = HTMLUnescape.python(HTMLUnescape.python(fixed))
        var scalars = PythonText.collapseWhitespace(PythonText.strip(Array(unescaped.unicodeScalars)))
        if configuration.doLowerCase { scalars = PythonText.lower(scalars) }
        return String(String.UnicodeScalarView(scalars))
    }

    /// Token ids of `text` without BOS/EOS and without truncation.
    public func tokenIDs(_ text: String) -> [Int] {
        let cleaned = Array(clean(text).unicodeScalars)
        var ids: [Int] = []
        for piece in preTokenizer.split(cleaned) {
            switch piece {
            case .special(let token):
                ids.append(vocabulary[token] ?? unkTokenID)
            case .word(let scalars):
                for symbol in bpe.symbols(ByteEncoder.encode(scalars)) {
                    ids.append(vocabulary[symbol] ?? unkTokenID)
                }
            }
        }
        return ids
    }

    /// `[BOS, tokens…, EOS, PAD…]`, exactly `configuration.modelMaxLength` ids.
    public func encode(_ text: String) -> [Int] {
        let length = configuration.modelMaxLength
        var ids = [bosTokenID] + tokenIDs(text).prefix(length - 2) + [eosTokenID]
        ids += Array(repeating: padTokenID, count: length - ids.count)
        return ids
    }

    public func encode(_ texts: [String]) -> [[Int]] { texts.map { encode($0) } }
}
