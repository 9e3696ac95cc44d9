import ModelIO

/// `i2v parity tokenizer` (PARITY.md): reads the metadata `prompts` (a JSON array of strings)
/// from the inputs file, tokenizes them with `<model-dir>/tokenizer/`, and writes `input_ids`
/// int64 [N, model_max_length] atomically to the output file.
public enum TokenizerParity {
    public static func run(modelDir: String, inputs: String, output: String) throws {
        let models = try ModelDirectory(path: modelDir)
        let tokenizer = try CLIPTokenizer(folder: models.component("tokenizer"))
        let prompts = try readPrompts(inputs)
        let ids = tokenizer.encode(prompts)
        var writer = SafetensorsWriter()
        try writer.add("input_ids", int64: ids.flatMap { $0 }, shape: [prompts.count, tokenizer.configuration.modelMaxLength])
        try writer.write(to: output)
    }

    /// The `prompts` metadata entry of a parity inputs file.
    public static func readPrompts(_ inputs: String) throws -> [String] {
        let file = try SafetensorsFile(path: inputs)
        guard let text = file.metadata["prompts"] else {
            throw ModelIOError.invalidJSON(file: inputs, key: "__metadata__.prompts", detail: "is missing")
        }
        let value: JSONValue
        do {
            value = try JSONParser.parse(text)
        } catch {
            throw ModelIOError.invalidJSON(file: inputs, key: "__metadata__.prompts", detail: "is not valid JSON (\(error))")
        }
        guard let array = value.arrayValue else {
            throw ModelIOError.invalidJSON(file: inputs, key: "__metadata__.prompts", detail: "must be a JSON array of strings")
        }
        return try array.enumerated().map { index, element in
            guard let s = element.stringValue else {
                throw ModelIOError.invalidJSON(
                    file: inputs, key: "__metadata__.prompts[\(index)]", detail: "must be a string, not \(element.typeDescription)")
            }
            return s
        }
    }
}
