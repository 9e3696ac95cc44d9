/// Bandwidth-bound kernels with 16-byte accesses: 8 elements of the storage type per thread step
/// (one `uint4` for half storage, two `float4` for float32). The dispatcher uses them only when
/// the element counts are multiples of 8 and the pointers 16-byte aligned.
///
/// GroupNorm runs in three launches so that a 5-D tensor with only N·32 groups still fills the
/// GPU: `gn_partial` (many blocks per group: shifted sums Σ(x−x₀), Σ(x−x₀)² per chunk, x₀ the
/// group's first element, which keeps the single pass free of cancellation for offset data),
/// `gn_coeffs` (per (sample, channel): mean, rstd·weight, bias) and `gn_apply` (y = (x−mean)·a + b,
/// optionally followed by SiLU).
enum VectorKernelSource {
    static let body = #"""
    __device__ __forceinline__ void ld8(const float* p, long long i, float* f) {
        float4 a = *(const float4*)(p + i), b = *(const float4*)(p + i + 4);
        f[0] = a.x; f[1] = a.y; f[2] = a.z; f[3] = a.w; f[4] = b.x; f[5] = b.y; f[6] = b.z; f[7] = b.w; }
    __device__ __forceinline__ void st8(float* p, long long i, const float* f) {
        *(float4*)(p + i) = make_float4(f[0], f[1], f[2], f[3]); *(float4*)(p + i + 4) = make_float4(f[4], f[5], f[6], f[7]); }
    __device__ __forceinline__ float h2f(unsigned short h) { float f; asm("cvt.f32.f16 %0, %1;" : "=f"(f) : "h"(h)); return f; }
    __device__ __forceinline__ unsigned short f2h(float f) { unsigned short h; asm("cvt.rn.f16.f32 %0, %1;" : "=h"(h) : "f"(f)); return h; }
    __device__ __forceinline__ unsigned short f2b(float v) {
        unsigned int u = __float_as_uint(v);
        if ((u & 0x7fffffffu) > 0x7f800000u) return (unsigned short)((u >> 16) | 0x40);
        u += 0x7fffu + ((u >> 16) & 1u); return (unsigned short)(u >> 16); }
    __device__ __forceinline__ void ld8(const h16* p, long long i, float* f) {
        uint4 u = *(const uint4*)(p + i); unsigned w[4] = {u.x, u.y, u.z, u.w};
        for (int j = 0; j < 4; ++j) { f[2 * j] = h2f((unsigned short)(w[j] & 0xffffu)); f[2 * j + 1] = h2f((unsigned short)(w[j] >> 16)); } }
    __device__ __forceinline__ void st8(h16* p, long long i, const float* f) {
        unsigned w[4];
        for (int j = 0; j < 4; ++j) w[j] = (unsigned)f2h(f[2 * j]) | ((unsigned)f2h(f[2 * j + 1]) << 16);
        *(uint4*)(p + i) = make_uint4(w[0], w[1], w[2], w[3]); }
    __device__ __forceinline__ void ld8(const b16* p, long long i, float* f) {
        uint4 u = *(const uint4*)(p + i); unsigned w[4] = {u.x, u.y, u.z, u.w};
        for (int j = 0; j < 4; ++j) { f[2 * j] = __uint_as_float(w[j] << 16); f[2 * j + 1] = __uint_as_float(w[j] & 0xffff0000u); } }
    __device__ __forceinline__ void st8(b16* p, long long i, const float* f) {
        unsigned w[4];
        for (int j = 0; j < 4; ++j) w[j] = (unsigned)f2b(f[2 * j]) | ((unsigned)f2b(f[2 * j + 1]) << 16);
        *(uint4*)(p + i) = make_uint4(w[0], w[1], w[2], w[3]); }
    __device__ __forceinline__ float silu_f(float x) { return x / (1.f + expf(-x)); }

