import Tensor

/// A view of one tensor inside a memory-mapped `SafetensorsFile`. Holding the view keeps the
/// mapping alive.
public struct SafetensorsTensor: @unchecked Sendable {
    public let file: SafetensorsFile
    public let entry: SafetensorsEntry

    public var name: String { entry.name }
    public var dtype: SafetensorsDType { entry.dtype }
    public var shape: [Int] { entry.shape }
    public var elementCount: Int { entry.elementCount }
    public var byteCount: Int { entry.byteCount }

    /// The stored bytes (little-endian, row-major), valid while this view or its file lives.
    public var bytes: UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: file.pointer(for: entry), count: entry.byteCount)
    }

    /// The tensor as a backend `Tensor` (float32/float16/bfloat16 only). On the CPU backend this
    /// is zero-copy: the tensor's buffer refers to the mapping, which stays alive with it. Data
    /// that is not aligned to its element size is first copied into aligned memory.
    public func tensor(on backend: any Backend) throws -> Tensor {
        guard let dtype = entry.dtype.tensorDType else {
            throw ModelIOError.wrongDType(file: file.path, key: name, stored: entry.dtype.rawValue, wanted: "F32, F16 or BF16")
        }
        let start = file.pointer(for: entry)
        if Int(bitPattern: start) % entry.dtype.byteSize == 0 {
            return backend.wrap(bytes: start, dtype: dtype, shape: shape, owner: file)
        }
        let copy = AlignedBytes(copying: bytes)
        return backend.wrap(bytes: UnsafeRawPointer(copy.pointer), dtype: dtype, shape: shape, owner: copy)
    }

    /// The values as float32, widening F16/BF16 and narrowing F64.
    public func floats() throws -> [Float] {
        let raw = bytes
        let n = elementCount
        switch entry.dtype {
        case .float32:
            return (0..<n).map { raw.loadUnaligned(fromByteOffset: 4 * $0, as: Float.self) }
        case .float64:
            return (0..<n).map { Float(raw.loadUnaligned(fromByteOffset: 8 * $0, as: Double.self)) }
        case .float16:
            return (0..<n).map { Float(Float16(bitPattern: raw.loadUnaligned(fromByteOffset: 2 * $0, as: UInt16.self))) }
        case .bfloat16:
            return (0..<n).map {
                Float(bitPattern: UInt32(raw.loadUnaligned(fromByteOffset: 2 * $0, as: UInt16.self)) << 16)
            }
        default:
            throw ModelIOError.wrongDType(file: file.path, key: name, stored: entry.dtype.rawValue, wanted: "F32, F16, BF16 or F64")
        }
    }

    /// The values as integers (I64, I32, U8 or BOOL).
    public func ints() throws -> [Int] {
        let raw = bytes
        let n = elementCount
        switch entry.dtype {
        case .int64:
            return (0..<n).map { Int(Int64(littleEndian: raw.loadUnaligned(fromByteOffset: 8 * $0, as: Int64.self))) }
        case .int32:
            return (0..<n).map { Int(Int32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * $0, as: Int32.self))) }
        case .uint8, .bool:
            return raw.map { Int($0) }
        default:
            throw ModelIOError.wrongDType(file: file.path, key: name, stored: entry.dtype.rawValue, wanted: "I64, I32, U8 or BOOL")
        }
    }

    /// The raw bytes of a U8 or BOOL tensor.
    public func uint8s() throws -> [UInt8] {
        guard entry.dtype == .uint8 || entry.dtype == .bool else {
            throw ModelIOError.wrongDType(file: file.path, key: name, stored: entry.dtype.rawValue, wanted: "U8 or BOOL")
        }
        return Array(bytes)
    }

    /// Fails with a message naming the file and key unless the tensor has shape `expected`.
    public func checkShape(_ expected: [Int]) throws {
        guard shape == expected else {
            throw ModelIOError.weightShapeMismatch(key: name, expected: expected, stored: shape, file: file.path)
        }
    }
}

/// Heap bytes aligned for any element type; the owner of a tensor copied out of an unaligned
/// mapping.
final class AlignedBytes: @unchecked Sendable {
    let pointer: UnsafeMutableRawPointer
    let count: Int

    init(copying source: UnsafeRawBufferPointer) {
        count = source.count
        pointer = UnsafeMutableRawPointer.allocate(byteCount: max(count, 1), alignment: 64)
        if let base = source.baseAddress, count > 0 { pointer.copyMemory(from: base, byteCount: count) }
    }

    /// The sources one after another (stacked weights).
    init(concatenating sources: [UnsafeRawBufferPointer]) {
        count = sources.reduce(0) { $0 + $1.count }
        pointer = UnsafeMutableRawPointer.allocate(byteCount: max(count, 1), alignment: 64)
        var at = 0
        for source in sources {
            if let base = source.baseAddress, source.count > 0 { (pointer + at).copyMemory(from: base, byteCount: source.count) }
            at += source.count
        }
    }

    deinit { pointer.deallocate() }
}

extension SafetensorsTensor {
    /// Several stored tensors of one shape stacked along their first axis into one backend
    /// tensor (a copy): the bytes as stored when all share a dtype, else widened to float32.
    public static func stacked(_ views: [SafetensorsTensor], on backend: any Backend) throws -> Tensor {
        precondition(!views.isEmpty && views.allSatisfy { $0.shape == views[0].shape }, "stacking needs tensors of one shape")
        let shape = [views.count * (views[0].shape.first ?? 1)] + views[0].shape.dropFirst()
        if let dtype = views[0].dtype.tensorDType, views.allSatisfy({ $0.dtype == views[0].dtype }) {
            let copy = AlignedBytes(concatenating: views.map(\.bytes))
            return backend.wrap(bytes: UnsafeRawPointer(copy.pointer), dtype: dtype, shape: shape, owner: copy)
        }
        return backend.tensor(try views.flatMap { try $0.floats() }, shape: shape)
    }
}
