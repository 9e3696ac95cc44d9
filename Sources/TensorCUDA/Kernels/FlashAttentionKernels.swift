/// Fused ("flash") attention for half-precision storage: QKᵀ, online softmax and P·V in one
/// kernel, the scores never leave registers. Tensor cores through `mma.sync.m16n8k16` (f16 or
/// bf16 operands, float32 accumulation), K/V tiles double-buffered in shared memory with
/// `cp.async`, B fragments read with `ldmatrix` (`.trans` for V).
///
/// Layout: q [B, Lq, H·D], k/v [B, Lk, H·D], o [B, Lq, H·D]; head h uses channels [h·D, (h+1)·D).
/// One block handles BM = 16·RG·WARPS query rows of one (sequence, head); each warp owns 16·RG
/// rows and walks every key tile of BN keys (64; 16 for the temporal attention's 16 frames).
/// Keys ≥ Lk (and, with `causal`, keys after the query) are masked to −∞; out-of-range K/V rows
/// are zero-filled so no garbage reaches P·V.
///
/// Preconditions (checked by the dispatcher): D % 16 == 0, every row start 16-byte aligned
/// (H·D % 8 == 0 and 16-byte aligned base pointers). `MMA_T` is "f16" or "bf16".
enum FlashAttentionSource {
    static var body: String { AttentionDeviceSource.common + kernels }

