import XCTest
@testable import ModelIO

/// Property-style checks: no input, however mangled, crashes the reader. Each file either opens
/// (and then every view lies inside the mapping) or is rejected with a `ModelIOError`.
final class SafetensorsRobustnessTests: TempDirTestCase {
    private func validFile() throws -> [UInt8] {
        var writer = SafetensorsWriter(metadata: ["k": "v"])
        try writer.add("down.weight", float32: [1, 2, 3, 4, 5, 6], shape: [2, 3])
        try writer.add("down.bias", dtype: .float16, shape: [2], bytes: [0, 60, 0, 64])
        try writer.add("ids", int64: [1, 2], shape: [2])
        try writer.add("mask", uint8: [1], shape: [1])
        return writer.serialized()
    }

    /// Validates `bytes` in memory (and, when `viaFile`, also through a mapped file); returns
    /// true when accepted.
    private func openChecked(_ bytes: [UInt8], _ label: String, viaFile: Bool = false) throws -> Bool {
        do {
            let header = try bytes.withUnsafeBytes { try SafetensorsHeader.parse(file: $0, path: "mem") }
            for e in header.entries {
                XCTAssertTrue(e.begin >= 0 && header.dataStart + e.end <= bytes.count, "\(label): \(e.name) escapes")
                XCTAssertEqual(e.byteCount, e.elementCount * e.dtype.byteSize, label)
            }
        } catch is ModelIOError {
            return false
        }
        guard viaFile else { return true }
        let file = try SafetensorsFile(path: try write(bytes, to: "fuzz.safetensors"))
        for view in file.tensors {
            if view.dtype.isFloatingPoint { _ = try view.floats() } else { _ = try view.ints() }
        }
        return true
    }

    func testEveryTruncationIsRejected() throws {
        let valid = try validFile()
        XCTAssertTrue(try openChecked(valid, "whole", viaFile: true))
        for n in 0..<valid.count {
            XCTAssertFalse(try openChecked(Array(valid.prefix(n)), "prefix \(n)"), "prefix of \(n) bytes was accepted")
        }
    }

    func testRandomBytesNeverCrash() throws {
        var rng = SeededGenerator(seed: 1)
        for trial in 0..<300 {
            let count = Int.random(in: 0..<200, using: &rng)
            var bytes = (0..<count).map { _ in UInt8.random(in: 0...255, using: &rng) }
            if trial % 2 == 0, bytes.count >= 8 {
                // Plausible length fields reach the JSON parser instead of failing early.
                let length = UInt64(Int.random(in: 0...(bytes.count - 8), using: &rng))
                withUnsafeBytes(of: length.littleEndian) { for k in 0..<8 { bytes[k] = $0[k] } }
            }
            _ = try openChecked(bytes, "random trial \(trial)")
        }
    }

    func testMutatedValidFilesNeverCrash() throws {
        let valid = try validFile()
        let headerLength = Int(valid[0]) | Int(valid[1]) << 8
        let interesting: [UInt8] = Array("{}[]\":,-0123456789e.ABFIU \\".utf8) + [0, 0xFF, 0x80]
        var rng = SeededGenerator(seed: 2)
        var accepted = 0
        for trial in 0..<3000 {
            var bytes = valid
            let edits = Int.random(in: 1...4, using: &rng)
            for _ in 0..<edits {
                switch Int.random(in: 0..<4, using: &rng) {
                case 0:  // overwrite a header byte with a JSON-significant one
                    bytes[8 + Int.random(in: 0..<headerLength, using: &rng)] = interesting.randomElement(using: &rng)!
                case 1:  // flip a random bit anywhere
                    let i = Int.random(in: 0..<bytes.count, using: &rng)
                    bytes[i] ^= 1 << UInt8.random(in: 0..<8, using: &rng)
                case 2:  // delete a byte
                    bytes.remove(at: Int.random(in: 0..<bytes.count, using: &rng))
                default:  // insert a byte
                    bytes.insert(interesting.randomElement(using: &rng)!, at: Int.random(in: 0...bytes.count, using: &rng))
                }
                if bytes.isEmpty { break }
            }
            if try openChecked(bytes, "mutation trial \(trial)", viaFile: trial % 10 == 0) { accepted += 1 }
        }
        // Bit flips in tensor data and harmless header edits keep a file valid; most edits do not.
        XCTAssertGreaterThan(accepted, 0)
        XCTAssertLessThan(accepted, 3000)
    }
}
