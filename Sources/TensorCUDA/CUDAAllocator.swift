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

/// A caching allocator for one GPU, used in stream order (all work runs on one stream, so a block
/// freed by the host can be handed to the next launch without synchronisation).
///
/// - Small requests (≤ 1 MiB) come from per-size free lists of power-of-two blocks.
/// - Large requests are carved out of driver segments: the best-fitting free block is split, and a
///   released block merges with free neighbours of its segment. Memory freed by one layer's big
///   activations is thus reused for the next layer's differently sized ones, and the memory held
///   stays close to the peak in use.
/// - On a driver allocation failure, every fully free segment is returned and the allocation retried.
final class CUDAAllocator: @unchecked Sendable {
    /// Driver calls, injectable so the bookkeeping can be tested without a GPU.
    struct Device {
        /// Allocates `bytes`; returns the address, or nil with the driver's status.
        var allocate: (Int) -> (UInt64?, Int32)
        var free: (UInt64) -> Void
        /// (free, total) bytes of device memory.
        var memoryInfo: () -> (Int, Int)
    }

    static let smallLimit = 1 << 20
    /// Segment granularity for large requests.
    static let segmentRounding = 2 << 20

    private struct Block { var size: Int; var segment: UInt64; var free: Bool; var prev: UInt64?; var next: UInt64? }

    private let device: Device
    private let lock = NSLock()
    private var smallFree: [Int: [UInt64]] = [:]
    /// Large blocks by address, and the free ones as (size, address) ascending.
    private var blocks: [UInt64: Block] = [:]
    private var freeLarge: [(size: Int, addr: UInt64)] = []
    private var segments: [UInt64: Int] = [:]
    private(set) var heldBytes = 0
    private(set) var peakBytes = 0
    private(set) var inUseBytes = 0
    private(set) var peakInUseBytes = 0

    init(device: Device) { self.device = device }

    convenience init(driver: CUDADriver) {
        self.init(device: Device(
            allocate: { bytes in
                var addr: UInt64 = 0
                let rc = driver.cuMemAlloc(&addr, bytes)
                return (rc == 0 ? addr : nil, rc)
            },
            free: { _ = driver.cuMemFree($0) },
            memoryInfo: {
                var free = 0, total = 0
                _ = driver.cuMemGetInfo(&free, &total)
                return (free, total)
            }))
    }

    /// Size class of a request: powers of two up to 1 MiB, multiples of 512 bytes above.
    static func roundUp(_ n: Int) -> Int {
        if n <= 512 { return 512 }
        if n <= smallLimit { var p = 512; while p < n { p <<= 1 }; return p }
        return (n + 511) / 512 * 512
    }

    /// Returns the block's address and its capacity (pass both back to `release`).
    func allocate(bytes: Int) throws -> (UInt64, Int) {
        let cap = Self.roundUp(bytes)
        lock.lock(); defer { lock.unlock() }
        let addr = cap <= Self.smallLimit ? try allocateSmall(cap) : try allocateLarge(cap)
        inUseBytes += cap; peakInUseBytes = max(peakInUseBytes, inUseBytes)
        return (addr, cap)
    }

    func release(address: UInt64, capacity: Int) {
        lock.lock(); defer { lock.unlock() }
        inUseBytes -= capacity
        if capacity <= Self.smallLimit { smallFree[capacity, default: []].append(address); return }
        guard var block = blocks[address] else { preconditionFailure("release of unknown block \(address)") }
        var addr = address
        block.free = true
        // Merge with a free successor, then with a free predecessor.
        if let n = block.next, let next = blocks[n], next.free {
            removeFree(n, size: next.size)
            block.size += next.size
            block.next = next.next
            if let nn = next.next { blocks[nn]?.prev = addr }
            blocks[n] = nil
        }
        if let p = block.prev, var prev = blocks[p], prev.free {
            removeFree(p, size: prev.size)
            prev.size += block.size
            prev.next = block.next
            if let n = block.next { blocks[n]?.prev = p }
            blocks[addr] = nil
            addr = p
            block = prev
        }
        blocks[addr] = block
        insertFree(addr, size: block.size)
    }

    /// Returns every cached block and every fully free segment to the driver.
    func emptyCache() { lock.lock(); emptyCacheLocked(); lock.unlock() }