    // Block `blockIdx.x` = (group ng, chunk ci): shifted sums over elements [ci·chunk, min(size, (ci+1)·chunk))
    // of group ng (groups are contiguous ranges of `size` elements). chunk is a multiple of 8.
    // Block (ng, f, ci): chunk ci of frame f of group ng = (sample s, group g). A sample is
    // `frames` consecutive [C, spatial] planes (frames == 1: plain GroupNorm; frames == F: the
    // temporal layers' statistics over all F frames of a video stored frame-major); every partial
    // of a group is shifted by the same x₀ (the group's first element of frame 0), so they add up.
    // With `inBias` ([C] or null) the statistics are those of x + inBias[channel]: element i of a
    // group's [C/G, spatial] block is in channel chBase + i / spatial (32-bit: a group's block is
    // far below 2³² elements, and 64-bit divisions per vector cost as much as its memory traffic).
    // The group's biases are staged in shared memory (up to 256 channels per group; more read
    // global memory).
    // f[0..8) += the input bias of elements i … i+7 of a group's block (channel chBase + i / sp).
    __device__ __forceinline__ void gn_add_bias8(float* f, unsigned i, unsigned sp, const T* inBias, const float* groupBias,
                                                 bool staged, long long chBase) {
        const unsigned c = i / sp, r = i - c * sp;
        if (r + 8 <= sp) {
            const float bc = staged ? groupBias[c] : ld(inBias, chBase + c);
            #pragma unroll
            for (int j = 0; j < 8; ++j) f[j] += bc;
        } else {
            for (int j = 0; j < 8; ++j) f[j] += ld(inBias, chBase + c + (r + j) / sp);
        } }
    // Two 16-byte loads in flight per thread per iteration (48 registers leave 5 blocks per SM).
    extern "C" __global__ void gn_partial(const T* x, float* part, long long size, int chunks, long long chunk, int vec,
                                          int frames, long long groups, const T* inBias, long long spatial) {
        __shared__ float scratch[32];
        __shared__ float groupBias[256];
        const long long ng = blockIdx.x / (frames * chunks), rem = blockIdx.x % (frames * chunks);
        const long long f = rem / chunks, ci = rem % chunks, s = ng / groups, g = ng % groups;
        const long long sampleBase = s * frames * groups * size + g * size, base = sampleBase + f * groups * size;
        const long long perGroup = size / spatial, chBase = g * perGroup;
        const unsigned sp = (unsigned)spatial;
        const bool staged = inBias && perGroup <= 256;
        if (staged) {
            for (long long j = threadIdx.x; j < perGroup; j += blockDim.x) groupBias[j] = ld(inBias, chBase + j);
            __syncthreads();
        }
        const float x0 = ld(x, sampleBase) + (inBias ? ld(inBias, chBase) : 0.f);
        const long long s0 = ci * chunk, s1 = min(size, s0 + chunk);
        float a = 0.f, q = 0.f;
        if (vec) {
            const long long step = 8 * (long long)blockDim.x;
            for (long long i = s0 + 8 * (long long)threadIdx.x; i < s1; i += 2 * step) {
                const bool two = i + step < s1;
                float f[8], e[8];
                ld8(x, base + i, f);
                if (two) ld8(x, base + i + step, e);
                if (inBias) {
                    gn_add_bias8(f, (unsigned)i, sp, inBias, groupBias, staged, chBase);
                    if (two) gn_add_bias8(e, (unsigned)(i + step), sp, inBias, groupBias, staged, chBase);
                }
                #pragma unroll
                for (int j = 0; j < 8; ++j) { float d = f[j] - x0; a += d; q += d * d; }
                if (two) {
                    #pragma unroll
                    for (int j = 0; j < 8; ++j) { float d = e[j] - x0; a += d; q += d * d; }
                }
            }
        } else {
            for (long long i = s0 + threadIdx.x; i < s1; i += blockDim.x) {
                float d = ld(x, base + i) + (inBias ? ld(inBias, chBase + (unsigned)i / sp) : 0.f) - x0; a += d; q += d * d;
            }
        }
        a = block_sum(a, scratch);
        q = block_sum(q, scratch);
        if (threadIdx.x == 0) { part[2 * blockIdx.x] = a; part[2 * blockIdx.x + 1] = q; } }

    // coef[3·(n·C + ch)] = {mean, rstd·w[ch], b[ch]} for every (sample, channel); `chunks` partials
    // per group (all frames), each group `frames`·`size` elements. With an input bias the mean is
    // stored less inBias[ch], so gn_apply's (x − mean) is x + inBias[ch] less the mean of x + inBias.
    extern "C" __global__ void gn_coeffs(const T* x, const float* part, const T* w, const T* bs, float* coef, long long n,
                                         long long channels, long long groups, int chunks, long long size, float eps, int frames,
                                         const T* inBias) {
        GRID_STRIDE(i, n * channels) {
            const long long s = i / channels, ch = i % channels, perGroup = channels / groups, g = ch / perGroup, ng = s * groups + g;
            double a = 0.0, q = 0.0;
            for (int k = 0; k < chunks; ++k) { a += part[2 * (ng * chunks + k)]; q += part[2 * (ng * chunks + k) + 1]; }
            const double count = (double)size * frames;
            const double ms = a / count, var = fmax(q / count - ms * ms, 0.0);
            const float rstd = (float)(1.0 / sqrt(var + (double)eps));
            const float x0 = ld(x, s * frames * groups * size + g * size) + (inBias ? ld(inBias, g * perGroup) : 0.f);
            coef[3 * i] = x0 + (float)ms - (inBias ? ld(inBias, ch) : 0.f);
            coef[3 * i + 1] = rstd * ld(w, ch);
            coef[3 * i + 2] = ld(bs, ch); } }

