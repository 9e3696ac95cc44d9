/// CUDA C source of the pointwise, layout and normalisation kernels. Compiled by NVRTC once per
/// storage type (`T` = float, h16 = IEEE half, b16 = bfloat16), all arithmetic in float32.
/// Half values are converted with PTX `cvt` so no CUDA header is needed at run time.
enum KernelSource {
    static let prelude = #"""
    #define INFINITY __int_as_float(0x7f800000)
    struct h16 { unsigned short x; };
    struct b16 { unsigned short x; };
    __device__ __forceinline__ float ld(const float* p, long long i) { return p[i]; }
    __device__ __forceinline__ void st(float* p, long long i, float v) { p[i] = v; }
    __device__ __forceinline__ float ld(const h16* p, long long i) {
        float f; unsigned short h = p[i].x; asm("cvt.f32.f16 %0, %1;" : "=f"(f) : "h"(h)); return f; }
    __device__ __forceinline__ void st(h16* p, long long i, float v) {
        unsigned short h; asm("cvt.rn.f16.f32 %0, %1;" : "=h"(h) : "f"(v)); p[i].x = h; }
    __device__ __forceinline__ float ld(const b16* p, long long i) { return __uint_as_float(((unsigned int)p[i].x) << 16); }
    __device__ __forceinline__ void st(b16* p, long long i, float v) {
        unsigned int u = __float_as_uint(v);
        if ((u & 0x7fffffffu) > 0x7f800000u) { p[i].x = (unsigned short)((u >> 16) | 0x40); return; }
        u += 0x7fffu + ((u >> 16) & 1u); p[i].x = (unsigned short)(u >> 16); }

    #define GRID_STRIDE(i, n) for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < (n); i += (long long)blockDim.x * gridDim.x)

    // 2^x with the SFU's single instruction (flush-to-zero; max relative error 2^-22, far below the
    // 16-bit rounding attention's P gets next).
    __device__ __forceinline__ float fast_exp2(float x) { float r; asm("ex2.approx.ftz.f32 %0, %1;" : "=f"(r) : "f"(x)); return r; }
    // value · GELU(gate) with GELU(g) = g/2 · (1 + erf(g/√2)). 1 + erf(z) comes from Abramowitz &
    // Stegun 7.1.26 (erfc(|z|) = poly(t)·exp(−z²), t = 1/(1 + 0.3275911·|z|), |error| ≤ 1.5e-7):
    // erfc(|z|) for z < 0 and 2 − erfc(|z|) otherwise, so negative gates lose nothing to
    // cancellation. Two SFU ops (reciprocal, 2^x) and six FMAs instead of erff's longer sequence
    // (the fused GEGLU projection's epilogue was bound by erff; `geglu_vec` uses it for half storage).
    __device__ __forceinline__ float geglu_value(float v, float g) {
        const float az = fabsf(g) * 0.70710678118654752f;
        const float t = __fdividef(1.f, fmaf(0.3275911f, az, 1.f));
        float p = fmaf(1.061405429f, t, -1.453152027f);
        p = fmaf(p, t, 1.421413741f);
        p = fmaf(p, t, -0.284496736f);
        p = fmaf(p, t, 0.254829592f);
        const float erfc = p * t * fast_exp2(-az * az * 1.4426950408889634f);
        return v * 0.5f * g * (g < 0.f ? erfc : 2.f - erfc);
    }

