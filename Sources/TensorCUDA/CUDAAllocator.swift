import Foundation
import Tensor

/// Device memory for one tensor. Returned to the context's caching allocator when released.
public final class CUDABuffer: DeviceBuffer, @unchecked Sendable {
    public let address: UInt64
    public let byteCount: Int
    let capacity: Int
    private let allocator: CUDAAllocator

    init(address: UInt64, byteCount: Int, capacity: Int, allocator: CUDAAllocator) {
        self.address = address
        self.byteCount = byteCount
        self.capacity = capacity
        self.allocator = allocator
    }

    deinit { allocator.release(address: address, capacity: capacity) }
}

/// A caching allocator: freed blocks are kept in per-size free lists (sizes rounded up to 1 MiB
/// above 1 MiB, to powers of two below) and reused by best fit (a block up to 25% larger than asked); on an allocation failure the cache is emptied
/// and the allocation retried once. `peakBytes` is the largest amount ever held from the driver.
final class CUDAAllocator: @unchecked Sendable {
    private let driver: CUDADriver
    private var free: [Int: [UInt64]] = [:]
    /// The sizes with cached blocks, ascending.
    private var sizes: [Int] = []
    private let lock = NSLock()
    private(set) var heldBytes = 0
    private(set) var peakBytes = 0
    private(set) var inUseBytes = 0
    private(set) var peakInUseBytes = 0

    init(driver: CUDADriver) { self.driver = driver }

    static func roundUp(_ n: Int) -> Int {
        if n <= 512 { return 512 }
        if n < 1 << 20 { var p = 512; while p < n { p <<= 1 }; return p }
        return (n + (1 << 20) - 1) & ~((1 << 20) - 1)
    }

    func allocate(bytes: Int) throws -> (UInt64, Int) {
        let cap = Self.roundUp(bytes)
        lock.lock(); defer { lock.unlock() }
        // Best fit: the smallest cached block of at least `cap` bytes and at most 25% larger.
        if let size = sizes.first(where: { $0 >= cap }), size <= cap + cap / 4, var list = free[size], let addr = list.popLast() {
            free[size] = list
            if list.isEmpty { free[size] = nil; sizes.removeAll { $0 == size } }
            inUseBytes += size; peakInUseBytes = max(peakInUseBytes, inUseBytes)
            return (addr, size)
        }
        var addr: UInt64 = 0
        var rc = driver.cuMemAlloc(&addr, cap)
        if rc != 0 {
            emptyCacheLocked()
            rc = driver.cuMemAlloc(&addr, cap)
            if rc != 0 {
                var freeB = 0, total = 0
                _ = driver.cuMemGetInfo(&freeB, &total)
                if rc == 2 { throw CUDAError.outOfMemory(requested: cap, free: freeB, total: total) }
                try driver.check(rc, "cuMemAlloc(\(cap))")
            }
        }
        heldBytes += cap; peakBytes = max(peakBytes, heldBytes)
        inUseBytes += cap; peakInUseBytes = max(peakInUseBytes, inUseBytes)
        return (addr, cap)
    }

    func release(address: UInt64, capacity: Int) {
        lock.lock(); defer { lock.unlock() }
        if free[capacity] == nil {
            sizes.insert(capacity, at: sizes.firstIndex { $0 > capacity } ?? sizes.count)
        }
        free[capacity, default: []].append(address)
        inUseBytes -= capacity
    }

    /// Returns every cached block to the driver.
    func emptyCache() { lock.lock(); emptyCacheLocked(); lock.unlock() }

    private func emptyCacheLocked() {
        for (cap, list) in free { for a in list { _ = driver.cuMemFree(a); heldBytes -= cap } }
        free.removeAll()
        sizes.removeAll()
    }
}