    // y = (x − mean)·a + b per (sample, channel) plane of `spatial` elements; SiLU when `silu`.
    // x holds `frames` [channels, spatial] planes per sample (frame-major): plane q = i / spatial
    // belongs to sample q / (channels·frames) and channel q % channels. Index arithmetic in 32 bits
    // when the tensor allows (64-bit divisions cost several times more in this bandwidth-bound pass).
    __device__ __forceinline__ long long gn_row(long long i, long long spatial, long long channels, int frames, bool narrow) {
        if (narrow) {
            const unsigned q = (unsigned)i / (unsigned)spatial;
            return frames == 1 ? q : q / ((unsigned)channels * (unsigned)frames) * (unsigned)channels + q % (unsigned)channels;
        }
        const long long q = i / spatial;
        return frames == 1 ? q : q / (channels * frames) * channels + q % channels; }
    extern "C" __global__ void gn_apply(const T* x, T* y, const float* coef, long long count, long long spatial, int silu, int vec,
                                        long long channels, int frames) {
        const bool narrow = count <= 0xffffffffLL;
        if (vec) {
            GRID_STRIDE(v, count / 8) {
                const long long i = v * 8, p = gn_row(i, spatial, channels, frames, narrow);
                const float mean = coef[3 * p], a = coef[3 * p + 1], b = coef[3 * p + 2];
                float f[8]; ld8(x, i, f);
                #pragma unroll
                for (int j = 0; j < 8; ++j) { float r = (f[j] - mean) * a + b; f[j] = silu ? silu_f(r) : r; }
                st8(y, i, f);
            }
        } else {
            GRID_STRIDE(i, count) {
                const long long p = gn_row(i, spatial, channels, frames, narrow);
                float r = (ld(x, i) - coef[3 * p]) * coef[3 * p + 1] + coef[3 * p + 2];
                st(y, i, silu ? silu_f(r) : r);
            }
        } }

    // GroupNorm apply written as transformer tokens: x [N, C, P] (N = B·F, frame-major) →
    // y row ((b·P + p)·F + f), column c; coefficients per (b, c). 64×64 (channel, pixel) tiles
    // through shared memory, read along pixels and written along channels, every global access 8
    // elements (16 bytes) wide (C % 8 == 0, P % 8 == 0, aligned rows). blockDim.x == 256.
    extern "C" __global__ void __launch_bounds__(256) gn_tokens_vec(const T* x, T* y, const float* coef, long long C, long long P,
                                                                    int F, long long tilesC, long long tilesP, long long n, int silu) {
        __shared__ float tile[64][65];
        for (long long t = blockIdx.x; t < n * tilesC * tilesP; t += gridDim.x) {
            const long long ni = t / (tilesC * tilesP), rr = t % (tilesC * tilesP);
            const long long c0 = (rr / tilesP) * 64, p0 = (rr % tilesP) * 64, b = ni / F, f = ni % F;
            #pragma unroll
            for (int k = 0; k < 2; ++k) {
                const int v = threadIdx.x + 256 * k, cl = v >> 3, ch = v & 7;
                const long long c = c0 + cl, p = p0 + 8 * ch;
                if (c < C && p < P) {
                    const float* kf = coef + 3 * (b * C + c);
                    float e[8]; ld8(x, (ni * C + c) * P + p, e);
                    #pragma unroll
                    for (int j = 0; j < 8; ++j) { const float r = (e[j] - kf[0]) * kf[1] + kf[2]; tile[cl][8 * ch + j] = silu ? silu_f(r) : r; }
                }
            }
            __syncthreads();
            #pragma unroll
            for (int k = 0; k < 2; ++k) {
                const int v = threadIdx.x + 256 * k, pl = v >> 3, ch = v & 7;
                const long long p = p0 + pl, c = c0 + 8 * ch;
                if (c < C && p < P) {
                    float e[8];
                    #pragma unroll
                    for (int j = 0; j < 8; ++j) e[j] = tile[8 * ch + j][pl];
                    st8(y, ((b * P + p) * F + f) * C + c, e);
                }
            }
            __syncthreads();
        } }

