import Foundation

/// Byte-pair encoding with CLIP's conventions: a word's last symbol carries `</w>`, the
/// adjacent pair with the lowest merge rank is merged everywhere (left to right, without
/// overlap) until no ranked pair remains. Results are cached per word.
final class BPE: @unchecked Sendable {
    struct Pair: Hashable {
        let first: String
        let second: String
    }

    let ranks: [Pair: Int]
    private var cache: [String: [String]] = [:]
    private let lock = NSLock()

    init(merges: [(String, String)]) {
        var ranks: [Pair: Int] = [:]
        for (rank, merge) in merges.enumerated() where ranks[Pair(first: merge.0, second: merge.1)] == nil {
            ranks[Pair(first: merge.0, second: merge.1)] = rank
        }
        self.ranks = ranks
    }

    /// The symbols of `word` (already byte-encoded) after all merges.
    func symbols(_ word: [Unicode.Scalar]) -> [String] {
        let key = String(String.UnicodeScalarView(word))
        lock.lock()
        let cached = cache[key]
        lock.unlock()
        if let cached { return cached }

        var parts = word.map { String($0) }
        guard !parts.isEmpty else { return [] }
        parts[parts.count - 1] += "</w>"
        while parts.count > 1 {
            var best: (rank: Int, pair: Pair)?
            for k in 0..<(parts.count - 1) {
                let pair = Pair(first: parts[k], second: parts[k + 1])
                if let rank = ranks[pair], rank < (best?.rank ?? Int.max) { best = (rank, pair) }
            }
            guard let (_, pair) = best else { break }
            var merged: [String] = []
            merged.reserveCapacity(parts.count)
            var k = 0
            while k < parts.count {
                if k + 1 < parts.count, parts[k] == pair.first, parts[k + 1] == pair.second {
                    merged.append(pair.first + pair.second)
                    k += 2
                } else {
                    merged.append(parts[k])
                    k += 1
                }
            }
            parts = merged
        }
        lock.lock()
        if cache.count > 100_000 { cache.removeAll(keepingCapacity: true) }
        cache[key] = parts
        lock.unlock()
        return parts
    }
}
