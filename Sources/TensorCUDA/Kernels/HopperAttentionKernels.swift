/// Fused attention for Hopper (sm_90a) with warpgroup MMAs: the same algorithm as
/// FlashAttentionKernels.swift (QKᵀ, online softmax, P·V, scores never in global memory), but the
/// two products run as `wgmma.mma_async` over a whole warpgroup (128 threads, 64 query rows)
/// instead of per-warp `mma.sync`, reading K and V straight from shared memory.
///
/// Layout as the portable kernel: q [B, Lq, H·64], k/v [B, Lk, H·64], o [B, Lq, H·64].
/// One block = NWG warpgroups = 64·NWG query rows of one (sequence, head); the block walks key
/// tiles of BN keys, double-buffered with `cp.async`.
///
/// Shared memory: each K or V tile is BN rows of 64 halves = 128 bytes, stored with the 128-byte
/// swizzle the tensor cores expect (16-byte chunk `c` of row `r` at chunk `c ^ (r & 7)`), every
/// tile 1024-byte aligned. K is the B operand of S = Q·Kᵀ in "K-major" form (the 64 head
/// channels contiguous per key; descriptor: 8-row groups 1024 bytes apart, k-steps of 16 channels
/// = +32 bytes); V is the B operand of O = P·V in "MN-major" form (imm-trans-b = 1: the 64 output
/// channels contiguous per key; 8-key groups 1024 bytes apart, k-steps of 16 keys = +2048 bytes).
/// Q and P are A operands in registers, in the same fragment layout as `mma.sync.m16n8k16`
/// (warp w of a warpgroup owns rows 16w…16w+15), so P goes from the S accumulator to the P·V
/// operand without touching memory.
///
/// Head dim 64 only: every attention of I2VGen-XL's UNet and of the CLIP text encoder (causal);
/// the vision encoder's head dim 80 stays on the `mma.sync` kernel.
enum HopperAttentionSource {
    /// `wgmma.mma_async.m64n<N>k16` with A in registers, B from a shared-memory descriptor, float32
    /// accumulators `d[N/2]`; `accumulate == 0` overwrites d.
    static func wgmma(n: Int, transB: Int) -> String {
        let nd = n / 2
        let dList = (0..<nd).map { "%\($0)" }.joined(separator: ",")
        let aList = (nd..<nd + 4).map { "%\($0)" }.joined(separator: ",")
        let outs = (0..<nd).map { "\"+f\"(d[\($0)])" }.joined(separator: ", ")
        return """
        __device__ __forceinline__ void wgmma_n\(n)_t\(transB)(float* d, const unsigned* a, unsigned long long desc, int accumulate) {
            asm volatile("{\\n.reg .pred p;\\nsetp.ne.b32 p, %\(nd + 5), 0;\\n"
                         "wgmma.mma_async.sync.aligned.m64n\(n)k16.f32." MMA_T "." MMA_T " {\(dList)}, {\(aList)}, %\(nd + 4), p, 1, 1, \(transB);\\n}\\n"
                         : \(outs)
                         : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "l"(desc), "r"(accumulate) : "memory");
        }

        """
    }

    static var body: String {
        AttentionDeviceSource.common + prologue + wgmma(n: 64, transB: 0) + wgmma(n: 64, transB: 1) + kernel
    }

    static let prologue = #"""
    __device__ __forceinline__ void wg_fence() { asm volatile("wgmma.fence.sync.aligned;" ::: "memory"); }
    __device__ __forceinline__ void wg_commit() { asm volatile("wgmma.commit_group.sync.aligned;" ::: "memory"); }
    __device__ __forceinline__ void wg_wait0() { asm volatile("wgmma.wait_group.sync.aligned 0;" ::: "memory"); }
    // Shared memory written by cp.async (generic proxy) becomes visible to wgmma (async proxy).
    __device__ __forceinline__ void fence_async_smem() { asm volatile("fence.proxy.async.shared::cta;" ::: "memory"); }
    // Keeps the compiler from moving accumulator registers across an in-flight wgmma.
    __device__ __forceinline__ void pin(float& r) { asm volatile("" : "+f"(r) :: "memory"); }
    // Shared-memory matrix descriptor, 128-byte swizzle; offsets in bytes.
    __device__ __forceinline__ unsigned long long smem_desc(unsigned addr, unsigned lbo, unsigned sbo) {
        return (unsigned long long)((addr & 0x3FFFFu) >> 4) | ((unsigned long long)((lbo & 0x3FFFFu) >> 4) << 16)
             | ((unsigned long long)((sbo & 0x3FFFFu) >> 4) << 32) | (1ull << 62);
    }

