import XCTest
@testable import ModelIO
import Tensor

/// Safetensors views become backend tensors without copying, and keep their file mapped.
final class TensorWrappingTests: TempDirTestCase {
    func testTakeWrapsTheMappedBytesAndTheTensorOutlivesTheLoader() throws {
        var writer = SafetensorsWriter()
        try writer.add("w", float32: [1, 2, 3, 4, 5, 6], shape: [2, 3])
        try writer.add("h", dtype: .float16, shape: [2], bytes: [0, 0x3C, 0, 0xC0])  // 1, -2
        try write(writer.serialized(), to: "vae/diffusion_pytorch_model.safetensors")

        var tensor: Tensor?
        var half: Tensor?
        var mapped: UnsafeRawPointer?
        do {
            let weights = try StrictWeights(folder: dir + "/vae", backend: testBackend)
            mapped = weights.openedFiles.first?.mapping.base
            tensor = try WeightScope(weights).take("w", [2, 3])
            half = try WeightScope(weights).take("h", [2])
            try weights.finish()
        }
        // The loader is gone; the tensors still read the mapping, which they keep alive.
        let t = try XCTUnwrap(tensor)
        XCTAssertEqual(t.shape, [2, 3])
        XCTAssertEqual(t.dtype, .float32)
        XCTAssertEqual(testBackend.toHost(t), [1, 2, 3, 4, 5, 6])
        let buffer = try XCTUnwrap(t.buffer as? CPUBuffer)
        let base = Int(bitPattern: try XCTUnwrap(mapped))
        let address = Int(bitPattern: buffer.pointer)
        XCTAssertTrue(address > base && address < base + 4096, "the tensor should point into the mapping")
        XCTAssertEqual(try XCTUnwrap(half).dtype, .float16)
        XCTAssertEqual(testBackend.toHost(try XCTUnwrap(half)), [1, -2])
    }

    func testUnalignedDataIsCopiedIntoAlignedMemory() throws {
        // A hand-made file whose float32 tensor starts at an odd offset (legal, if unusual).
        let header = #"{"b":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},"w":{"dtype":"F32","shape":[2],"data_offsets":[1,9]}}"#
        var data: [UInt8] = [7]
        for v: Float in [1.5, -3] { withUnsafeBytes(of: v.bitPattern.littleEndian) { data.append(contentsOf: $0) } }
        let file = try SafetensorsFile(path: try write(rawSafetensors(header: header, data: data), to: "u.safetensors"))
        let view = try file.require("w")
        let t = try view.tensor(on: testBackend)
        XCTAssertEqual(testBackend.toHost(t), [1.5, -3])
        let buffer = try XCTUnwrap(t.buffer as? CPUBuffer)
        XCTAssertEqual(Int(bitPattern: buffer.pointer) % 4, 0)
        XCTAssertEqual(try view.floats(), [1.5, -3])
    }

    func testBackendTensorsAreWrittenAsFloat32() throws {
        let half = try SafetensorsFile(path: try write(rawSafetensors(
            header: #"{"h":{"dtype":"F16","shape":[2],"data_offsets":[0,4]}}"#, data: [0, 0x3C, 0, 0xC0]), to: "h.safetensors"))
        var writer = SafetensorsWriter()
        try writer.add("out", tensor: try half.require("h").tensor(on: testBackend), on: testBackend)
        try writer.add("made", tensor: testBackend.tensor([0.5, 2, 3], shape: [3, 1]), on: testBackend)
        let file = try SafetensorsFile(path: try write(writer.serialized(), to: "o.safetensors"))
        XCTAssertEqual(try file.require("out").dtype, .float32)
        XCTAssertEqual(try file.require("out").floats(), [1, -2])
        XCTAssertEqual(try file.require("made").shape, [3, 1])
        XCTAssertEqual(try file.require("made").floats(), [0.5, 2, 3])
    }

    func testIntegerTensorsCannotBecomeBackendTensors() throws {
        var writer = SafetensorsWriter()
        try writer.add("ids", int64: [1], shape: [1])
        let path = try write(writer.serialized(), to: "i.safetensors")
        XCTAssertEqual(expectModelIOError { _ = try SafetensorsFile(path: path).require("ids").tensor(on: testBackend) },
                       .wrongDType(file: path, key: "ids", stored: "I64", wanted: "F32, F16 or BF16"))
    }
}
