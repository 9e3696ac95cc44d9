/// Host memory for the CPU backend: either owned (allocated here, freed on deinit) or borrowed
/// from another object that keeps it alive (a memory-mapped safetensors file).
public final class CPUBuffer: DeviceBuffer, @unchecked Sendable {
    public let pointer: UnsafeMutableRawPointer
    public let byteCount: Int
    private let owner: AnyObject?

    /// Allocates `byteCount` bytes, 64-byte aligned, uninitialised (large blocks come from and
    /// return to `CPUMemoryPool.shared`).
    public init(byteCount: Int) {
        self.pointer = CPUMemoryPool.shared.allocate(byteCount)
        self.byteCount = byteCount
        self.owner = nil
    }

    /// Borrows `pointer`; `owner` is retained for as long as this buffer lives.
    public init(borrowing pointer: UnsafeRawPointer, byteCount: Int, owner: AnyObject) {
        self.pointer = UnsafeMutableRawPointer(mutating: pointer)
        self.byteCount = byteCount
        self.owner = owner
    }

    deinit {
        if owner == nil { CPUMemoryPool.shared.deallocate(pointer, bytes: byteCount) }
    }
}
