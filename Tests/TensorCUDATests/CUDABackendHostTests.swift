import XCTest
@testable import TensorCUDA
import Tensor

/// What the CUDA backend promises on any host, GPU or not. The GPU-side checks (every op against
/// the CPU backend) run on a GPU host through `i2v-device check-ops` (scripts/device/).
final class CUDABackendHostTests: XCTestCase {
    func testOpeningWithoutADriverNamesTheMissingLibrary() {
        do {
            let backend = try CUDABackend(device: 0)
            // A GPU host: the backend must describe the device it opened.
            XCTAssertTrue(backend.name.hasPrefix("cuda:0 "), backend.name)
        } catch let error as CUDAError {
            let message = error.description
            XCTAssertTrue(message.contains("libcuda.so.1"), message)
            XCTAssertTrue(message.contains("CUDA_HOME"), "the message should say how to point i2v at CUDA: \(message)")
        } catch {
            XCTFail("unexpected error type \(error)")
        }
    }

    func testBroadcastStridesCollapseContiguousDimensions() {
        // [2,3,4,5] + [3,1,5]: dims 0 broadcast in b; dim 2 broadcast in b.
        let shape = Broadcast.shape([2, 3, 4, 5], [3, 1, 5])
        XCTAssertEqual(shape, [2, 3, 4, 5])
        let sa = Broadcast.strides([2, 3, 4, 5], to: shape), sb = Broadcast.strides([3, 1, 5], to: shape)
        XCTAssertEqual(sa, [60, 20, 5, 1])
        XCTAssertEqual(sb, [0, 5, 0, 1])
        let (d, a, b) = CUDABackend.collapse(shape, sa, sb)
        // Nothing merges across the broadcast dims here; rank stays ≤ 6 and sizes multiply to 120.
        XCTAssertEqual(d.reduce(1, *), 120)
        XCTAssertEqual(d.count, a.count)
        XCTAssertEqual(d.count, b.count)
        // Fully contiguous same-shape operands collapse to one dimension.
        let (d2, a2, b2) = CUDABackend.collapse([2, 3, 4, 5, 6, 7, 8], Broadcast.strides([2, 3, 4, 5, 6, 7, 8], to: [2, 3, 4, 5, 6, 7, 8]),
                                                Broadcast.strides([2, 3, 4, 5, 6, 7, 8], to: [2, 3, 4, 5, 6, 7, 8]))
        XCTAssertEqual(d2, [40320]); XCTAssertEqual(a2, [1]); XCTAssertEqual(b2, [1])
    }

    func testStridesStructMatchesTheKernelLayout() {
        // struct Strides6 { int rank; long long dims[6]; long long a[6]; long long b[6]; } = 152 bytes
        let arg = KernelArg.strides6(rank: 2, dims: [3, 4], a: [4, 1], b: [0, 1])
        XCTAssertEqual(arg.bytes.count, 152)
        XCTAssertEqual(arg.bytes[0], 2)
        XCTAssertEqual(arg.bytes[8], 3)       // dims[0]
        XCTAssertEqual(arg.bytes[16], 4)      // dims[1]
        XCTAssertEqual(arg.bytes[56], 4)      // a[0]
        XCTAssertEqual(arg.bytes[104 + 8], 1) // b[1]
    }

    func testAllocatorRoundsSizesToReusableClasses() {
        XCTAssertEqual(CUDAAllocator.roundUp(1), 512)
        XCTAssertEqual(CUDAAllocator.roundUp(513), 1024)
        XCTAssertEqual(CUDAAllocator.roundUp(700_000), 1 << 20)
        // Large requests are carved from segments at 512-byte granularity.
        XCTAssertEqual(CUDAAllocator.roundUp((1 << 20) + 1), (1 << 20) + 512)
        XCTAssertEqual(CUDAAllocator.roundUp(600 << 20), 600 << 20)
    }
}

