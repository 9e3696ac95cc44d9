import Foundation
import Tensor

/// 2-D convolutions through cuDNN (implicit GEMM on the tensor cores, no im2col buffer). One plan
/// per shape: descriptors plus the fastest algorithm that `cudnnFindConvolutionForwardAlgorithmEx`
/// measured on this card (on the call's own operands, in a workspace of at most `workspaceLimit`
/// from the caching allocator), found on first use and cached. `forward` returns false when cuDNN does
/// not take a case (asymmetric padding, misalignment, no working algorithm), so the caller falls
/// back to im2col + GEMM. A plan is for NCHW operands, or (`nhwc`) for channels-last x, y and
/// filter ([N, H, W, C], [N, Ho, Wo, O], [O, kh, kw, C]), the layout cuDNN's tensor-core kernels
/// read natively.
/// A convolution op and shape whose paths `CUDABackend.fastestOf` timed: the op says which list of
/// paths the kept index refers to.
struct ConvolutionChoice: Hashable {
    enum Op: Hashable { case conv2d, conv3dTemporal, conv3dTemporalFrames }
    let op: Op
    let shape: CUDAConvolution.Key
}

final class CUDAConvolution {
    struct Key: Hashable {
        let n: Int, c: Int, h: Int, w: Int, o: Int, kh: Int, kw: Int, stride: Int, padH: Int, padW: Int
        var nhwc = false
        /// The same convolution with channels-last operands.
        var channelsLast: Key { var k = self; k.nhwc = true; return k }
    }
    private final class Plan {
        let x: OpaquePointer?, filter: OpaquePointer?, conv: OpaquePointer?, y: OpaquePointer?
        let algo: Int32, workspaceBytes: Int
        init(x: OpaquePointer?, filter: OpaquePointer?, conv: OpaquePointer?, y: OpaquePointer?, algo: Int32, workspaceBytes: Int) {
            self.x = x; self.filter = filter; self.conv = conv; self.y = y; self.algo = algo; self.workspaceBytes = workspaceBytes
        }
    }

    /// Largest workspace an algorithm may ask for.
    static let workspaceLimit = 1 << 30
    private let dnn: CuDNN
    private let handle: OpaquePointer?
    private let dataType: Int32, mathType: Int32
    private var plans: [Key: Plan?] = [:]
    private let lock = NSLock()

    init(dnn: CuDNN, precision: CUDAPrecision) throws {
        self.dnn = dnn
        var h: OpaquePointer?
        let rc = dnn.create(&h)
        guard rc == 0 else { throw CUDAError.libraryCall(call: "cudnnCreate", message: dnn.message(rc)) }
        handle = h
        switch precision {
        case .float32: dataType = CuDNN.float; mathType = CuDNN.fmaMath  // no TF32: keep float32 exact
        case .float16: dataType = CuDNN.half; mathType = CuDNN.tensorOpMath
        case .bfloat16: dataType = CuDNN.bfloat16; mathType = CuDNN.tensorOpMath
        }
    }

    /// y[n, o, ho, wo] = conv(x[n, c, h, w], weight[o, c, kh, kw]) (no bias). `workspace` hands out
    /// device scratch of the requested size for the duration of the call, or nil when the device
    /// has no room for it.
    func forward(_ key: Key, x: UInt64, weight: UInt64, y: UInt64, workspace: (Int) -> (UInt64, AnyObject?)?) -> Bool {
        guard [x, weight, y].allSatisfy({ $0 % 16 == 0 }) else { return false }
        lock.lock()
        let plan: Plan?
        if let cached = plans[key] {
            plan = cached
        } else {
            plan = makePlan(key, x: x, weight: weight, y: y, workspace: workspace)
            plans[key] = plan
        }
        lock.unlock()
        guard let plan else { return false }
        var (ws, owner): (UInt64, AnyObject?) = (0, nil)
        if plan.workspaceBytes > 0 {
            guard let scratch = workspace(plan.workspaceBytes) else { return false }
            (ws, owner) = scratch
        }
        var alpha: Float = 1, beta: Float = 0
        let rc = dnn.convolutionForward(handle, &alpha, plan.x, UnsafeRawPointer(bitPattern: UInt(x)), plan.filter,
                                        UnsafeRawPointer(bitPattern: UInt(weight)), plan.conv, plan.algo,
                                        UnsafeMutableRawPointer(bitPattern: UInt(ws)), plan.workspaceBytes, &beta, plan.y,
                                        UnsafeMutableRawPointer(bitPattern: UInt(y)))
        withExtendedLifetime(owner) {}
        // A parameter cuDNN refuses (it checks before launching anything) sends the shape back to
        // the GEMM path for good.
        if rc != 0 {
            lock.lock(); plans[key] = .some(nil); lock.unlock()
            return false
        }
        return true
    }