    /// Consistency check for tests: blocks tile their segments exactly, neighbours link both ways,
    /// no two free blocks are adjacent, and the free index matches the blocks.
    func checkInvariants() -> String? {
        lock.lock(); defer { lock.unlock() }
        var freeCount = 0
        for (base, size) in segments {
            var addr: UInt64? = base, covered = 0, prevFree = false, prev: UInt64? = nil
            while let a = addr {
                guard let b = blocks[a] else { return "segment \(base): missing block at \(a)" }
                guard b.segment == base, b.prev == prev else { return "block \(a): bad links" }
                if b.free && prevFree { return "adjacent free blocks at \(a)" }
                if b.free { freeCount += 1 }
                covered += b.size; prevFree = b.free; prev = a; addr = b.next
                if let n = b.next, n != a + UInt64(b.size) { return "block \(a) is not followed by its successor" }
            }
            if covered != size { return "segment \(base): blocks cover \(covered) of \(size) bytes" }
        }
        if freeCount != freeLarge.count { return "free index has \(freeLarge.count) entries for \(freeCount) free blocks" }
        return nil
    }

    // MARK: - Internals (lock held)

    private func allocateSmall(_ cap: Int) throws -> UInt64 {
        if var list = smallFree[cap], let addr = list.popLast() {
            smallFree[cap] = list
            return addr
        }
        return try driverAllocate(cap)
    }

    private func allocateLarge(_ cap: Int) throws -> UInt64 {
        // Best fit: the smallest free block that holds the request.
        var lo = 0, hi = freeLarge.count
        while lo < hi { let mid = (lo + hi) / 2; if freeLarge[mid].size < cap { lo = mid + 1 } else { hi = mid } }
        if lo < freeLarge.count {
            let (size, addr) = freeLarge.remove(at: lo)
            split(addr, size: size, keep: cap)
            return addr
        }
        let segmentSize = (cap + Self.segmentRounding - 1) / Self.segmentRounding * Self.segmentRounding
        let base = try driverAllocate(segmentSize)
        segments[base] = segmentSize
        blocks[base] = Block(size: segmentSize, segment: base, free: false, prev: nil, next: nil)
        split(base, size: segmentSize, keep: cap)
        return base
    }

    /// Marks the block at `addr` used with `keep` bytes; a remainder becomes a free block after it.
    private func split(_ addr: UInt64, size: Int, keep: Int) {
        guard var block = blocks[addr] else { preconditionFailure("split of unknown block") }
        block.free = false
        if size - keep >= 512 {
            let rest = addr + UInt64(keep)
            blocks[rest] = Block(size: size - keep, segment: block.segment, free: true, prev: addr, next: block.next)
            if let n = block.next { blocks[n]?.prev = rest }
            block.next = rest
            block.size = keep
            insertFree(rest, size: size - keep)
        }
        blocks[addr] = block
    }

    private func insertFree(_ addr: UInt64, size: Int) {
        var lo = 0, hi = freeLarge.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if freeLarge[mid].size < size || (freeLarge[mid].size == size && freeLarge[mid].addr < addr) { lo = mid + 1 } else { hi = mid }
        }
        freeLarge.insert((size, addr), at: lo)
    }

    private func removeFree(_ addr: UInt64, size: Int) {
        if let i = freeLarge.firstIndex(where: { $0.addr == addr && $0.size == size }) { freeLarge.remove(at: i) }
    }

    private func driverAllocate(_ bytes: Int) throws -> UInt64 {
        var (addr, rc) = device.allocate(bytes)
        if addr == nil {
            emptyCacheLocked()
            (addr, rc) = device.allocate(bytes)
        }
        guard let addr else {
            let (free, total) = device.memoryInfo()
            if rc == 2 { throw CUDAError.outOfMemory(requested: bytes, free: free, total: total) }
            throw CUDAError.driver(call: "cuMemAlloc(\(bytes))", code: rc, message: "allocation failed")
        }
        heldBytes += bytes; peakBytes = max(peakBytes, heldBytes)
        return addr
    }

    private func emptyCacheLocked() {
        for (cap, list) in smallFree { for a in list { device.free(a); heldBytes -= cap } }
        smallFree.removeAll()
        for (base, size) in segments {
            guard let b = blocks[base], b.free, b.size == size else { continue }
            removeFree(base, size: size)
            blocks[base] = nil
            segments[base] = nil
            device.free(base)
            heldBytes -= size
        }
    }
}