/// Kernel-selection rules of the fast paths, checkable without a GPU.
final class CUDAFastPathHostTests: XCTestCase {
    func testChannelBroadcastIsRecognisedOnlyForOneStrideOneAxis() {
        // [2,16,3,8,8] + [2,16,1,1,1] collapses to dims [32, 192] with the channel operand on axis 0.
        let shape = [2, 16, 3, 8, 8]
        let (d, a, b) = CUDABackend.collapse(shape, Broadcast.strides(shape, to: shape), Broadcast.strides([2, 16, 1, 1, 1], to: shape))
        let cb = CUDABackend.channelBroadcast(d, full: a, channel: b)
        XCTAssertEqual(cb?.inner, 192)
        XCTAssertEqual(cb?.mid, 32)
        // A last-axis operand ([N, C] + [C]: inner would be 1) and a full operand are not channel broadcasts.
        let (d2, a2, b2) = CUDABackend.collapse([4, 8], Broadcast.strides([4, 8], to: [4, 8]), Broadcast.strides([8], to: [4, 8]))
        XCTAssertNil(CUDABackend.channelBroadcast(d2, full: a2, channel: b2))
        XCTAssertNil(CUDABackend.channelBroadcast([6, 20], full: [20, 1], channel: [20, 1]))
        // The "full" operand must be contiguous.
        XCTAssertNil(CUDABackend.channelBroadcast([6, 20], full: [1, 6], channel: [1, 0]))
    }

    func testEveryChosenFlashVariantIsCompiledIntoTheHalfModules() {
        for v in FlashVariant.compiled {
            let entry = "FLASH_ENTRY(\(v.headDim), \(v.warps), \(v.rowGroups), \(v.keyTile),"
            XCTAssertTrue(KernelSource.source(storage: "h16").contains(entry), entry)
            XCTAssertTrue(KernelSource.source(storage: "b16").contains(entry), entry)
        }
        for d in [64, 80] {
            for (lq, lk) in [(16, 16), (64, 64), (4096, 77), (4096, 4096), (257, 257)] {
                guard let v = FlashVariant.choose(headDim: d, lq: lq, lk: lk, forced: nil) else { return XCTFail("no variant for d=\(d)") }
                XCTAssertTrue(FlashVariant.compiled.contains(v), "\(v) chosen for d=\(d) lq=\(lq) lk=\(lk) is not compiled")
            }
        }
        // Other head dims take the GEMM path; a forced variant of another head dim is ignored.
        XCTAssertNil(FlashVariant.choose(headDim: 128, lq: 4096, lk: 4096, forced: nil))
        XCTAssertEqual(FlashVariant.choose(headDim: 80, lq: 300, lk: 300, forced: FlashVariant(headDim: 64, warps: 8))?.headDim, 80)
        XCTAssertEqual(FlashVariant(headDim: 64, warps: 1, keyTile: 16).kernelName, "flash_attn_d64_w1_r1_k16")
        XCTAssertFalse(KernelSource.source(storage: "float").contains("mma.sync"))
        XCTAssertTrue(KernelSource.source(storage: "b16").contains("#define MMA_T \"bf16\""))
    }

    func testKernelModulesCompileWhereNVRTCIsInstalled() throws {
        for p in CUDAPrecision.allCases {
            do {
                let modules = try CUDAKernels.compile(precision: p, arch: 90)
                // sm_90: the portable module, plus the wgmma attention module for half storage.
                XCTAssertEqual(modules.map(\.module), p == .float32 ? ["i2v_float"] : ["i2v_\(p.kernelType)", "i2v_\(p.kernelType)_sm90a"])
                for (module, bytes) in modules { XCTAssertGreaterThan(bytes, 0, "\(module) compiled to an empty cubin") }
                XCTAssertEqual(try CUDAKernels.compile(precision: p, arch: 80).map(\.module), ["i2v_\(p.kernelType)"],
                               "an sm_80 device gets no Hopper module")
            } catch let error as CUDAError {
                if case .libraryNotFound = error { throw XCTSkip("NVRTC not installed: \(error)") }
                throw error
            }
        }
    }
}
