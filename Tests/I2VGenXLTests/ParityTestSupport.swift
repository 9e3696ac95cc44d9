import Foundation
import I2VGenXL
import ModelIO
import Tensor
import XCTest

/// Where the committed fixtures live, relative to this file.
enum Fixtures {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures")

    static func path(_ components: String...) -> String {
        components.reduce(root) { $0.appendingPathComponent($1) }.path
    }

    static func exists(_ path: String) -> Bool { FileManager.default.fileExists(atPath: path) }

    /// Sub-folders of `folder` (sorted), or [] when it does not exist.
    static func cases(in folder: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [])
            .filter { !$0.hasPrefix(".") }.sorted()
    }
}

/// PARITY.md's error: max|a − b| / max(max|ref|, 1e-6), in float64.
func relativeError(_ a: [Float], _ ref: [Float]) -> Double {
    precondition(a.count == ref.count)
    var maxDiff = 0.0, maxRef = 0.0
    for i in 0..<a.count {
        maxDiff = max(maxDiff, abs(Double(a[i]) - Double(ref[i])))
        maxRef = max(maxRef, abs(Double(ref[i])))
    }
    return maxDiff / max(maxRef, 1e-6)
}

/// Runs `i2v parity <component>`'s library entry (writing the output file exactly as the CLI
/// does), then returns the written file.
func runParity(_ component: String, model: String, inputs: String, backend: any Backend = CPUBackend()) throws -> SafetensorsFile {
    let out = FileManager.default.temporaryDirectory
        .appendingPathComponent("i2v-parity-\(component)-\(UUID().uuidString).safetensors").path
    try Parity.run(component: component, model: model, inputs: inputs, output: out, backend: backend)
    let file = try SafetensorsFile(path: out)
    try? FileManager.default.removeItem(atPath: out)  // the mapping stays valid after unlink
    return file
}

/// Asserts `output` holds exactly `names`, each with the reference's shape and an error within
/// `bound`; prints each measured error. Returns the errors by name.
@discardableResult
func assertParity(
    _ output: SafetensorsFile, reference: String, names: [String], bound: Double, label: String,
    file: StaticString = #filePath, line: UInt = #line
) throws -> [String: Double] {
    let ref = try SafetensorsFile(path: reference)
    XCTAssertEqual(Set(output.names), Set(names), "\(label): output tensors", file: file, line: line)
    var errors: [String: Double] = [:]
    for name in names {
        let got = try output.require(name), want = try ref.require(name)
        XCTAssertEqual(got.shape, want.shape, "\(label): \(name) shape", file: file, line: line)
        guard got.shape == want.shape else { continue }
        let err = relativeError(try values(got), try values(want))
        errors[name] = err
        print("parity \(label) \(name): relative error \(String(format: "%.3e", err)) (bound \(bound))")
        XCTAssertLessThanOrEqual(err, bound, "\(label): \(name)", file: file, line: line)
    }
    return errors
}

/// A stored tensor as float32 values, whatever its dtype (ints widened).
func values(_ t: SafetensorsTensor) throws -> [Float] {
    t.dtype.isFloatingPoint ? try t.floats() : try t.ints().map { Float($0) }
}
