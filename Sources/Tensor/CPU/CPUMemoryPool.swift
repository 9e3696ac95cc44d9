import Foundation

/// A cache of large host blocks for the CPU backend. glibc serves blocks above its mmap threshold
/// (at most 32 MiB) with a fresh `mmap` every time, and every 4 KiB page of such a block is then
/// faulted in and zeroed by the kernel on first touch — about 1.6 ms per MiB measured on the
/// development VM, more than the arithmetic of many ops. A UNet step allocates gigabytes of such
/// blocks (activations, widened fp16 weights, im2col buffers), each the same sizes step after
/// step, so freed blocks are kept here (at most `capacityBytes`, process-wide) and handed out
/// again. Blocks below `minimumBytes` go straight to malloc, which already reuses them.
public final class CPUMemoryPool: @unchecked Sendable {
    public static let shared = CPUMemoryPool()

    public init(capacityBytes: Int = 768 << 20) { capacity = max(0, capacityBytes) }

    /// Most bytes kept in free blocks; a block freed beyond it is returned to the system.
    /// Cached blocks are resident, so this bounds what the cache adds to peak RSS.
    public var capacityBytes: Int {
        get { lock.lock(); defer { lock.unlock() }; return capacity }
        set { lock.lock(); capacity = max(0, newValue); trim(); lock.unlock() }
    }
    public let minimumBytes = 1 << 20

    private let lock = NSLock()
    private var capacity: Int
    private var free: [Int: [UnsafeMutableRawPointer]] = [:]
    private var order: [(size: Int, pointer: UnsafeMutableRawPointer)] = []  // oldest first
    private var cached = 0

    /// Bytes currently held in free blocks.
    public var cachedBytes: Int { lock.lock(); defer { lock.unlock() }; return cached }

    /// Block sizes are rounded up to 1/8 steps between powers of two (at most 12.5 % slack) so
    /// that tensors of nearly equal size share blocks.
    static func roundedSize(_ bytes: Int) -> Int {
        let b = max(bytes, 1)
        let top = Int.bitWidth - (b - 1).leadingZeroBitCount   // 2^top ≥ b
        let step = max(1 << max(top - 4, 0), 4096)
        return (b + step - 1) / step * step
    }

    /// A 64-byte aligned block of at least `bytes` bytes (uninitialised).
    public func allocate(_ bytes: Int) -> UnsafeMutableRawPointer {
        guard bytes >= minimumBytes else { return UnsafeMutableRawPointer.allocate(byteCount: max(bytes, 1), alignment: 64) }
        let size = Self.roundedSize(bytes)
        lock.lock()
        if var list = free[size], let p = list.popLast() {
            free[size] = list
            cached -= size
            if let i = order.firstIndex(where: { $0.pointer == p }) { order.remove(at: i) }
            lock.unlock()
            return p
        }
        lock.unlock()
        return UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 64)
    }

    /// Returns a block from `allocate(_:)` with the same `bytes`.
    public func deallocate(_ p: UnsafeMutableRawPointer, bytes: Int) {
        guard bytes >= minimumBytes else { p.deallocate(); return }
        let size = Self.roundedSize(bytes)
        lock.lock()
        if size > capacity {
            lock.unlock()
            p.deallocate()
            return
        }
        free[size, default: []].append(p)
        order.append((size, p))
        cached += size
        trim()
        lock.unlock()
    }

    /// Frees every cached block.
    public func releaseAll() {
        lock.lock()
        let saved = capacity
        capacity = 0
        trim()
        capacity = saved
        lock.unlock()
    }

    /// Frees the oldest cached blocks until the cache fits its capacity. Caller holds the lock.
    private func trim() {
        var i = 0
        while cached > capacity && i < order.count {
            let (size, p) = order[i]
            if var list = free[size], let j = list.firstIndex(of: p) {
                list.remove(at: j)
                free[size] = list.isEmpty ? nil : list
                cached -= size
                p.deallocate()
            }
            i += 1
        }
        order.removeFirst(i)
    }
}
