import TensorCUDA
import XCTest

/// One engine per GPU: jobs run side by side up to the number of devices, each device serves one
/// job at a time, and a job waiting for a device can be cancelled.
final class DevicePoolTests: XCTestCase {
    func testJobsSpreadOverDevicesAndNeverShareOne() throws {
        let pool = DevicePool(["gpu0", "gpu1"])
        final class Tally: @unchecked Sendable {
            let lock = NSLock()
            var inUse: Set<Int> = [], peak = 0, used: [Int: Int] = [:], overlaps = 0
        }
        let t = Tally()
        let group = DispatchGroup()
        for _ in 0..<8 {
            group.enter()
            Thread {
                defer { group.leave() }
                try? pool.withResource { _, index in
                    t.lock.lock()
                    if t.inUse.contains(index) { t.overlaps += 1 }
                    t.inUse.insert(index); t.peak = max(t.peak, t.inUse.count); t.used[index, default: 0] += 1
                    t.lock.unlock()
                    Thread.sleep(forTimeInterval: 0.05)
                    t.lock.lock(); t.inUse.remove(index); t.lock.unlock()
                }
            }.start()
        }
        XCTAssertEqual(group.wait(timeout: .now() + 30), .success)
        XCTAssertEqual(t.overlaps, 0, "a device ran two jobs at once")
        XCTAssertEqual(t.peak, 2, "both devices worked at the same time")
        XCTAssertEqual(t.used.values.reduce(0, +), 8)
        XCTAssertGreaterThan(t.used[0] ?? 0, 0)
        XCTAssertGreaterThan(t.used[1] ?? 0, 0)
        XCTAssertEqual(pool.busy, 0)
    }

    func testConsecutiveJobsAlternateDevices() throws {
        let pool = DevicePool([10, 11])
        let order = try (0..<4).map { _ in try pool.withResource { r, _ in r } }
        XCTAssertEqual(order, [10, 11, 10, 11])
    }

    func testWaitingJobCanBeCancelledAndAFailingJobReturnsItsDevice() throws {
        let pool = DevicePool(["only"])
        struct Boom: Error {}
        XCTAssertThrowsError(try pool.withResource { _, _ in throw Boom() })
        XCTAssertEqual(pool.busy, 0, "the device came back after the error")
        let holding = expectation(description: "holding")
        let release = DispatchSemaphore(value: 0)
        Thread { _ = try? pool.withResource { _, _ in holding.fulfill(); release.wait() } }.start()
        wait(for: [holding], timeout: 10)
        XCTAssertThrowsError(try pool.withResource(isCancelled: { true }) { _, _ in XCTFail("must not run") }) { error in
            XCTAssertEqual("\(error)", "cancelled while waiting for a free GPU")
        }
        release.signal()
    }

    func testDeviceListsParse() throws {
        XCTAssertEqual(try DeviceSelection.parseList("0,1"), [0, 1])
        XCTAssertEqual(try DeviceSelection.parseList("cuda:2, cuda:0"), [2, 0])
        XCTAssertEqual(try DeviceSelection.parseList("all", available: { 3 }), [0, 1, 2])
        XCTAssertThrowsError(try DeviceSelection.parseList("all", available: { 0 }))
        XCTAssertThrowsError(try DeviceSelection.parseList("0,0"))
        XCTAssertThrowsError(try DeviceSelection.parseList("gpu"))
        XCTAssertThrowsError(try DeviceSelection.parseList(""))
    }
}