    // The inverse layout plus a residual and a channel bias, each optional (null):
    // y[n, c, p] = t[row ((b·P + p)·F + f), c] + r[n, c, p] + cb[n·cbStride + c] (cbStride 0: one
    // bias for every sample).
    extern "C" __global__ void __launch_bounds__(256) tokens_add_vec(const T* tk, const T* res, T* y, long long C, long long P,
                                                                     int F, long long tilesC, long long tilesP, long long n,
                                                                     const T* cb, long long cbStride) {
        __shared__ float tile[64][65];
        for (long long t = blockIdx.x; t < n * tilesC * tilesP; t += gridDim.x) {
            const long long ni = t / (tilesC * tilesP), rr = t % (tilesC * tilesP);
            const long long c0 = (rr / tilesP) * 64, p0 = (rr % tilesP) * 64, b = ni / F, f = ni % F;
            #pragma unroll
            for (int k = 0; k < 2; ++k) {
                const int v = threadIdx.x + 256 * k, pl = v >> 3, ch = v & 7;
                const long long p = p0 + pl, c = c0 + 8 * ch;
                if (c < C && p < P) {
                    float e[8]; ld8(tk, ((b * P + p) * F + f) * C + c, e);
                    #pragma unroll
                    for (int j = 0; j < 8; ++j) tile[8 * ch + j][pl] = e[j];
                }
            }
            __syncthreads();
            #pragma unroll
            for (int k = 0; k < 2; ++k) {
                const int v = threadIdx.x + 256 * k, cl = v >> 3, ch = v & 7;
                const long long c = c0 + cl, p = p0 + 8 * ch;
                if (c < C && p < P) {
                    const long long i = (ni * C + c) * P + p;
                    const float bias = cb ? ld(cb, ni * cbStride + c) : 0.f;
                    float e[8];
                    if (res) { ld8(res, i, e); } else {
                        #pragma unroll
                        for (int j = 0; j < 8; ++j) e[j] = 0.f;
                    }
                    #pragma unroll
                    for (int j = 0; j < 8; ++j) e[j] += tile[cl][8 * ch + j] + bias;
                    st8(y, i, e);
                }
            }
            __syncthreads();
        } }

