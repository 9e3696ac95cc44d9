/// A safetensors file, memory-mapped read-only and fully validated on open. Tensor bytes are
/// never copied here: `SafetensorsTensor` views point into the mapping and keep it alive.
public final class SafetensorsFile: @unchecked Sendable {
    public let path: String
    public let header: SafetensorsHeader
    let mapping: MappedFile
    private let index: [String: Int]

    public init(path: String) throws {
        mapping = try MappedFile(path: path)
        self.path = path
        header = try SafetensorsHeader.parse(file: mapping.bytes, path: path)
        var index: [String: Int] = [:]
        for (i, entry) in header.entries.enumerated() { index[entry.name] = i }
        self.index = index
    }

    /// Tensor names in header order.
    public var names: [String] { header.entries.map(\.name) }
    public var metadata: [String: String] { header.metadata }
    public var count: Int { header.entries.count }

    public func contains(_ name: String) -> Bool { index[name] != nil }

    public func entry(_ name: String) -> SafetensorsEntry? { index[name].map { header.entries[$0] } }

    /// A view of tensor `name`, or nil when the file has no such tensor.
    public func tensor(_ name: String) -> SafetensorsTensor? {
        guard let entry = entry(name) else { return nil }
        return SafetensorsTensor(file: self, entry: entry)
    }

    /// Like `tensor(_:)`, but a missing tensor is an error naming the file and the key.
    public func require(_ name: String) throws -> SafetensorsTensor {
        guard let t = tensor(name) else {
            throw ModelIOError.missingTensor(file: path, key: name)
        }
        return t
    }

    /// All tensors in header order.
    public var tensors: [SafetensorsTensor] { header.entries.map { SafetensorsTensor(file: self, entry: $0) } }

    /// Start of the tensor's bytes inside the mapping.
    func pointer(for entry: SafetensorsEntry) -> UnsafeRawPointer {
        // A zero-byte tensor may sit at the very end of the file; `bytes` is non-empty whenever
        // the header parsed (it has at least 8 bytes), so `baseAddress` exists.
        mapping.bytes.baseAddress! + header.dataStart + entry.begin
    }
}
