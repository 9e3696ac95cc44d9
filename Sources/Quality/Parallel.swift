import Foundation

enum Parallel {
    /// `(0..<count).map(body)` with the iterations spread over the CPU cores.
    static func map<T>(_ count: Int, _ body: (Int) -> T) -> [T] {
        var out = [T?](repeating: nil, count: count)
        out.withUnsafeMutableBufferPointer { o in
            DispatchQueue.concurrentPerform(iterations: count) { i in o[i] = body(i) }
        }
        return out.map { $0! }
    }
}
