/// The feed-forward's first projection with GEGLU in the epilogue, for Hopper (sm_90a):
/// out[M, I] = (x·W_vᵀ + b_v) ⊙ GELU(x·W_gᵀ + b_g), where W = [2I, K] holds the value rows
/// (0…I−1) above the gate rows (I…2I−1), as diffusers' `GEGLU.proj` stores them. The [M, 2I]
/// projection never reaches global memory: cuBLAS writes it and a GEGLU pass reads it back
/// otherwise, 1.5× the traffic of the product's own output, at the UNet's widest activations.
///
/// One block = 2 warpgroups = BM 128 rows × BN output columns. Its B tile stacks the BN value
/// rows of W over the BN matching gate rows, so one `wgmma.mma_async.m64n<2·BN>k16` per
/// warpgroup and 16-channel step computes both halves, and every thread holds value column j
/// and gate column j of the same rows in its accumulators (value n-group q at d[4q…4q+3], gate at
/// d[4(BN/8 + q)…]). Both operands come from shared memory in "K-major" form: each A row and
/// each W row is 64 channels = 128 bytes per k-tile, stored with the 128-byte swizzle (16-byte
/// chunk `c` of row `r` at chunk `c ^ (r & 7)`, 8-row groups 1024 bytes apart, k-steps of 16
/// channels = +32 bytes), STAGES k-tiles in flight through `cp.async`.
///
/// Preconditions (checked by the dispatcher): K % 64 == 0, I % BN == 0, 16-byte aligned rows
/// (K % 8 == 0 and aligned base pointers). Rows past M are zero-filled and not written.
/// The epilogue adds the bias and applies exact (erf) GELU in float32.
enum HopperGEMMSource {
    /// `wgmma.mma_async.m64n<N>k16` with both operands from shared-memory descriptors, float32
    /// accumulators `d[N/2]`; `accumulate == 0` overwrites d.
    static func wgmmaSS(n: Int) -> String {
        let nd = n / 2
        let dList = (0..<nd).map { "%\($0)" }.joined(separator: ",")
        let outs = (0..<nd).map { "\"+f\"(d[\($0)])" }.joined(separator: ", ")
        return """
        __device__ __forceinline__ void wgmma_ss_n\(n)(float* d, unsigned long long descA, unsigned long long descB, int accumulate) {
            asm volatile("{\\n.reg .pred p;\\nsetp.ne.b32 p, %\(nd + 2), 0;\\n"
                         "wgmma.mma_async.sync.aligned.m64n\(n)k16.f32." MMA_T "." MMA_T " {\(dList)}, %\(nd), %\(nd + 1), p, 1, 1, 0, 0;\\n}\\n"
                         : \(outs)
                         : "l"(descA), "l"(descB), "r"(accumulate) : "memory");
        }

        """
    }

    static var body: String { wgmmaSS(n: 128) + wgmmaSS(n: 256) + kernel }

