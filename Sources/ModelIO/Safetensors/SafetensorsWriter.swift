#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Tensor

/// Builds a safetensors file in memory and writes it atomically: the bytes go to a temporary
/// file beside the target, which is renamed over the target only when complete, so a failure
/// never leaves a partial output file.
///
/// Tensors are laid out with the widest element types first and the header padded with spaces
/// to a multiple of 8 bytes, so every tensor is aligned to its element size when mapped.
public struct SafetensorsWriter {
    private struct Pending {
        let name: String
        let dtype: SafetensorsDType
        let shape: [Int]
        let data: [UInt8]
    }

    private var tensors: [Pending] = []
    private var names: Set<String> = []
    /// Written as the header's `__metadata__` map.
    public var metadata: [String: String]

    public init(metadata: [String: String] = [:]) {
        self.metadata = metadata
    }

    /// Adds a tensor from its raw little-endian bytes. The byte count must equal the element
    /// count times the dtype size; names must be unique and not `__metadata__`.
    public mutating func add(_ name: String, dtype: SafetensorsDType, shape: [Int], bytes: [UInt8]) throws {
        guard !name.isEmpty, name != "__metadata__" else {
            throw ModelIOError.invalidTensor(name: name, reason: "reserved or empty name")
        }
        guard !names.contains(name) else { throw ModelIOError.invalidTensor(name: name, reason: "added twice") }
        guard shape.allSatisfy({ $0 >= 0 }) else {
            throw ModelIOError.invalidTensor(name: name, reason: "shape \(shape) has a negative dimension")
        }
        var elements = 1
        for d in shape {
            let (p, overflow) = elements.multipliedReportingOverflow(by: d)
            guard !overflow else { throw ModelIOError.invalidTensor(name: name, reason: "shape \(shape) is too large") }
            elements = p
        }
        guard elements * dtype.byteSize == bytes.count else {
            throw ModelIOError.invalidTensor(
                name: name, reason: "shape \(shape) of \(dtype.rawValue) needs \(elements * dtype.byteSize) bytes, got \(bytes.count)")
        }
        names.insert(name)
        tensors.append(Pending(name: name, dtype: dtype, shape: shape, data: bytes))
    }

    public mutating func add(_ name: String, float32 values: [Float], shape: [Int]) throws {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(values.count * 4)
        for v in values { withUnsafeBytes(of: v.bitPattern.littleEndian) { bytes.append(contentsOf: $0) } }
        try add(name, dtype: .float32, shape: shape, bytes: bytes)
    }

    public mutating func add(_ name: String, int64 values: [Int], shape: [Int]) throws {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(values.count * 8)
        for v in values { withUnsafeBytes(of: Int64(v).littleEndian) { bytes.append(contentsOf: $0) } }
        try add(name, dtype: .int64, shape: shape, bytes: bytes)
    }

    public mutating func add(_ name: String, uint8 values: [UInt8], shape: [Int]) throws {
        try add(name, dtype: .uint8, shape: shape, bytes: values)
    }

    /// Adds a backend tensor as float32 (half-precision storage is widened).
    public mutating func add(_ name: String, tensor: Tensor, on backend: any Backend) throws {
        try add(name, float32: backend.toHost(tensor), shape: tensor.shape)
    }

    /// The complete file contents.
    public func serialized() -> [UInt8] {
        // Widest elements first keeps every span aligned once the data section is 8-aligned.
        let ordered = tensors.sorted { ($0.dtype.byteSize, $1.name) > ($1.dtype.byteSize, $0.name) }
        var entries: [String] = []
        if !metadata.isEmpty {
            let members = metadata.keys.sorted().map { JSONText.quoted($0) + ":" + JSONText.quoted(metadata[$0] ?? "") }
            entries.append("\"__metadata__\":{" + members.joined(separator: ",") + "}")
        }
        var offset = 0
        for t in ordered {
            let shape = t.shape.map(String.init).joined(separator: ",")
            entries.append(JSONText.quoted(t.name)
                + ":{\"dtype\":\"\(t.dtype.rawValue)\",\"shape\":[\(shape)],\"data_offsets\":[\(offset),\(offset + t.data.count)]}")
            offset += t.data.count
        }
        var header = Array(("{" + entries.joined(separator: ",") + "}").utf8)
        while (8 + header.count) % 8 != 0 { header.append(UInt8(ascii: " ")) }
        var out: [UInt8] = []
        out.reserveCapacity(8 + header.count + offset)
        withUnsafeBytes(of: UInt64(header.count).littleEndian) { out.append(contentsOf: $0) }
        out.append(contentsOf: header)
        for t in ordered { out.append(contentsOf: t.data) }
        return out
    }

    /// Writes the file atomically to `path` (replacing any existing file).
    public func write(to path: String) throws {
        try AtomicFile.write(serialized(), to: path)
    }
}

/// Whole-file writes through a temporary file and `rename(2)`.
public enum AtomicFile {
    public static func write(_ bytes: [UInt8], to path: String) throws {
        let slash = path.lastIndex(of: "/")
        let directory = slash.map { String(path[..<$0]) + "/" } ?? ""
        let base = slash.map { String(path[path.index(after: $0)...]) } ?? path
        guard !base.isEmpty else { throw ModelIOError.writeFailed(path: path, reason: "not a file path") }
        var template = Array((directory + "." + base + ".tmp-XXXXXX").utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else { throw ModelIOError.writeFailed(path: path, reason: MappedFile.describe(errno)) }
        let tempPath = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        var failure: String?
        bytes.withUnsafeBytes { buffer in
            var written = 0
            while written < buffer.count {
                let n = posixWrite(fd, buffer.baseAddress! + written, buffer.count - written)
                if n < 0 {
                    if errno == EINTR { continue }
                    failure = MappedFile.describe(errno)
                    return
                }
                written += n
            }
        }
        // mkstemp creates the file 0600; outputs are ordinary readable files.
        if failure == nil, fchmod(fd, 0o644) != 0 { failure = MappedFile.describe(errno) }
        if failure == nil, fsync(fd) != 0 { failure = MappedFile.describe(errno) }
        if close(fd) != 0, failure == nil { failure = MappedFile.describe(errno) }
        if failure == nil, rename(tempPath, path) != 0 { failure = MappedFile.describe(errno) }
        if let failure {
            unlink(tempPath)
            throw ModelIOError.writeFailed(path: path, reason: failure)
        }
    }
}

private func posixWrite(_ fd: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
    write(fd, buffer, count)
}
