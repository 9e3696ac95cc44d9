import Foundation

/// One resource per GPU (an engine with its model loaded on that device), lent to one job at a
/// time: `withResource` waits for a free one, runs the body with it and gives it back, so N jobs
/// on N GPUs run side by side and job N+1 waits for the first GPU to finish. The least recently
/// returned free resource is lent first, which spreads consecutive jobs across the GPUs.
public final class DevicePool<Resource>: @unchecked Sendable {
    public let resources: [Resource]
    private let condition = NSCondition()
    /// Indices of the free resources, in the order they were returned.
    private var free: [Int]
    private var busyCount = 0

    public init(_ resources: [Resource]) {
        precondition(!resources.isEmpty, "a device pool needs at least one resource")
        self.resources = resources
        self.free = Array(resources.indices)
    }

    /// How many resources are lent out right now.
    public var busy: Int { condition.lock(); defer { condition.unlock() }; return busyCount }

    /// Runs `body` with a free resource and its index. While every resource is busy it waits,
    /// checking `isCancelled` every 0.2 s; a cancelled wait throws `DevicePoolError.cancelled`.
    public func withResource<T>(isCancelled: () -> Bool = { false }, _ body: (Resource, Int) throws -> T) throws -> T {
        condition.lock()
        while free.isEmpty {
            if isCancelled() { condition.unlock(); throw DevicePoolError.cancelled }
            _ = condition.wait(until: Date().addingTimeInterval(0.2))
        }
        let index = free.removeFirst()
        busyCount += 1
        condition.unlock()
        defer {
            condition.lock()
            free.append(index)
            busyCount -= 1
            condition.signal()
            condition.unlock()
        }
        return try body(resources[index], index)
    }
}

public enum DevicePoolError: Error, CustomStringConvertible {
    case cancelled
    public var description: String { "cancelled while waiting for a free GPU" }
}

extension DeviceSelection {
    /// A `--devices` list: "0,1", "cuda:0,cuda:2" or "all" (every GPU the driver reports,
    /// `available` of them). Each entry names one GPU; duplicates are refused.
    public static func parseList(_ text: String, available: () -> Int = { CUDABackend.deviceCount() }) throws -> [Int] {
        let t = text.trimmingCharacters(in: .whitespaces).lowercased()
        if t == "all" {
            let n = available()
            guard n > 0 else { throw DeviceSelectionError.invalid("all (no CUDA GPU found)") }
            return Array(0..<n)
        }
        var out: [Int] = []
        for part in t.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) {
            let digits = part.hasPrefix("cuda:") ? String(part.dropFirst(5)) : part
            guard let n = Int(digits), n >= 0, !out.contains(n) else { throw DeviceSelectionError.invalid(text) }
            out.append(n)
        }
        guard !out.isEmpty else { throw DeviceSelectionError.invalid(text) }
        return out
    }
}