    __device__ __forceinline__ float warp_sum(float v) {
        for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(0xffffffffu, v, o);
        return v;
    }
    __device__ __forceinline__ float warp_max(float v) {
        for (int o = 16; o > 0; o >>= 1) v = fmaxf(v, __shfl_xor_sync(0xffffffffu, v, o));
        return v;
    }
    // Sum over the block (blockDim.x a multiple of 32, at most 1024). `scratch` holds 32 floats.
    __device__ float block_sum(float v, float* scratch) {
        int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
        v = warp_sum(v);
        __syncthreads();
        if (lane == 0) scratch[warp] = v;
        __syncthreads();
        float t = (threadIdx.x < (blockDim.x >> 5)) ? scratch[threadIdx.x] : 0.f;
        if (warp == 0) t = warp_sum(t);
        if (threadIdx.x == 0) scratch[0] = t;
        __syncthreads();
        float r = scratch[0];
        __syncthreads();
        return r;
    }
    __device__ float block_max(float v, float* scratch) {
        int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
        v = warp_max(v);
        __syncthreads();
        if (lane == 0) scratch[warp] = v;
        __syncthreads();
        float t = (threadIdx.x < (blockDim.x >> 5)) ? scratch[threadIdx.x] : -INFINITY;
        if (warp == 0) t = warp_max(t);
        if (threadIdx.x == 0) scratch[0] = t;
        __syncthreads();
        float r = scratch[0];
        __syncthreads();
        return r;
    }
    __device__ __forceinline__ float apply_unary(int op, float x) {
        switch (op) {
        case 0: return x / (1.f + expf(-x));                                   // silu
        case 1: return 0.5f * x * (1.f + erff(x * 0.70710678118654752f));      // gelu (erf)
        case 2: return 0.5f * x * (1.f + tanhf(0.79788456080286536f * (x + 0.044715f * x * x * x)));
        case 3: return x / (1.f + expf(-1.702f * x));                          // quick gelu
        case 4: return expf(x);
        case 5: return 1.f / (1.f + expf(-x));
        case 6: return -x;
        case 7: return x * x;
        case 8: return sqrtf(x);
        }
        return x;
    }
    struct Strides6 { int rank; long long dims[6]; long long a[6]; long long b[6]; };
    """#

    /// Kernels instantiated for storage type `T`.
    static let body = #"""
    extern "C" __global__ void fill(T* y, float v, long long n) { GRID_STRIDE(i, n) st(y, i, v); }
    extern "C" __global__ void cast_from_f32(const float* x, T* y, long long n) { GRID_STRIDE(i, n) st(y, i, x[i]); }
    extern "C" __global__ void cast_from_h16(const h16* x, T* y, long long n) { GRID_STRIDE(i, n) st(y, i, ld(x, i)); }
    extern "C" __global__ void cast_from_b16(const b16* x, T* y, long long n) { GRID_STRIDE(i, n) st(y, i, ld(x, i)); }
    extern "C" __global__ void cast_to_f32(const T* x, float* y, long long n) { GRID_STRIDE(i, n) y[i] = ld(x, i); }
    extern "C" __global__ void unary(const T* x, T* y, long long n, int op) { GRID_STRIDE(i, n) st(y, i, apply_unary(op, ld(x, i))); }
    extern "C" __global__ void affine(const T* x, T* y, long long n, float s, float t) { GRID_STRIDE(i, n) st(y, i, ld(x, i) * s + t); }
    extern "C" __global__ void clampk(const T* x, T* y, long long n, float lo, float hi) { GRID_STRIDE(i, n) st(y, i, fminf(fmaxf(ld(x, i), lo), hi)); }
    extern "C" __global__ void axpby(const T* x, const T* z, T* y, long long n, float a, float b, float c) {
        GRID_STRIDE(i, n) st(y, i, a * ld(x, i) + b * ld(z, i) + c); }
    extern "C" __global__ void binary(const T* a, const T* b, T* y, long long n, int op, Strides6 s) {
        GRID_STRIDE(i, n) {
            long long rem = i, oa = 0, ob = 0;
            for (int d = s.rank - 1; d >= 0; --d) { long long k = rem % s.dims[d]; rem /= s.dims[d]; oa += k * s.a[d]; ob += k * s.b[d]; }
            float u = ld(a, oa), v = ld(b, ob), r;
            switch (op) { case 0: r = u + v; break; case 1: r = u - v; break; case 2: r = u * v; break; default: r = u / v; }
            st(y, i, r);
        }
    }
    // y[outer, c, inner] += bias[c]
    extern "C" __global__ void bias_add(T* y, const T* bias, long long n, long long channels, long long inner) {
        GRID_STRIDE(i, n) st(y, i, ld(y, i) + ld(bias, (i / inner) % channels)); }
    extern "C" __global__ void geglu(const T* x, T* y, long long rows, long long d) {
        GRID_STRIDE(i, rows * d) { long long r = i / d, j = i % d;
            float v = ld(x, r * 2 * d + j), g = ld(x, r * 2 * d + d + j);
            st(y, i, v * 0.5f * g * (1.f + erff(g * 0.70710678118654752f))); } }
    // Output-ordered gather: s.dims = output dims, s.a = input stride of each output dim.
    extern "C" __global__ void permute(const T* x, T* y, long long n, Strides6 s) {
        GRID_STRIDE(i, n) { long long rem = i, o = 0;
            for (int d = s.rank - 1; d >= 0; --d) { long long k = rem % s.dims[d]; rem /= s.dims[d]; o += k * s.a[d]; }
            st(y, i, ld(x, o)); } }
    // Copies `rows` rows of `cols` elements between strided row layouts (concat, slice).
    extern "C" __global__ void copy_rows(const T* x, T* y, long long rows, long long cols, long long xStride, long long yStride, long long xOff, long long yOff) {
        GRID_STRIDE(i, rows * cols) { long long r = i / cols, c = i % cols; st(y, yOff + r * yStride + c, ld(x, xOff + r * xStride + c)); } }
    extern "C" __global__ void upsample2x(const T* x, T* y, long long planes, long long h, long long w) {
        GRID_STRIDE(i, planes * 4 * h * w) { long long p = i / (4 * h * w), r = i % (4 * h * w);
            long long oy = r / (2 * w), ox = r % (2 * w);
            st(y, i, ld(x, p * h * w + (oy >> 1) * w + (ox >> 1))); } }
    extern "C" __global__ void adaptive_pool(const T* x, T* y, long long planes, long long h, long long w, long long oh, long long ow) {
        GRID_STRIDE(i, planes * oh * ow) { long long p = i / (oh * ow), r = i % (oh * ow), oy = r / ow, ox = r % ow;
            long long y0 = (oy * h) / oh, y1 = ((oy + 1) * h + oh - 1) / oh, x0 = (ox * w) / ow, x1 = ((ox + 1) * w + ow - 1) / ow;
            float s = 0.f;
            for (long long yy = y0; yy < y1; ++yy) for (long long xx = x0; xx < x1; ++xx) s += ld(x, p * h * w + yy * w + xx);
            st(y, i, s / (float)((y1 - y0) * (x1 - x0))); } }
    extern "C" __global__ void embedding(const T* table, const int* ids, T* y, long long n, long long d) {
        GRID_STRIDE(i, n * d) { st(y, i, ld(table, (long long)ids[i / d] * d + i % d)); } }
    // col[k, r*wo + ox] for output rows [r0, r0+rows) of sample x (one image [C,H,W]).
    extern "C" __global__ void im2col(const T* x, T* col, long long c, long long h, long long w, int kh, int kw, int stride,
                                      int pt, int pl, long long wo, long long r0, long long rows) {
        long long cols = rows * wo;
        GRID_STRIDE(i, c * kh * kw * cols) {
            long long kk = i / cols, j = i % cols;
            long long ci = kk / (kh * kw), ky = (kk / kw) % kh, kx = kk % kw;
            long long oy = r0 + j / wo, ox = j % wo;
            long long iy = oy * stride - pt + ky, ix = ox * stride - pl + kx;
            float v = (iy >= 0 && iy < h && ix >= 0 && ix < w) ? ld(x, (ci * h + iy) * w + ix) : 0.f;
            st(col, i, v); } }
    // col[s, k, oy*wo + ox] for every sample s of x [N, C, H, W] (one launch for the whole batch).
    extern "C" __global__ void im2col_batched(const T* x, T* col, long long n, long long c, long long h, long long w, int kh, int kw,
                                              int stride, int pt, int pl, long long ho, long long wo) {
        long long hw = ho * wo, kdim = c * kh * kw;
        GRID_STRIDE(i, n * kdim * hw) {
            long long s = i / (kdim * hw), r = i % (kdim * hw), kk = r / hw, j = r % hw;
            long long ci = kk / (kh * kw), ky = (kk / kw) % kh, kx = kk % kw;
            long long iy = (j / wo) * stride - pt + ky, ix = (j % wo) * stride - pl + kx;
            float v = (iy >= 0 && iy < h && ix >= 0 && ix < w) ? ld(x, ((s * c + ci) * h + iy) * w + ix) : 0.f;
            st(col, i, v); } }
    // taps[t][o][c] = w[o][c][t]
    // Weights stay far below 2^32 elements, so the index arithmetic is 32-bit (64-bit divisions
    // made these re-layouts cost ~18 µs a launch at 1280 channels).
    extern "C" __global__ void tconv_taps(const T* w, T* taps, long long o, long long c, long long k) {
        const unsigned oc = (unsigned)(o * c), ku = (unsigned)k;
        GRID_STRIDE(i, o * c * k) { const unsigned u = (unsigned)i, t = u / oc, r = u % oc; st(taps, i, ld(w, (long long)r * ku + t)); } }
    // wcat[o][t·c + ci] = w[o][ci][t]: the k taps side by side, one [O, k·C] matrix (frame-major temporal conv).
    extern "C" __global__ void tconv_wcat(const T* w, T* wcat, long long o, long long c, long long k) {
        const unsigned kc = (unsigned)(k * c), cu = (unsigned)c, ku = (unsigned)k;
        GRID_STRIDE(i, o * c * k) {
            const unsigned u = (unsigned)i, oi = u / kc, r = u % kc, t = r / cu, ci = r % cu;
            st(wcat, i, ld(w, ((long long)oi * cu + ci) * ku + t)); } }
    // One block per (n, group): statistics over C/G × spatial, two passes, float accumulation.
    extern "C" __global__ void group_norm(const T* x, T* y, const T* wt, const T* bs, long long groups, long long perGroup,
                                          long long spatial, float eps) {
        __shared__ float scratch[32];
        long long ng = blockIdx.x, g = ng % groups, size = perGroup * spatial;
        const T* src = x; long long base = ng * size;
        float s = 0.f;
        for (long long i = threadIdx.x; i < size; i += blockDim.x) s += ld(src, base + i);
        float mean = block_sum(s, scratch) / (float)size;
        float q = 0.f;
        for (long long i = threadIdx.x; i < size; i += blockDim.x) { float d = ld(src, base + i) - mean; q += d * d; }
        float rstd = rsqrtf(block_sum(q, scratch) / (float)size + eps);
        for (long long i = threadIdx.x; i < size; i += blockDim.x) {
            long long ch = g * perGroup + i / spatial;
            st(y, base + i, (ld(src, base + i) - mean) * rstd * ld(wt, ch) + ld(bs, ch)); } }
    extern "C" __global__ void layer_norm(const T* x, T* y, const T* wt, const T* bs, long long d, float eps, int affine) {
        __shared__ float scratch[32];
        long long base = (long long)blockIdx.x * d;
        float s = 0.f;
        for (long long i = threadIdx.x; i < d; i += blockDim.x) s += ld(x, base + i);
        float mean = block_sum(s, scratch) / (float)d;
        float q = 0.f;
        for (long long i = threadIdx.x; i < d; i += blockDim.x) { float v = ld(x, base + i) - mean; q += v * v; }
        float rstd = rsqrtf(block_sum(q, scratch) / (float)d + eps);
        for (long long i = threadIdx.x; i < d; i += blockDim.x) {
            float v = (ld(x, base + i) - mean) * rstd;
            if (affine) v = v * ld(wt, i) + ld(bs, i);
            st(y, base + i, v); } }
    // Row softmax of a float32 score block with optional causal mask: row r (global query index
    // q0 + r % rowsPerHead) keeps keys j <= q index. In place.
    extern "C" __global__ void softmax_rows(float* s, long long d, long long rowsPerHead, long long q0, int causal) {
        __shared__ float scratch[32];
        long long row = blockIdx.x;
        float* p = s + row * d;
        long long limit = causal ? min(d, q0 + row % rowsPerHead + 1) : d;
        float m = -INFINITY;
        for (long long i = threadIdx.x; i < limit; i += blockDim.x) m = fmaxf(m, p[i]);
        m = block_max(m, scratch);
        float z = 0.f;
        for (long long i = threadIdx.x; i < d; i += blockDim.x) { float e = i < limit ? expf(p[i] - m) : 0.f; p[i] = e; z += e; }
        z = block_sum(z, scratch);
        float inv = z > 0.f ? 1.f / z : 0.f;
        for (long long i = threadIdx.x; i < d; i += blockDim.x) p[i] *= inv; }
    extern "C" __global__ void softmax_t(const T* x, T* y, long long d) {
        __shared__ float scratch[32];
        long long base = (long long)blockIdx.x * d;
        float m = -INFINITY;
        for (long long i = threadIdx.x; i < d; i += blockDim.x) m = fmaxf(m, ld(x, base + i));
        m = block_max(m, scratch);
        float z = 0.f;
        for (long long i = threadIdx.x; i < d; i += blockDim.x) z += expf(ld(x, base + i) - m);
        z = block_sum(z, scratch);
        for (long long i = threadIdx.x; i < d; i += blockDim.x) st(y, base + i, expf(ld(x, base + i) - m) / z); }
    // Short-sequence attention: one block per (sequence, head); K and V of the head in shared
    // memory (Lk ≤ 64, head dims ≤ 128); one warp per query row.
    extern "C" __global__ void attention_small(const T* q, const T* k, const T* v, T* o, long long heads, long long lq, long long lk,
                                               long long d, long long dv, float scale, int causal) {
        extern __shared__ float sm[];
        float* ks = sm; float* vs = sm + lk * d; float* sc = vs + lk * dv;  // sc: [warps][lk]
        long long b = blockIdx.x / heads, h = blockIdx.x % heads;
        long long qd = heads * d, vd = heads * dv;
        for (long long i = threadIdx.x; i < lk * d; i += blockDim.x) ks[i] = ld(k, (b * lk + i / d) * qd + h * d + i % d);
        for (long long i = threadIdx.x; i < lk * dv; i += blockDim.x) vs[i] = ld(v, (b * lk + i / dv) * vd + h * dv + i % dv);
        __syncthreads();
        int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, warps = blockDim.x >> 5;
        float* mys = sc + warp * lk;
        for (long long r = warp; r < lq; r += warps) {
            long long qoff = (b * lq + r) * qd + h * d;
            long long n = causal ? min(lk, r + 1) : lk;
            for (long long j = 0; j < n; ++j) {
                float acc = 0.f;
                for (long long t = lane; t < d; t += 32) acc += ld(q, qoff + t) * ks[j * d + t];
                acc = warp_sum(acc);
                if (lane == 0) mys[j] = acc * scale;
            }
            __syncwarp();
            float m = -INFINITY;
            for (long long j = lane; j < n; j += 32) m = fmaxf(m, mys[j]);
            m = warp_max(m);
            float z = 0.f;
            for (long long j = lane; j < n; j += 32) { float e = expf(mys[j] - m); mys[j] = e; z += e; }
            z = warp_sum(z);
            __syncwarp();
            float inv = 1.f / z;
            long long ooff = (b * lq + r) * vd + h * dv;
            for (long long t = lane; t < dv; t += 32) {
                float acc = 0.f;
                for (long long j = 0; j < n; ++j) acc += mys[j] * vs[j * dv + t];
                st(o, ooff + t, acc * inv);
            }
            __syncwarp();
        } }
    // Accumulates a float32 block into T with a scale: y[i] = x[i] (copy/convert, used by attention output).
    extern "C" __global__ void from_f32_strided(const float* x, T* y, long long rows, long long cols, long long yStride, long long yOff) {
        GRID_STRIDE(i, rows * cols) { long long r = i / cols, c = i % cols; st(y, yOff + r * yStride + c, x[i]); } }
    """#

    /// Full source for storage type `typeName` ("float", "h16" or "b16").
    /// Half-precision modules also carry the tensor-core attention kernels.
    static func source(storage typeName: String) -> String {
        var s = prelude + "\ntypedef \(typeName) T;\n" + body + VectorKernelSource.body + LayoutKernelSource.body
        if typeName == "h16" { s += "\n#define MMA_T \"f16\"\n" + FlashAttentionSource.body }
        if typeName == "b16" { s += "\n#define MMA_T \"bf16\"\n" + FlashAttentionSource.body }
        return s
    }

    /// The Hopper module (sm_90a): warpgroup-MMA attention and the fused GEGLU projection, for half storage.
    static func hopperSource(storage typeName: String) -> String {
        precondition(typeName == "h16" || typeName == "b16", "the Hopper module is for half storage")
        return prelude + "\ntypedef \(typeName) T;\n#define MMA_T \"\(typeName == "h16" ? "f16" : "bf16")\"\n" + HopperAttentionSource.body + HopperGEMMSource.body
    }
}