    static let kernel = #"""
    template <int N> __device__ __forceinline__ void cp_async_wait_n() { asm volatile("cp.async.wait_group %0;" :: "n"(N) : "memory"); }
    template <int NW> __device__ __forceinline__ void wgmma_ss(float* d, unsigned long long a, unsigned long long b, int acc);
    template <> __device__ __forceinline__ void wgmma_ss<128>(float* d, unsigned long long a, unsigned long long b, int acc) { wgmma_ss_n128(d, a, b, acc); }
    template <> __device__ __forceinline__ void wgmma_ss<256>(float* d, unsigned long long a, unsigned long long b, int acc) { wgmma_ss_n256(d, a, b, acc); }
    __device__ __forceinline__ float geglu_value(float v, float g) { return v * 0.5f * g * (1.f + erff(g * 0.70710678118654752f)); }
    // The epilogue: this thread's rows rTop and rTop + 8, columns col + 8q and col + 8q + 1 of every
    // n-group q; value accumulators at d[4q…], gate at d[4(BN/8 + q)…].
    template <int BN>
    __device__ __forceinline__ void geglu_store(const float* d, const T* __restrict__ bias, T* __restrict__ out, int m, int inner, int rTop, int col) {
        const int rBot = rTop + 8;
        #pragma unroll
        for (int q = 0; q < BN / 8; ++q) {
            const int cq = col + q * 8;
            float bv0 = 0.f, bv1 = 0.f, bg0 = 0.f, bg1 = 0.f;
            if (bias) { bv0 = ld(bias, cq); bv1 = ld(bias, cq + 1); bg0 = ld(bias, inner + cq); bg1 = ld(bias, inner + cq + 1); }
            const int vi = 4 * q, gi = 4 * (BN / 8 + q);
            if (rTop < m)
                *(unsigned*)(out + (long long)rTop * inner + cq) = pack2(geglu_value(d[vi] + bv0, d[gi] + bg0), geglu_value(d[vi + 1] + bv1, d[gi + 1] + bg1));
            if (rBot < m)
                *(unsigned*)(out + (long long)rBot * inner + cq) = pack2(geglu_value(d[vi + 2] + bv0, d[gi + 2] + bg0), geglu_value(d[vi + 3] + bv1, d[gi + 3] + bg1));
        }
    }

    template <int BN, int STAGES>
    __device__ __forceinline__ void ff_geglu(const T* __restrict__ x, const T* __restrict__ w, const T* __restrict__ bias,
                                             T* __restrict__ out, int m, int inner, int k) {
        constexpr int BM = 128, NW = 2 * BN, THREADS = 256;
        constexpr unsigned ATILE = BM * 128u, BTILE = NW * 128u, STAGE = ATILE + BTILE;
        extern __shared__ __align__(1024) unsigned char smem_raw[];
        const unsigned sbase = (smem_u32(smem_raw) + 1023u) & ~1023u;
        const int tid = threadIdx.x, wg = tid >> 7, warp = (tid >> 5) & 3, lane = tid & 31, g = lane >> 2, c = lane & 3;
        const int nblocks = inner / BN;
        const int nb = blockIdx.x % nblocks, mb = blockIdx.x / nblocks;   // column blocks fastest: the A rows stay in L2
        const int row0 = mb * BM, col0 = nb * BN, ktiles = k / 64;

        auto load = [&](int stage, int kt) {
            const unsigned s = sbase + stage * STAGE;
            const long long kc = (long long)kt * 64;
            #pragma unroll
            for (int i = tid; i < BM * 8; i += THREADS) {
                const int r = i >> 3, cc = i & 7, row = row0 + r;
                const bool ok = row < m;
                cp_async16(s + r * 128u + (unsigned)((cc ^ (r & 7)) << 4), x + (long long)(ok ? row : 0) * k + kc + cc * 8, ok ? 16 : 0);
            }
            #pragma unroll
            for (int i = tid; i < NW * 8; i += THREADS) {
                const int r = i >> 3, cc = i & 7;
                const int wr = r < BN ? col0 + r : inner + col0 + (r - BN);
                cp_async16(s + ATILE + r * 128u + (unsigned)((cc ^ (r & 7)) << 4), w + (long long)wr * k + kc + cc * 8, 16);
            }
        };

        float d[BN];   // m64 × NW accumulators over 128 threads
        #pragma unroll
        for (int j = 0; j < BN; ++j) d[j] = 0.f;
        #pragma unroll
        for (int s = 0; s < STAGES - 1; ++s) {
            if (s < ktiles) load(s, s);
            cp_async_commit();
        }
        for (int kt = 0; kt < ktiles; ++kt) {
            cp_async_wait_n<STAGES - 2>();   // k-tile kt has landed
            fence_async_smem();
            __syncthreads();                 // ... for every thread, and both warpgroups are done with k-tile kt−1
            {
                const int nk = kt + STAGES - 1;   // refills the stage k-tile kt−1 used
                if (nk < ktiles) load(nk % STAGES, nk);
                cp_async_commit();
            }
            const unsigned s = sbase + (unsigned)(kt % STAGES) * STAGE;
            const unsigned a = s + (unsigned)wg * 64u * 128u, b = s + ATILE;
            #pragma unroll
            for (int j = 0; j < BN; ++j) pin(d[j]);
            wg_fence();
            #pragma unroll
            for (int kk = 0; kk < 4; ++kk)
                wgmma_ss<NW>(d, smem_desc(a + kk * 32u, 16u, 1024u), smem_desc(b + kk * 32u, 16u, 1024u), 1);
            wg_commit();
            wg_wait0();
            #pragma unroll
            for (int j = 0; j < BN; ++j) pin(d[j]);
        }

        geglu_store<BN>(d, bias, out, m, inner, row0 + wg * 64 + warp * 16 + g, col0 + c * 2);
    }