    """#

    static let kernel = #"""
    template <int NWG, int BN>
    __device__ __forceinline__ void hopper_attention(const T* __restrict__ q, const T* __restrict__ k, const T* __restrict__ v,
                                                     T* __restrict__ o, int heads, int lq, int lk, long long ldIn, float scaleLog2, int causal) {
        static_assert(BN == 64, "S = Q·Kᵀ is one m64n64 wgmma per 16-channel step");
        constexpr int D = 64, BM = 64 * NWG, NB = BN / 8, DB = D / 8, THREADS = 128 * NWG;
        constexpr unsigned TILE = BN * 128u;     // bytes of one K or V tile
        constexpr unsigned STAGE = 2u * TILE;    // K tile, then V tile
        extern __shared__ __align__(1024) unsigned char smem_raw[];
        const unsigned sbase = (smem_u32(smem_raw) + 1023u) & ~1023u;
        const int tid = threadIdx.x, wg = tid >> 7, warp = (tid >> 5) & 3, lane = tid & 31, g = lane >> 2, c = lane & 3;
        const int qblocks = (lq + BM - 1) / BM;
        const int qb = blockIdx.x % qblocks, bh = blockIdx.x / qblocks;
        const int b = bh / heads, h = bh % heads;
        const long long ld = (long long)heads * D;   // output row stride; inputs use ldIn (≥ ld: packed q|k|v rows)
        const T* qbase = q + (long long)b * lq * ldIn + h * D;
        const T* kbase = k + (long long)b * lk * ldIn + h * D;
        const T* vbase = v + (long long)b * lk * ldIn + h * D;
        T* obase = o + (long long)b * lq * ld + h * D;
        const int rA = qb * BM + wg * 64 + warp * 16 + g, rB = rA + 8;   // this thread's two query rows

        // Q as A fragments (4 k-steps of 16 channels), straight from global memory.
        unsigned qf[4][4];
        {
            const unsigned* p0 = (const unsigned*)(qbase + (long long)(rA < lq ? rA : 0) * ldIn);
            const unsigned* p1 = (const unsigned*)(qbase + (long long)(rB < lq ? rB : 0) * ldIn);
            #pragma unroll
            for (int kk = 0; kk < 4; ++kk) {
                const int w = kk * 8 + c;
                qf[kk][0] = rA < lq ? p0[w] : 0u;
                qf[kk][1] = rB < lq ? p1[w] : 0u;
                qf[kk][2] = rA < lq ? p0[w + 4] : 0u;
                qf[kk][3] = rB < lq ? p1[w + 4] : 0u;
            }
        }

        int ntiles = (lk + BN - 1) / BN;
        if (causal) { const int lastRow = min(qb * BM + BM, lq) - 1; ntiles = min(ntiles, lastRow / BN + 1); }

        auto loadTile = [&](int stage, int kt) {
            #pragma unroll
            for (int i = tid; i < BN * 8; i += THREADS) {
                const int r = i >> 3, cc = i & 7, key = kt * BN + r;
                const bool ok = key < lk;
                const long long off = (long long)(ok ? key : 0) * ldIn + cc * 8;
                const unsigned so = stage * STAGE + r * 128u + (unsigned)((cc ^ (r & 7)) << 4);
                cp_async16(sbase + so, kbase + off, ok ? 16 : 0);
                cp_async16(sbase + so + TILE, vbase + off, ok ? 16 : 0);
            }
        };

        float m0 = -INFINITY, m1 = -INFINITY, l0 = 0.f, l1 = 0.f;
        float acc[DB * 4];
        #pragma unroll
        for (int j = 0; j < DB * 4; ++j) acc[j] = 0.f;

        loadTile(0, 0);
        cp_async_commit();
        for (int kt = 0; kt < ntiles; ++kt) {
            const int st = kt & 1;
            if (kt + 1 < ntiles) loadTile(st ^ 1, kt + 1);
            cp_async_commit();
            cp_async_wait1();
            fence_async_smem();
            __syncthreads();
            const unsigned kT = sbase + st * STAGE, vT = kT + TILE;

            // S = Q·Kᵀ: 64 rows × BN keys per warpgroup.
            float s[NB * 4];
            #pragma unroll
            for (int j = 0; j < NB * 4; ++j) s[j] = 0.f;
            wg_fence();
            #pragma unroll
            for (int kk = 0; kk < 4; ++kk) {
                const unsigned long long desc = smem_desc(kT + kk * 32u, 16u, 1024u);
                wgmma_n64_t0(s, qf[kk], desc, kk);
            }
            wg_commit();
            wg_wait0();
            #pragma unroll
            for (int j = 0; j < NB * 4; ++j) pin(s[j]);

            // Online softmax in base 2; the running max stays in raw score units (see the portable kernel).
            float mx0 = m0, mx1 = m1;
            const bool masked = causal || kt * BN + BN > lk;
            #pragma unroll
            for (int j = 0; j < NB; ++j) {
                if (masked) {
                    #pragma unroll
                    for (int e = 0; e < 4; ++e) {
                        const int col = kt * BN + j * 8 + c * 2 + (e & 1);
                        if (col >= lk || (causal && col > (e < 2 ? rA : rB))) s[j * 4 + e] = -INFINITY;
                    }
                }
                mx0 = fmaxf(mx0, fmaxf(s[j * 4 + 0], s[j * 4 + 1]));
                mx1 = fmaxf(mx1, fmaxf(s[j * 4 + 2], s[j * 4 + 3]));
            }
            mx0 = fmaxf(mx0, __shfl_xor_sync(0xffffffffu, mx0, 1));
            mx0 = fmaxf(mx0, __shfl_xor_sync(0xffffffffu, mx0, 2));
            mx1 = fmaxf(mx1, __shfl_xor_sync(0xffffffffu, mx1, 1));
            mx1 = fmaxf(mx1, __shfl_xor_sync(0xffffffffu, mx1, 2));
            const float base0 = mx0 == -INFINITY ? 0.f : mx0 * scaleLog2, base1 = mx1 == -INFINITY ? 0.f : mx1 * scaleLog2;
            const float al0 = fast_exp2(m0 * scaleLog2 - base0), al1 = fast_exp2(m1 * scaleLog2 - base1);
            m0 = mx0; m1 = mx1;
            l0 *= al0; l1 *= al1;
            #pragma unroll
            for (int j = 0; j < DB; ++j) { acc[j * 4 + 0] *= al0; acc[j * 4 + 1] *= al0; acc[j * 4 + 2] *= al1; acc[j * 4 + 3] *= al1; }
            unsigned pf[BN / 16][4];
            #pragma unroll
            for (int j = 0; j < NB; ++j) {
                const float p0 = fast_exp2(fmaf(s[j * 4 + 0], scaleLog2, -base0)), p1 = fast_exp2(fmaf(s[j * 4 + 1], scaleLog2, -base0));
                const float p2 = fast_exp2(fmaf(s[j * 4 + 2], scaleLog2, -base1)), p3 = fast_exp2(fmaf(s[j * 4 + 3], scaleLog2, -base1));
                l0 += p0 + p1; l1 += p2 + p3;
                pf[j >> 1][(j & 1) * 2 + 0] = pack2(p0, p1);
                pf[j >> 1][(j & 1) * 2 + 1] = pack2(p2, p3);
            }

            // O += P·V: 64 rows × 64 channels per warpgroup, BN/16 k-steps of 16 keys.
            #pragma unroll
            for (int j = 0; j < DB * 4; ++j) pin(acc[j]);
            wg_fence();
            #pragma unroll
            for (int t = 0; t < BN / 16; ++t) wgmma_n64_t1(acc, pf[t], smem_desc(vT + t * 2048u, 1024u, 1024u), 1);
            wg_commit();
            wg_wait0();
            #pragma unroll
            for (int j = 0; j < DB * 4; ++j) pin(acc[j]);
            __syncthreads();
        }

        l0 += __shfl_xor_sync(0xffffffffu, l0, 1); l0 += __shfl_xor_sync(0xffffffffu, l0, 2);
        l1 += __shfl_xor_sync(0xffffffffu, l1, 1); l1 += __shfl_xor_sync(0xffffffffu, l1, 2);
        const float i0 = l0 > 0.f ? 1.f / l0 : 0.f, i1 = l1 > 0.f ? 1.f / l1 : 0.f;
        unsigned* o0 = (unsigned*)(obase + (long long)(rA < lq ? rA : 0) * ld);
        unsigned* o1 = (unsigned*)(obase + (long long)(rB < lq ? rB : 0) * ld);
        #pragma unroll
        for (int j = 0; j < DB; ++j) {
            if (rA < lq) o0[j * 4 + c] = pack2(acc[j * 4 + 0] * i0, acc[j * 4 + 1] * i0);
            if (rB < lq) o1[j * 4 + c] = pack2(acc[j * 4 + 2] * i1, acc[j * 4 + 3] * i1);
        }
    }

    // hopper_attn_w<warpgroups>_k<key tile>; dynamic shared memory = 4·BN·128 + 1024 bytes.
    #define HOPPER_ENTRY(W, BN, MINB) \
    extern "C" __global__ void __launch_bounds__(W * 128, MINB) hopper_attn_w##W##_k##BN( \
        const T* q, const T* k, const T* v, T* o, int heads, int lq, int lk, long long ldIn, float scaleLog2, int causal) { \
        hopper_attention<W, BN>(q, k, v, o, heads, lq, lk, ldIn, scaleLog2, causal); }
    HOPPER_ENTRY(1, 64, 3)
    HOPPER_ENTRY(2, 64, 2)

    """#
}
