/// The feed-forward's first projection with GEGLU in the epilogue, for Hopper (sm_90a):
/// out[M, I] = (x·W_vᵀ + b_v) ⊙ GELU(x·W_gᵀ + b_g), where W = [2I, K] holds the value rows
/// (0…I−1) above the gate rows (I…2I−1), as diffusers' `GEGLU.proj` stores them. The [M, 2I]
/// projection never reaches global memory: cuBLAS writes it and a GEGLU pass reads it back
/// otherwise, 1.5× the traffic of the product's own output, at the UNet's widest activations.
///
/// Weight-stationary and persistent (one block per SM), for K ≤ 320: a block keeps the weights of
/// one column block — BN value rows stacked over the BN matching gate rows, NW = 2·BN rows, for
/// all K — in shared memory and streams rows of x past them. One
/// `wgmma.mma_async.m64n<NW>k16` per warpgroup and 16-channel step computes both halves, so every
/// thread holds value column j and gate column j of the same rows in its accumulators (value
/// n-group q at d[4q…4q+3], gate at d[4(BN/8 + q)…]).
///
/// Work units are 128-row pairs of one column block, numbered column-block-major; block b takes
/// units [U·b/G, U·(b+1)/G) and reloads the weights when its range crosses into the next column
/// block. Each warpgroup runs its own 64 rows of every unit through its own STAGES-slot cp.async
/// pipeline of 64-channel k-slices (synchronised by a named barrier, not the block), which runs on
/// across units, with one MMA batch in flight behind the next slice's loads. Warpgroup 1 starts
/// half a row pair behind warpgroup 0, so one's GEGLU epilogue overlaps the other's MMAs (in
/// phase, both sat in their epilogues while the tensor cores idled: 0.726 → 0.582 ms at
/// [131072, 320] → 1280 on an H200).
///
/// Shared memory, 128-byte swizzle throughout (16-byte chunk `c` of row `r` at chunk `c ^ (r & 7)`,
/// rows of 64 channels = 128 bytes, 8-row groups 1024 bytes apart, k-steps of 16 channels = +32
/// bytes, "K-major" descriptors for both operands): the weights as K/64 slices of NW rows, then
/// each warpgroup's STAGES slots of 64 rows, then the column block's NW biases as floats.
///
/// Preconditions (checked by the dispatcher): K % 64 == 0, I % BN == 0, 16-byte aligned rows and
/// base pointers. Rows past M are zero-filled and not written. The epilogue adds the bias and
/// applies GELU in float32 (`geglu_value`: erf from Abramowitz & Stegun 7.1.26, |error| ≤ 2.1e-7).
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

    static var body: String { wgmmaSS(n: 256) + kernel }

    static let kernel = #"""
    template <int N> __device__ __forceinline__ void cp_async_wait_n() { asm volatile("cp.async.wait_group %0;" :: "n"(N) : "memory"); }
    __device__ __forceinline__ void wg_wait1() { asm volatile("wgmma.wait_group.sync.aligned 1;" ::: "memory"); }
    // Barrier over one warpgroup (ids 1 and 2; 0 is __syncthreads).
    __device__ __forceinline__ void wg_barrier(int wg) { asm volatile("bar.sync %0, 128;" :: "r"(1 + wg) : "memory"); }
    template <int NW> __device__ __forceinline__ void wgmma_ss(float* d, unsigned long long a, unsigned long long b, int acc);
    template <> __device__ __forceinline__ void wgmma_ss<256>(float* d, unsigned long long a, unsigned long long b, int acc) { wgmma_ss_n256(d, a, b, acc); }
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
        float* biasS = (float*)(smem_raw + (sbase - smem_u32(smem_raw)) + ktiles * NW * 128 + 2 * STAGES * ASLOT);   // [NW]: value, then gate biases
        const int mP = (m + 127) >> 7;
        const long long units = (long long)(inner / BN) * mP;
        const int u0 = (int)(units * blockIdx.x / gridDim.x), u1 = (int)(units * (blockIdx.x + 1) / gridDim.x);

        // A k-slice: this warpgroup's 64 rows of pair mp, channels 64·ks…, into slot `slot`.
        auto loadA = [&](int slot, int mp, int ks) {
            const int rowBase = mp * 128 + wg * 64;
            const unsigned s = aBase + (unsigned)slot * ASLOT;
            const T* src = x + (long long)ks * 64;
            #pragma unroll
            for (int i = wtid; i < 64 * 8; i += 128) {
                const int r = i >> 3, cc = i & 7, row = rowBase + r;
                const bool ok = row < m;
                cp_async16(s + r * 128u + (unsigned)((cc ^ (r & 7)) << 4), src + (long long)(ok ? row : 0) * k + cc * 8, ok ? 16 : 0);
            }
        };

        float d[BN];
        #pragma unroll
        for (int j = 0; j < BN; ++j) d[j] = 0.f;
        for (int u = u0; u < u1;) {
            const int nb = u / mP, mpFirst = u - nb * mP, mpEnd = min(u1 - nb * mP, mP);   // pairs [mpFirst, mpEnd) of column block nb
            cp_async_wait_n<0>();
            __syncthreads();   // nobody reads the previous column block's weights any more
            for (int i = tid; i < ktiles * NW * 8; i += 256) {
                const int s = i / (NW * 8), rem = i - s * (NW * 8), r = rem >> 3, cc = rem & 7;
                const int wr = r < BN ? nb * BN + r : inner + nb * BN + (r - BN);
                cp_async16(sbase + (unsigned)s * NW * 128u + r * 128u + (unsigned)((cc ^ (r & 7)) << 4), w + (long long)wr * k + s * 64 + cc * 8, 16);
            }
            cp_async_commit();
            for (int i = tid; i < NW; i += 256)
                biasS[i] = bias ? ld(bias, i < BN ? nb * BN + i : inner + nb * BN + (i - BN)) : 0.f;

            // Load cursor (next slice to fetch) and use cursor; slots in a ring of STAGES.
            int lmp = mpFirst, lks = 0, lslot = 0;
            #pragma unroll
            for (int s = 0; s < STAGES - 1; ++s) {
                if (lmp < mpEnd) {
                    loadA(lslot, lmp, lks);
                    if (++lks == ktiles) { lks = 0; ++lmp; }
                }
                cp_async_commit();
                ++lslot;
            }
            cp_async_wait_n<0>();   // the weights (and the first slices) are in
            fence_async_smem();
            __syncthreads();
            // Ping-pong: warpgroup 1 starts when warpgroup 0 is halfway through its first pair, so
            // one's epilogue (GELU, stores) overlaps the other's MMAs; they stay apart until the
            // next column block.
            const int half = ktiles / 2;   // < ktiles, so warpgroup 0 always arrives
            int uslot = 0;
            for (int mp = mpFirst; mp < mpEnd; ++mp) {
                for (int ks = 0; ks < ktiles; ++ks) {
                    if (mp == mpFirst && ks == half) {
                        if (wg == 0) asm volatile("bar.arrive 3, 256;" ::: "memory");
                    }
                    if (mp == mpFirst && ks == 0 && wg == 1) asm volatile("bar.sync 3, 256;" ::: "memory");
                    cp_async_wait_n<STAGES - 2>();   // this slice has landed (own copies) ...
                    fence_async_smem();
                    wg_barrier(wg);                  // ... and everyone's
                    const unsigned a = aBase + (unsigned)uslot * ASLOT, b = sbase + (unsigned)ks * NW * 128u;
                    wg_fence();
                    #pragma unroll
                    for (int kk = 0; kk < 4; ++kk)
                        wgmma_ss<NW>(d, smem_desc(a + kk * 32u, 16u, 1024u), smem_desc(b + kk * 32u, 16u, 1024u), ks > 0 || kk > 0);
                    wg_commit();
                    wg_wait1();       // the previous slice's MMAs are done (this thread) ...
                    wg_barrier(wg);   // ... for the whole warpgroup: its slot may be refilled
                    if (lmp < mpEnd) {
                        loadA(lslot, lmp, lks);
                        if (++lks == ktiles) { lks = 0; ++lmp; }
                    }
                    cp_async_commit();
                    lslot = lslot + 1 == STAGES ? 0 : lslot + 1;
                    uslot = uslot + 1 == STAGES ? 0 : uslot + 1;
                }
                wg_wait0();
                #pragma unroll
                for (int j = 0; j < BN; ++j) pin(d[j]);
                // Epilogue: rows rTop and rTop + 8, columns col + 8q and col + 8q + 1 of every n-group q.
                const int rTop = mp * 128 + wg * 64 + warp * 16 + g, rBot = rTop + 8, col = nb * BN + c * 2;
                #pragma unroll
                for (int q = 0; q < BN / 8; ++q) {
                    const int cq = col + q * 8;
                    const int bq = q * 8 + c * 2;
                    const float bv0 = biasS[bq], bv1 = biasS[bq + 1], bg0 = biasS[BN + bq], bg1 = biasS[BN + bq + 1];
                    const int vi = 4 * q, gi = 4 * (BN / 8 + q);
                    if (rTop < m)
                        *(unsigned*)(out + (long long)rTop * inner + cq) = pack2(geglu_value(d[vi] + bv0, d[gi] + bg0), geglu_value(d[vi + 1] + bv1, d[gi + 1] + bg1));
                    if (rBot < m)
                        *(unsigned*)(out + (long long)rBot * inner + cq) = pack2(geglu_value(d[vi + 2] + bv0, d[gi + 2] + bg0), geglu_value(d[vi + 3] + bv1, d[gi + 3] + bg1));
                }
            }
            u = nb * mP + mpEnd;
        }
    }

    // ff_geglu_ws_n<BN>_s<STAGES>: dynamic shared memory = (K/64) · 2·BN · 128 + 2 · STAGES · 8192 + 2·BN · 4 + 1024 bytes.
    #define FF_GEGLU_WS_ENTRY(BN, STAGES) \
    extern "C" __global__ void __launch_bounds__(256, 1) ff_geglu_ws_n##BN##_s##STAGES( \
        const T* x, const T* w, const T* bias, T* out, int m, int inner, int k) { \
        ff_geglu_ws<BN, STAGES>(x, w, bias, out, m, inner, k); }
    FF_GEGLU_WS_ENTRY(128, 4)

    """#
}