    // Weight-stationary and persistent, for K ≤ 640: each block keeps the B tile of one column
    // block for all K in shared memory (ktiles k-slices of NW swizzled rows) and streams A rows
    // past it. Work units are 128-row pairs of one column block, nb-major; block b takes units
    // [U·b/G, U·(b+1)/G) and reloads B when the column block changes (at most a few times). Each
    // warpgroup runs its own 64 rows of every unit through its own STAGES-slot cp.async pipeline,
    // synchronised by a named barrier, so one warpgroup's GEGLU epilogue can overlap the other's
    // MMAs; the A pipeline runs on across unit boundaries.
    template <int BN, int STAGES>
    __device__ __forceinline__ void ff_geglu_ws(const T* __restrict__ x, const T* __restrict__ w, const T* __restrict__ bias,
                                                T* __restrict__ out, int m, int inner, int k) {
        constexpr int NW = 2 * BN;
        constexpr unsigned ASLOT = 64u * 128u;   // one warpgroup's 64 rows × 64 channels
        extern __shared__ __align__(1024) unsigned char smem_raw[];
        const unsigned sbase = (smem_u32(smem_raw) + 1023u) & ~1023u;
        const int tid = threadIdx.x, wg = tid >> 7, wtid = tid & 127, warp = (tid >> 5) & 3, lane = tid & 31, g = lane >> 2, c = lane & 3;
        const int ktiles = k >> 6;
        const unsigned aBase = sbase + (unsigned)ktiles * NW * 128u + (unsigned)wg * STAGES * ASLOT;
        const int mP = (m + 127) >> 7;
        const long long units = (long long)(inner / BN) * mP;
        const long long u0 = units * blockIdx.x / gridDim.x, u1 = units * (blockIdx.x + 1) / gridDim.x;
        if (u0 >= u1) return;

        auto loadA = [&](int slot, long long q) {   // k-slice q of this block's sequence, this warpgroup's rows
            const long long unit = u0 + q / ktiles;
            const int ks = (int)(q % ktiles), rowBase = (int)(unit % mP) * 128 + wg * 64;
            const unsigned s = aBase + (unsigned)slot * ASLOT;
            #pragma unroll
            for (int i = wtid; i < 64 * 8; i += 128) {
                const int r = i >> 3, cc = i & 7, row = rowBase + r;
                const bool ok = row < m;
                cp_async16(s + r * 128u + (unsigned)((cc ^ (r & 7)) << 4), x + (long long)(ok ? row : 0) * k + ks * 64 + cc * 8, ok ? 16 : 0);
            }
        };
        auto loadB = [&](int nb) {   // every thread of the block
            for (int i = tid; i < ktiles * NW * 8; i += 256) {
                const int s = i / (NW * 8), rem = i - s * (NW * 8), r = rem >> 3, cc = rem & 7;
                const int wr = r < BN ? nb * BN + r : inner + nb * BN + (r - BN);
                cp_async16(sbase + (unsigned)s * NW * 128u + r * 128u + (unsigned)((cc ^ (r & 7)) << 4), w + (long long)wr * k + s * 64 + cc * 8, 16);
            }
        };

        float d[BN];
        #pragma unroll
        for (int j = 0; j < BN; ++j) d[j] = 0.f;
        const long long nq = (u1 - u0) * ktiles;
        for (long long q = 0; q < nq;) {
            const int nb = (int)((u0 + q / ktiles) / mP);
            const long long qEnd = (min(u1, (long long)(nb + 1) * mP) - u0) * ktiles;   // this column block's slices
            cp_async_wait_n<0>();
            __syncthreads();   // nobody reads the previous B any more
            loadB(nb);
            cp_async_commit();
            cp_async_wait_n<0>();
            fence_async_smem();
            __syncthreads();
            #pragma unroll
            for (int s = 0; s < STAGES - 1; ++s) {
                if (q + s < qEnd) loadA(s, q + s);
                cp_async_commit();
            }
            for (long long p = q; p < qEnd; ++p) {
                cp_async_wait_n<STAGES - 2>();   // slice p has landed
                fence_async_smem();
                asm volatile("bar.sync %0, 128;" :: "r"(1 + wg) : "memory");   // ... for the whole warpgroup, which is done with slice p−1
                {
                    const long long nx = p + STAGES - 1;
                    if (nx < qEnd) loadA((int)((nx - q) % STAGES), nx);
                    cp_async_commit();
                }
                const int ks = (int)(p % ktiles);
                const unsigned a = aBase + (unsigned)((p - q) % STAGES) * ASLOT, b = sbase + (unsigned)ks * NW * 128u;
                #pragma unroll
                for (int j = 0; j < BN; ++j) pin(d[j]);
                wg_fence();
                #pragma unroll
                for (int kk = 0; kk < 4; ++kk)
                    wgmma_ss<NW>(d, smem_desc(a + kk * 32u, 16u, 1024u), smem_desc(b + kk * 32u, 16u, 1024u), ks > 0 || kk > 0);
                wg_commit();
                wg_wait0();
                #pragma unroll
                for (int j = 0; j < BN; ++j) pin(d[j]);
                if (ks == ktiles - 1) {
                    const int mp = (int)((u0 + p / ktiles) % mP);
                    geglu_store<BN>(d, bias, out, m, inner, mp * 128 + wg * 64 + warp * 16 + g, nb * BN + c * 2);
                }
            }
            q = qEnd;
        }
    }

    // ff_geglu_n<BN>_s<STAGES>: dynamic shared memory = STAGES · (128 + 2·BN) · 128 + 1024 bytes.
    // ff_geglu_ws_n<BN>_s<STAGES>: (K/64) · 2·BN · 128 + 2 · STAGES · 8192 + 1024 bytes.
    #define FF_GEGLU_ENTRY(BN, STAGES, MINB) \
    extern "C" __global__ void __launch_bounds__(256, MINB) ff_geglu_n##BN##_s##STAGES( \
        const T* x, const T* w, const T* bias, T* out, int m, int inner, int k) { \
        ff_geglu<BN, STAGES>(x, w, bias, out, m, inner, k); }
    #define FF_GEGLU_WS_ENTRY(BN, STAGES) \
    extern "C" __global__ void __launch_bounds__(256, 1) ff_geglu_ws_n##BN##_s##STAGES( \
        const T* x, const T* w, const T* bias, T* out, int m, int inner, int k) { \
        ff_geglu_ws<BN, STAGES>(x, w, bias, out, m, inner, k); }
    FF_GEGLU_ENTRY(64, 3, 2)
    FF_GEGLU_WS_ENTRY(128, 4)
    FF_GEGLU_WS_ENTRY(64, 4)

    """#
}