    static let kernels = #"""
    __device__ __forceinline__ void ldsm_x4(unsigned a, unsigned& r0, unsigned& r1, unsigned& r2, unsigned& r3) {
        asm volatile("ldmatrix.sync.aligned.m8n8.x4.shared.b16 {%0,%1,%2,%3}, [%4];"
                     : "=r"(r0), "=r"(r1), "=r"(r2), "=r"(r3) : "r"(a) : "memory"); }
    __device__ __forceinline__ void ldsm_x4_t(unsigned a, unsigned& r0, unsigned& r1, unsigned& r2, unsigned& r3) {
        asm volatile("ldmatrix.sync.aligned.m8n8.x4.trans.shared.b16 {%0,%1,%2,%3}, [%4];"
                     : "=r"(r0), "=r"(r1), "=r"(r2), "=r"(r3) : "r"(a) : "memory"); }
    // c[16×8] += a[16×16] · b[16×8]
    __device__ __forceinline__ void mma16816(float* c, const unsigned* a, unsigned b0, unsigned b1) {
        asm volatile("mma.sync.aligned.m16n8k16.row.col.f32." MMA_T "." MMA_T ".f32 "
                     "{%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, {%0,%1,%2,%3};"
                     : "+f"(c[0]), "+f"(c[1]), "+f"(c[2]), "+f"(c[3])
                     : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b0), "r"(b1)); }

    template <int D, int WARPS, int RG, int BN>
    __device__ __forceinline__ void flash_attention(const T* __restrict__ q, const T* __restrict__ k, const T* __restrict__ v,
                                                    T* __restrict__ o, int heads, int lq, int lk, long long ldIn, float scaleLog2, int causal) {
        constexpr int BM = 16 * RG * WARPS, LDS = D + 8, KSTEPS = D / 16, NB = BN / 8, DB = D / 8;
        __shared__ __align__(16) unsigned short ks[2][BN * LDS];
        __shared__ __align__(16) unsigned short vs[2][BN * LDS];
        const int tid = threadIdx.x, warp = tid >> 5, lane = tid & 31, g = lane >> 2, c = lane & 3;
        const int qblocks = (lq + BM - 1) / BM;
        const int qb = blockIdx.x % qblocks, bh = blockIdx.x / qblocks;
        const int b = bh / heads, h = bh % heads;
        const long long ld = (long long)heads * D;   // output row stride; inputs use ldIn (≥ ld: packed q|k|v rows)
        const T* qbase = q + (long long)b * lq * ldIn + h * D;
        const T* kbase = k + (long long)b * lk * ldIn + h * D;
        const T* vbase = v + (long long)b * lk * ldIn + h * D;
        T* obase = o + (long long)b * lq * ld + h * D;
        const int row0 = qb * BM + warp * 16 * RG;   // first query row of this warp

        // Q fragments (A operand, row-major 16×16 per k-step), straight from global memory.
        unsigned qf[RG][KSTEPS][4];
        #pragma unroll
        for (int rg = 0; rg < RG; ++rg) {
            const int r0 = row0 + rg * 16 + g, r1 = r0 + 8;
            const unsigned* p0 = (const unsigned*)(qbase + (long long)(r0 < lq ? r0 : 0) * ldIn);
            const unsigned* p1 = (const unsigned*)(qbase + (long long)(r1 < lq ? r1 : 0) * ldIn);
            #pragma unroll
            for (int kk = 0; kk < KSTEPS; ++kk) {
                const int w = kk * 8 + c;   // 32-bit word index of column kk·16 + 2c
                qf[rg][kk][0] = r0 < lq ? p0[w] : 0u;
                qf[rg][kk][1] = r1 < lq ? p1[w] : 0u;
                qf[rg][kk][2] = r0 < lq ? p0[w + 4] : 0u;
                qf[rg][kk][3] = r1 < lq ? p1[w + 4] : 0u;
            }
        }

        int ntiles = (lk + BN - 1) / BN;
        if (causal) { const int lastRow = min(qb * BM + BM, lq) - 1; ntiles = min(ntiles, lastRow / BN + 1); }

        // Shared-memory addresses as 32-bit offsets: tile stage st of K starts at ksBase + st·STAGE.
        constexpr unsigned STAGE = BN * LDS * 2;
        const unsigned ksBase = smem_u32(&ks[0][0]), vsBase = smem_u32(&vs[0][0]);
        auto loadTile = [&](int stage, int kt) {
            constexpr int CPR = D / 8;   // 16-byte chunks per row
            #pragma unroll
            for (int i = tid; i < BN * CPR; i += WARPS * 32) {
                const int r = i / CPR, cc = i % CPR, key = kt * BN + r;
                const bool ok = key < lk;
                const long long off = (long long)(ok ? key : 0) * ldIn + cc * 8;
                const unsigned so = stage * STAGE + (r * LDS + cc * 8) * 2;
                cp_async16(ksBase + so, kbase + off, ok ? 16 : 0);
                cp_async16(vsBase + so, vbase + off, ok ? 16 : 0);
            }
        };
        const int mi = lane >> 3, ri = lane & 7;
        // ldmatrix row addresses of this lane: K (non-transposed, key blocks × dim halves) and
        // V (transposed, key halves × dim blocks), relative to the tile start.
        const unsigned kLane = (((mi >> 1) * 8 + ri) * LDS + (mi & 1) * 8) * 2;
        const unsigned vLane = (((mi & 1) * 8 + ri) * LDS + (mi >> 1) * 8) * 2;

        float m[RG][2], l[RG][2], acc[RG][DB][4];
        #pragma unroll
        for (int rg = 0; rg < RG; ++rg) {
            m[rg][0] = m[rg][1] = -INFINITY; l[rg][0] = l[rg][1] = 0.f;
            #pragma unroll
            for (int j = 0; j < DB; ++j) acc[rg][j][0] = acc[rg][j][1] = acc[rg][j][2] = acc[rg][j][3] = 0.f;
        }

        loadTile(0, 0);
        cp_async_commit();
        for (int kt = 0; kt < ntiles; ++kt) {
            const int st = kt & 1;
            if (kt + 1 < ntiles) loadTile(st ^ 1, kt + 1);
            cp_async_commit();
            cp_async_wait1();
            __syncthreads();
            const unsigned kTile = ksBase + st * STAGE + kLane, vTile = vsBase + st * STAGE + vLane;

            // S = Q·Kᵀ for this warp's rows and the 64 keys of the tile.
            float s[RG][NB][4];
            #pragma unroll
            for (int rg = 0; rg < RG; ++rg)
                #pragma unroll
                for (int j = 0; j < NB; ++j) s[rg][j][0] = s[rg][j][1] = s[rg][j][2] = s[rg][j][3] = 0.f;
            #pragma unroll
            for (int kk = 0; kk < KSTEPS; ++kk) {
                #pragma unroll
                for (int jp = 0; jp < NB / 2; ++jp) {
                    unsigned b0, b1, b2, b3;
                    ldsm_x4(kTile + (jp * 16 * LDS + kk * 16) * 2, b0, b1, b2, b3);
                    #pragma unroll
                    for (int rg = 0; rg < RG; ++rg) {
                        mma16816(s[rg][2 * jp], qf[rg][kk], b0, b1);
                        mma16816(s[rg][2 * jp + 1], qf[rg][kk], b2, b3);
                    }
                }
            }

            // Online softmax (base-2 exponent; scaleLog2 = scale·log2 e). Scores stay unscaled: the
            // running max m is in raw units and the scale is folded into one FMA per exponent.
            unsigned pf[RG][BN / 16][4];
            #pragma unroll
            for (int rg = 0; rg < RG; ++rg) {
                const int rA = row0 + rg * 16 + g, rB = rA + 8;
                float mx0 = m[rg][0], mx1 = m[rg][1];
                const bool masked = causal || kt * BN + BN > lk;   // uniform per tile
                #pragma unroll
                for (int j = 0; j < NB; ++j) {
                    if (masked) {
                        #pragma unroll
                        for (int e = 0; e < 4; ++e) {
                            const int col = kt * BN + j * 8 + c * 2 + (e & 1);
                            if (col >= lk || (causal && col > (e < 2 ? rA : rB))) s[rg][j][e] = -INFINITY;
                        }
                    }
                    mx0 = fmaxf(mx0, fmaxf(s[rg][j][0], s[rg][j][1]));
                    mx1 = fmaxf(mx1, fmaxf(s[rg][j][2], s[rg][j][3]));
                }
                mx0 = fmaxf(mx0, __shfl_xor_sync(0xffffffffu, mx0, 1));
                mx0 = fmaxf(mx0, __shfl_xor_sync(0xffffffffu, mx0, 2));
                mx1 = fmaxf(mx1, __shfl_xor_sync(0xffffffffu, mx1, 1));
                mx1 = fmaxf(mx1, __shfl_xor_sync(0xffffffffu, mx1, 2));
                const float base0 = mx0 == -INFINITY ? 0.f : mx0 * scaleLog2, base1 = mx1 == -INFINITY ? 0.f : mx1 * scaleLog2;
                const float al0 = fast_exp2(m[rg][0] * scaleLog2 - base0), al1 = fast_exp2(m[rg][1] * scaleLog2 - base1);
                m[rg][0] = mx0; m[rg][1] = mx1;
                l[rg][0] *= al0; l[rg][1] *= al1;
                #pragma unroll
                for (int j = 0; j < DB; ++j) { acc[rg][j][0] *= al0; acc[rg][j][1] *= al0; acc[rg][j][2] *= al1; acc[rg][j][3] *= al1; }
                #pragma unroll
                for (int j = 0; j < NB; ++j) {
                    const float p0 = fast_exp2(fmaf(s[rg][j][0], scaleLog2, -base0)), p1 = fast_exp2(fmaf(s[rg][j][1], scaleLog2, -base0));
                    const float p2 = fast_exp2(fmaf(s[rg][j][2], scaleLog2, -base1)), p3 = fast_exp2(fmaf(s[rg][j][3], scaleLog2, -base1));
                    l[rg][0] += p0 + p1; l[rg][1] += p2 + p3;
                    // Accumulator layout of key block j → A fragment of key step j/2.
                    pf[rg][j >> 1][(j & 1) * 2 + 0] = pack2(p0, p1);
                    pf[rg][j >> 1][(j & 1) * 2 + 1] = pack2(p2, p3);
                }
            }

            // O += P·V
            #pragma unroll
            for (int t = 0; t < BN / 16; ++t) {
                #pragma unroll
                for (int dp = 0; dp < DB / 2; ++dp) {
                    unsigned b0, b1, b2, b3;
                    ldsm_x4_t(vTile + (t * 16 * LDS + dp * 16) * 2, b0, b1, b2, b3);
                    #pragma unroll
                    for (int rg = 0; rg < RG; ++rg) {
                        mma16816(acc[rg][2 * dp], pf[rg][t], b0, b1);
                        mma16816(acc[rg][2 * dp + 1], pf[rg][t], b2, b3);
                    }
                }
            }
            __syncthreads();
        }

        #pragma unroll
        for (int rg = 0; rg < RG; ++rg) {
            float l0 = l[rg][0], l1 = l[rg][1];
            l0 += __shfl_xor_sync(0xffffffffu, l0, 1); l0 += __shfl_xor_sync(0xffffffffu, l0, 2);
            l1 += __shfl_xor_sync(0xffffffffu, l1, 1); l1 += __shfl_xor_sync(0xffffffffu, l1, 2);
            const float i0 = l0 > 0.f ? 1.f / l0 : 0.f, i1 = l1 > 0.f ? 1.f / l1 : 0.f;
            const int r0 = row0 + rg * 16 + g, r1 = r0 + 8;
            unsigned* o0 = (unsigned*)(obase + (long long)(r0 < lq ? r0 : 0) * ld);
            unsigned* o1 = (unsigned*)(obase + (long long)(r1 < lq ? r1 : 0) * ld);
            #pragma unroll
            for (int j = 0; j < DB; ++j) {
                if (r0 < lq) o0[j * 4 + c] = pack2(acc[rg][j][0] * i0, acc[rg][j][1] * i0);
                if (r1 < lq) o1[j * 4 + c] = pack2(acc[rg][j][2] * i1, acc[rg][j][3] * i1);
            }
        }
    }

    // flash_attn_d<D>_w<warps>_r<row groups>_k<key tile>; MINB = blocks per SM the register budget must allow.
    #define FLASH_ENTRY(D, W, R, BN, MINB) \
    extern "C" __global__ void __launch_bounds__(W * 32, MINB) flash_attn_d##D##_w##W##_r##R##_k##BN( \
        const T* q, const T* k, const T* v, T* o, int heads, int lq, int lk, long long ldIn, float scaleLog2, int causal) { \
        flash_attention<D, W, R, BN>(q, k, v, o, heads, lq, lk, ldIn, scaleLog2, causal); }
    FLASH_ENTRY(64, 4, 1, 64, 3)
    FLASH_ENTRY(64, 8, 1, 64, 2)
    FLASH_ENTRY(64, 4, 2, 64, 2)
    FLASH_ENTRY(64, 8, 2, 64, 1)
    FLASH_ENTRY(64, 1, 1, 16, 8)
    FLASH_ENTRY(80, 4, 1, 64, 3)
    FLASH_ENTRY(80, 1, 1, 16, 8)
    """#
}

/// Device helpers both attention modules use (the portable and the Hopper one are compiled
/// separately, so each source carries its own copy of these lines).
enum AttentionDeviceSource {
    static let common = #"""
    __device__ __forceinline__ unsigned smem_u32(const void* p) {
        unsigned r; asm("{ .reg .u64 t; cvta.to.shared.u64 t, %1; cvt.u32.u64 %0, t; }" : "=r"(r) : "l"(p)); return r; }
    __device__ __forceinline__ void cp_async16(unsigned dst, const void* src, int bytes) {
        asm volatile("cp.async.cg.shared.global [%0], [%1], 16, %2;" :: "r"(dst), "l"(src), "r"(bytes) : "memory"); }
    __device__ __forceinline__ void cp_async_commit() { asm volatile("cp.async.commit_group;" ::: "memory"); }
    __device__ __forceinline__ void cp_async_wait1() { asm volatile("cp.async.wait_group 1;" ::: "memory"); }
    // Two floats → one register of two 16-bit values, `lo` in the low half (round to nearest even).
    __device__ __forceinline__ unsigned pack2(float lo, float hi) {
        unsigned r; asm("cvt.rn." MMA_T "x2.f32 %0, %1, %2;" : "=r"(r) : "f"(hi), "f"(lo)); return r; }

    """#
}