    // Same-shape elementwise a ∘ b, 8 elements per step (count % 8 == 0).
    extern "C" __global__ void binary_vec(const T* a, const T* b, T* y, long long count, int op) {
        GRID_STRIDE(v, count / 8) {
            float u[8], w[8]; ld8(a, v * 8, u); ld8(b, v * 8, w);
            #pragma unroll
            for (int j = 0; j < 8; ++j) {
                switch (op) { case 0: u[j] += w[j]; break; case 1: u[j] -= w[j]; break; case 2: u[j] *= w[j]; break; default: u[j] /= w[j]; }
            }
            st8(y, v * 8, u);
        } }
    // a[outer, mid, inner] ∘ b[mid] or a ∘ b[outer, mid, 1] style broadcasts: b index = (i / inner) % mid · bInner
    // covers bias/scale over a channel axis (inner % 8 == 0).
    extern "C" __global__ void binary_chan_vec(const T* a, const T* b, T* y, long long count, int op, long long inner, long long mid) {
        GRID_STRIDE(v, count / 8) {
            const long long i = v * 8;
            const float w = ld(b, (i / inner) % mid);
            float u[8]; ld8(a, i, u);
            #pragma unroll
            for (int j = 0; j < 8; ++j) {
                switch (op) { case 0: u[j] += w; break; case 1: u[j] -= w; break; case 2: u[j] *= w; break; default: u[j] /= w; }
            }
            st8(y, i, u);
        } }
    extern "C" __global__ void unary_vec(const T* x, T* y, long long count, int op) {
        GRID_STRIDE(v, count / 8) {
            float f[8]; ld8(x, v * 8, f);
            #pragma unroll
            for (int j = 0; j < 8; ++j) f[j] = apply_unary(op, f[j]);
            st8(y, v * 8, f);
        } }
    // y[outer, c, inner] += bias[c], in place, inner % 8 == 0.
    // Channel of element i of [outer, channels, inner] (32-bit arithmetic when the tensor allows).
    __device__ __forceinline__ long long channel_of(long long i, long long inner, long long channels, bool narrow) {
        return narrow ? (long long)(((unsigned)i / (unsigned)inner) % (unsigned)channels) : (i / inner) % channels; }
    extern "C" __global__ void bias_add_vec(T* y, const T* bias, long long count, long long channels, long long inner) {
        const bool narrow = count <= 0xffffffffLL;
        GRID_STRIDE(v, count / 8) {
            const long long i = v * 8;
            const float w = ld(bias, channel_of(i, inner, channels, narrow));
            float f[8]; ld8(y, i, f);
            #pragma unroll
            for (int j = 0; j < 8; ++j) f[j] += w;
            st8(y, i, f);
        } }
    // y = y + r + bias[channel] (a convolution's output, its bias and a residual in one pass).
    extern "C" __global__ void bias_residual_vec(T* y, const T* r, const T* bias, long long count, long long channels, long long inner) {
        const bool narrow = count <= 0xffffffffLL;
        GRID_STRIDE(v, count / 8) {
            const long long i = v * 8;
            const float w = ld(bias, channel_of(i, inner, channels, narrow));
            float f[8], e[8]; ld8(y, i, f); ld8(r, i, e);
            #pragma unroll
            for (int j = 0; j < 8; ++j) f[j] += e[j] + w;
            st8(y, i, f);
        } }
    // y[r, c] += bias[c] for rows of `channels` elements (channels % 8 == 0), in place.
    extern "C" __global__ void bias_rows_vec(T* y, const T* bias, long long count, long long channels) {
        GRID_STRIDE(v, count / 8) {
            const long long i = v * 8;
            float f[8], w[8]; ld8(y, i, f); ld8(bias, i % channels, w);
            #pragma unroll
            for (int j = 0; j < 8; ++j) f[j] += w[j];
            st8(y, i, f);
        } }
    // col[s][kk][r·wo + ox] for samples s < ns and output rows [r0, r0 + rows) of x [ns, C, H, W]:
    // 8 consecutive output columns per thread (wo % 8 == 0), one 16-byte store.
    // Column row (s, kk) of `rows`·wo entries at (s·kdim + kk)·cols, or with `wide` at
    // (kk·ns + s)·cols: one [kdim, ns·rows·wo] matrix for a single GEMM over all samples.
    // `rowsAligned` (stride 1, w % 8 == 0, x 16-byte aligned): the 8 inputs of a tap at column
    // offset −1, 0 or +1 are one aligned 16-byte load plus at most one neighbouring element.
    extern "C" __global__ void im2col_vec(const T* x, T* col, int ns, int c, int h, int w, int kh, int kw, int stride,
                                          int pt, int pl, int wo, int r0, int rows, int wide, int rowsAligned) {
        const int chunks = rows * wo / 8, kdim = c * kh * kw;
        const long long cols = (long long)rows * wo, total = (long long)ns * kdim * chunks;
        const bool narrow = total <= 0xffffffffLL;  // 32-bit divisions (64-bit ones dominate small maps)
        GRID_STRIDE(v, total) {
            const long long rowIdx = narrow ? (long long)((unsigned)v / (unsigned)chunks) : v / chunks;  // s·kdim + kk
            const int j = (int)(v - rowIdx * chunks) * 8;
            const int kk = narrow ? (int)((unsigned)rowIdx % (unsigned)kdim) : (int)(rowIdx % kdim);
            const int s = narrow ? (int)((unsigned)rowIdx / (unsigned)kdim) : (int)(rowIdx / kdim);
            const int ci = kk / (kh * kw), ky = (kk / kw) % kh, kx = kk % kw;
            const int iy = (r0 + j / wo) * stride - pt + ky, ox0 = j % wo;
            float f[8];
            if (iy < 0 || iy >= h) {
                #pragma unroll
                for (int e = 0; e < 8; ++e) f[e] = 0.f;
            } else {
                const T* src = x + (((long long)s * c + ci) * h + iy) * w;
                const int d = kx - pl;
                if (rowsAligned && d >= -1 && d <= 1) {
                    float m[8]; ld8(src, ox0, m);
                    if (d == 0) {
                        #pragma unroll
                        for (int e = 0; e < 8; ++e) f[e] = m[e];
                    } else if (d < 0) {
                        f[0] = ox0 > 0 ? ld(src, ox0 - 1) : 0.f;
                        #pragma unroll
                        for (int e = 1; e < 8; ++e) f[e] = m[e - 1];
                    } else {
                        #pragma unroll
                        for (int e = 0; e < 7; ++e) f[e] = m[e + 1];
                        f[7] = ox0 + 8 < w ? ld(src, ox0 + 8) : 0.f;
                    }
                } else {
                    #pragma unroll
                    for (int e = 0; e < 8; ++e) { const int ix = (ox0 + e) * stride - pl + kx; f[e] = (ix >= 0 && ix < w) ? ld(src, ix) : 0.f; }
                }
            }
            st8(col, (wide ? (long long)kk * ns + s : rowIdx) * cols + j, f);
        } }
    extern "C" __global__ void axpby_vec(const T* x, const T* z, T* y, long long count, float a, float b, float c) {
        GRID_STRIDE(v, count / 8) {
            float u[8], w[8]; ld8(x, v * 8, u); ld8(z, v * 8, w);
            #pragma unroll
            for (int j = 0; j < 8; ++j) u[j] = a * u[j] + b * w[j] + c;
            st8(y, v * 8, u);
        } }
    // Temporal conv columns over frame-major x [N, C, P] (sample s = b·F + f): row t·C + c, column
    // s·P + p holds x[s − pad + t][c][p] when frame f − pad + t is in [0, F), else 0. 8 columns per
    // thread (P % 8 == 0).
    extern "C" __global__ void tconv_columns(const T* x, T* cols, long long n, long long c, long long p, int frames, int k) {
        const long long width = n * p, chunks = width / 8;
        const int pad = (k - 1) / 2;
        GRID_STRIDE(v, k * c * chunks) {
            const long long row = v / chunks, j = (v - row * chunks) * 8, t = row / c, ci = row - t * c;
            const long long s = j / p, px = j - s * p, f = s % frames + t - pad;
            float e[8];
            if (f < 0 || f >= frames) {
                #pragma unroll
                for (int i = 0; i < 8; ++i) e[i] = 0.f;
            } else {
                ld8(x, ((s + t - pad) * c + ci) * p + px, e);
            }
            st8(cols, row * width + j, e);
        } }
    // Temporal conv columns over x [B, C, F·P]: cols[b][t·C + c][j] = x[b][c][j + (t − pad)·P] where
    // that index lies in [0, F·P) (the frame exists), else 0. 8 columns per thread with one
    // 16-byte store (F·P % 8 == 0); the loads are scalar, since P need not be a multiple of 8.
    // 32-bit indices (count < 2³²).
    extern "C" __global__ void tconv_columns_5d(const T* x, T* cols, long long count, long long c, long long fhw, long long hw, int k) {
        const unsigned uc = (unsigned)c, uf = (unsigned)fhw, rows = (unsigned)k * uc;
        const long long pad = (k - 1) / 2;
        GRID_STRIDE(v, count / 8) {
            const unsigned u = (unsigned)v * 8u, j = u % uf, r = (u / uf) % rows, bi = u / uf / rows;
            const unsigned t = r / uc, ci = r - t * uc;
            const long long first = (long long)j + ((long long)t - pad) * hw;
            const T* src = x + ((long long)bi * uc + ci) * uf;
            float f[8];
            #pragma unroll
            for (int e = 0; e < 8; ++e) { const long long s = first + e; f[e] = (s >= 0 && s < fhw) ? ld(src, s) : 0.f; }
            st8(cols, u, f);
        } }
    // A (k,1,1) temporal conv weight w[o][ci][t] re-laid tap by tap: dst[o·strideO + t·strideT + ci]
    // (Wcat [O, k·C]: strideO = k·C, strideT = C; taps [k, O, C]: strideO = C, strideT = O·C).
    // 8 input channels per thread: 8·k contiguous elements in, one 16-byte store per tap
    // (C % 8 == 0, dst 16-byte aligned).
    extern "C" __global__ void tconv_relayout_vec(const T* w, T* dst, long long o, long long c, int k, long long strideO, long long strideT) {
        const unsigned cv = (unsigned)(c / 8);
        GRID_STRIDE(v, o * cv) {
            const unsigned u = (unsigned)v, oi = u / cv, c0 = (u % cv) * 8;
            const T* src = w + ((long long)oi * c + c0) * k;
            for (int t = 0; t < k; ++t) {
                float f[8];
                #pragma unroll
                for (int j = 0; j < 8; ++j) f[j] = ld(src, (long long)j * k + t);
                st8(dst, (long long)oi * strideO + (long long)t * strideT + c0, f);
            }
        } }
    """#
}
