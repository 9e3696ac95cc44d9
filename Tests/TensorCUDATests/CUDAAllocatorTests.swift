@testable import TensorCUDA
import XCTest

/// The caching allocator's bookkeeping, on a fake device (no GPU needed): blocks are split and
/// merged so that memory freed by big tensors serves differently sized ones later.
final class CUDAAllocatorTests: XCTestCase {
    /// A fake device handing out addresses from a bump pointer, counting what is live.
    final class FakeDevice {
        var next: UInt64 = 1 << 40
        var live: [UInt64: Int] = [:]
        var capacity: Int
        init(capacity: Int) { self.capacity = capacity }
        var device: CUDAAllocator.Device {
            CUDAAllocator.Device(
                allocate: { [unowned self] bytes in
                    if self.live.values.reduce(0, +) + bytes > self.capacity { return (nil, 2) }
                    let a = self.next
                    self.next += UInt64(bytes + 4096)
                    self.live[a] = bytes
                    return (a, 0)
                },
                free: { [unowned self] a in self.live[a] = nil },
                memoryInfo: { [unowned self] in (self.capacity - self.live.values.reduce(0, +), self.capacity) })
        }
    }

    func testFreedLargeBlockServesSmallerRequestsWithoutNewDriverMemory() throws {
        let fake = FakeDevice(capacity: 1 << 34)
        let a = CUDAAllocator(device: fake.device)
        let (big, bigCap) = try a.allocate(bytes: 100 << 20)
        a.release(address: big, capacity: bigCap)
        let held = a.heldBytes
        let (x, xc) = try a.allocate(bytes: 60 << 20)
        let (y, yc) = try a.allocate(bytes: 40 << 20)
        XCTAssertEqual(a.heldBytes, held, "both pieces come out of the freed block")
        XCTAssertEqual(fake.live.count, 1)
        XCTAssertNotEqual(x, y)
        XCTAssertNil(a.checkInvariants())
        a.release(address: x, capacity: xc)
        a.release(address: y, capacity: yc)
        XCTAssertNil(a.checkInvariants())
        // Merged back: one 100 MiB request fits again without the driver.
        let (z, zc) = try a.allocate(bytes: 100 << 20)
        XCTAssertEqual(a.heldBytes, held)
        a.release(address: z, capacity: zc)
        a.emptyCache()
        XCTAssertEqual(a.heldBytes, 0)
        XCTAssertTrue(fake.live.isEmpty)
    }

    func testRandomTrafficKeepsBlocksDisjointAndConsistent() throws {
        let fake = FakeDevice(capacity: 1 << 34)
        let a = CUDAAllocator(device: fake.device)
        var rng: UInt64 = 0x9E3779B97F4A7C15
        func next() -> Int { rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17; return Int(rng >> 1) }
        var live: [(UInt64, Int, Int)] = []  // address, capacity, requested bytes
        for step in 0..<4000 {
            if live.isEmpty || (live.count < 150 && next() % 2 == 0) {
                let bytes = next() % 3 == 0 ? 1 + next() % (1 << 20) : (1 << 20) + next() % (64 << 20)
                let (addr, cap) = try a.allocate(bytes: bytes)
                XCTAssertGreaterThanOrEqual(cap, bytes)
                live.append((addr, cap, bytes))
            } else {
                let (addr, cap, _) = live.remove(at: next() % live.count)
                a.release(address: addr, capacity: cap)
            }
            if step % 97 == 0 { XCTAssertNil(a.checkInvariants(), "step \(step)") }
        }
        // No two live blocks overlap.
        let sorted = live.sorted { $0.0 < $1.0 }
        for (p, q) in zip(sorted, sorted.dropFirst()) {
            XCTAssertLessThanOrEqual(p.0 + UInt64(p.1), q.0, "blocks at \(p.0) and \(q.0) overlap")
        }
        XCTAssertEqual(a.inUseBytes, live.reduce(0) { $0 + $1.1 })
        for (addr, cap, _) in live { a.release(address: addr, capacity: cap) }
        XCTAssertNil(a.checkInvariants())
        a.emptyCache()
        XCTAssertEqual(a.heldBytes, 0)
        XCTAssertTrue(fake.live.isEmpty)
    }

    func testExhaustedDeviceReturnsCachedSegmentsThenReportsOutOfMemory() throws {
        let fake = FakeDevice(capacity: 256 << 20)
        let a = CUDAAllocator(device: fake.device)
        let (p, pc) = try a.allocate(bytes: 200 << 20)
        a.release(address: p, capacity: pc)
        // 250 MiB does not fit beside the cached 200 MiB segment nor inside it: the cache is
        // emptied and the request succeeds.
        let (q, qc) = try a.allocate(bytes: 250 << 20)
        XCTAssertEqual(a.heldBytes, 250 << 20)
        XCTAssertThrowsError(try a.allocate(bytes: 100 << 20)) { error in
            XCTAssertTrue("\(error)".contains("out of GPU memory"), "\(error)")
        }
        a.release(address: q, capacity: qc)
    }
}