    /// Descriptors for `k` and the fastest algorithm on these operands. Finding writes y.
    private func makePlan(_ k: Key, x xAddr: UInt64, weight: UInt64, y yAddr: UInt64, workspace: (Int) -> (UInt64, AnyObject?)?) -> Plan? {
        let ho = (k.h + 2 * k.padH - k.kh) / k.stride + 1, wo = (k.w + 2 * k.padW - k.kw) / k.stride + 1
        let dims = [k.n, k.c, k.h, k.w, k.o, ho, wo]
        guard dims.allSatisfy({ $0 > 0 && $0 < Int(Int32.max) }), k.n * k.c * k.h * k.w < Int(Int32.max),
              k.n * k.o * ho * wo < Int(Int32.max) else { return nil }
        var x: OpaquePointer?, f: OpaquePointer?, conv: OpaquePointer?, y: OpaquePointer?
        func i(_ v: Int) -> Int32 { Int32(v) }
        // Strides (n, c, h, w) of an NCHW or an NHWC tensor.
        func setStrides(_ d: OpaquePointer?, channels c: Int, h: Int, w: Int) -> Bool {
            let (sc, sh, sw) = k.nhwc ? (1, w * c, c) : (h * w, w, 1)
            return dnn.setTensor4dDescriptorEx(d, dataType, i(k.n), i(c), i(h), i(w), i(c * h * w), i(sc), i(sh), i(sw)) == 0
        }
        guard dnn.createTensorDescriptor(&x) == 0,
              setStrides(x, channels: k.c, h: k.h, w: k.w),
              dnn.createFilterDescriptor(&f) == 0,
              dnn.setFilter4dDescriptor(f, dataType, k.nhwc ? CuDNN.nhwc : CuDNN.nchw, i(k.o), i(k.c), i(k.kh), i(k.kw)) == 0,
              dnn.createConvolutionDescriptor(&conv) == 0,
              dnn.setConvolution2dDescriptor(conv, i(k.padH), i(k.padW), i(k.stride), i(k.stride), 1, 1,
                                             CuDNN.crossCorrelation, CuDNN.float) == 0,
              dnn.setConvolutionMathType(conv, mathType) == 0,
              dnn.createTensorDescriptor(&y) == 0,
              setStrides(y, channels: k.o, h: ho, w: wo)
        else { return nil }
        let requested = 8
        let perf = UnsafeMutableRawPointer.allocate(byteCount: CuDNN.perfBytes * requested, alignment: 16)
        defer { perf.deallocate() }
        var returned: Int32 = 0
        // Algorithms needing more workspace than the allocator could give are skipped by cuDNN.
        let scratch = workspace(Self.workspaceLimit)
        let (wsAddr, wsBytes) = scratch.map { ($0.0, Self.workspaceLimit) } ?? (0, 0)
        let found = dnn.findConvolutionForwardAlgorithmEx(
            handle, x, UnsafeRawPointer(bitPattern: UInt(xAddr)), f, UnsafeRawPointer(bitPattern: UInt(weight)), conv, y,
            UnsafeMutableRawPointer(bitPattern: UInt(yAddr)), Int32(requested), &returned, perf,
            UnsafeMutableRawPointer(bitPattern: UInt(wsAddr)), wsBytes)
        withExtendedLifetime(scratch?.1) {}
        guard found == 0 else { return nil }
        // Results come fastest first; take the first that ran and fits the workspace limit.
        for r in 0..<Int(returned) {
            let base = r * CuDNN.perfBytes
            let status = perf.load(fromByteOffset: base + 4, as: Int32.self)
            let memory = perf.load(fromByteOffset: base + 16, as: Int.self)
            guard status == 0, memory <= wsBytes else { continue }
            return Plan(x: x, filter: f, conv: conv, y: y, algo: perf.load(fromByteOffset: base, as: Int32.self), workspaceBytes: memory)
        }
        return nil
    }
}
