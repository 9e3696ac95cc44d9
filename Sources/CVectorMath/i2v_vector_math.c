// See include/i2v_vector_math.h. The exp is the same Cephes range reduction and polynomial as
// VectorMath.exp in Swift (relative error within a few ulp; below e^-87.34 flushes to zero,
// above e^88.72 saturates to +inf), eight lanes with fused multiply-adds.
#include "i2v_vector_math.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#include <math.h>
#include <stdint.h>

int i2v_vector_avx2_available(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}

__attribute__((target("avx2,fma"))) static inline __m256 exp8(__m256 x) {
    const __m256 hi = _mm256_set1_ps(88.72283f), lo = _mm256_set1_ps(-87.33654f);
    const __m256 xc = _mm256_min_ps(_mm256_max_ps(x, lo), hi);
    const __m256 magic = _mm256_set1_ps(12582912.0f);                 // 1.5·2^23
    const __m256 t = _mm256_fmadd_ps(xc, _mm256_set1_ps(1.442695040888963f), magic);
    const __m256 n = _mm256_sub_ps(t, magic);                          // round(x / ln 2)
    __m256 r = _mm256_fnmadd_ps(n, _mm256_set1_ps(0.693359375f), xc);  // x − n·ln 2, two parts
    r = _mm256_fmadd_ps(n, _mm256_set1_ps(2.12194440e-4f), r);
    __m256 p = _mm256_set1_ps(1.9875691500e-4f);
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.3981999507e-3f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(8.3334519073e-3f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(4.1665795894e-2f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.6666665459e-1f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(5.0000001201e-1f));
    p = _mm256_fmadd_ps(p, _mm256_mul_ps(r, r), _mm256_add_ps(r, _mm256_set1_ps(1.0f)));
    // 2^n from the exponent field: the integer n sits in t's low mantissa bits.
    const __m256i ni = _mm256_sub_epi32(_mm256_castps_si256(t), _mm256_castps_si256(magic));
    const __m256 scale = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(ni, _mm256_set1_epi32(127)), 23));
    __m256 y = _mm256_mul_ps(p, scale);
    y = _mm256_blendv_ps(y, _mm256_setzero_ps(), _mm256_cmp_ps(x, lo, _CMP_LT_OQ));
    y = _mm256_blendv_ps(y, _mm256_set1_ps(INFINITY), _mm256_cmp_ps(x, hi, _CMP_GT_OQ));
    return y;
}

__attribute__((target("avx2,fma"))) static inline float hsum8(__m256 v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_shuffle_ps(s, s, 1));
    return _mm_cvtss_f32(s);
}

__attribute__((target("avx2,fma"))) float i2v_exp_shift_sum_avx2(float *s, size_t n, float m) {
    const __m256 mv = _mm256_set1_ps(m);
    __m256 acc = _mm256_setzero_ps();
    size_t j = 0;
    for (; j + 8 <= n; j += 8) {
        const __m256 e = exp8(_mm256_sub_ps(_mm256_loadu_ps(s + j), mv));
        _mm256_storeu_ps(s + j, e);
        acc = _mm256_add_ps(acc, e);
    }
    float sum = hsum8(acc);
    for (; j < n; ++j) {
        const float e = _mm256_cvtss_f32(exp8(_mm256_set1_ps(s[j] - m)));
        s[j] = e;
        sum += e;
    }
    return sum;
}

__attribute__((target("avx2,fma"))) float i2v_max_avx2(const float *s, size_t n, float initial) {
    __m256 mv = _mm256_set1_ps(initial);
    size_t j = 0;
    for (; j + 8 <= n; j += 8) mv = _mm256_max_ps(_mm256_loadu_ps(s + j), mv);  // a NaN input keeps mv
    __m128 h = _mm_max_ps(_mm256_castps256_ps128(mv), _mm256_extractf128_ps(mv, 1));
    h = _mm_max_ps(h, _mm_movehl_ps(h, h));
    h = _mm_max_ss(h, _mm_shuffle_ps(h, h, 1));
    float m = _mm_cvtss_f32(h);
    for (; j < n; ++j) m = s[j] > m ? s[j] : m;
    return m;
}

// MARK: - Attention (FlashAttention-style, one block of query rows)
//
// Layout: queries run along the vector lanes everywhere. Qt [d][lp] holds the scaled query block
// transposed (lp = nq rounded up to 16, padding lanes zero), S [kc][16] the scores and then the
// probabilities of one panel of 16 queries against one key block, Ot [dv][lp] the unnormalised
// output transposed. Both GEMMs are register tiles of R ≤ 6 broadcast rows × 16 query lanes
// (12 accumulators): Sᵀ = K·Qᵀ broadcasts K[j][t] from K's own rows (no packing), Otᵀ += Vᵀ·Pᵀ
// broadcasts V[j][c] from V's own rows. Each key block runs panel by panel, so a panel's scores
// stay in L1 from the Q·Kᵀ tile through the exp to the P·V tile, and the key block's K and V rows
// are reused from L2 by every panel.

#define I2V_AVX2 __attribute__((target("avx2,fma")))
#define I2V_TILE static inline __attribute__((always_inline, target("avx2,fma")))

// s[r][0..16) = Σ_t k[r·ks + t] · qt[16t + 0..16) for r < R; *mx0, *mx1 = max with those rows.
I2V_TILE void qk_tile(const int R, const float *k, size_t ks, const float *qt, size_t d,
                      float *s, __m256 *mx0, __m256 *mx1) {
    __m256 c0[6], c1[6];
    for (int r = 0; r < R; ++r) { c0[r] = _mm256_setzero_ps(); c1[r] = _mm256_setzero_ps(); }
    for (size_t t = 0; t < d; ++t) {
        const __m256 b0 = _mm256_loadu_ps(qt + 16 * t), b1 = _mm256_loadu_ps(qt + 16 * t + 8);
        for (int r = 0; r < R; ++r) {
            const __m256 a = _mm256_broadcast_ss(k + r * ks + t);
            c0[r] = _mm256_fmadd_ps(a, b0, c0[r]);
            c1[r] = _mm256_fmadd_ps(a, b1, c1[r]);
        }
    }
    for (int r = 0; r < R; ++r) {
        _mm256_storeu_ps(s + 16 * r, c0[r]);
        _mm256_storeu_ps(s + 16 * r + 8, c1[r]);
        *mx0 = _mm256_max_ps(*mx0, c0[r]);
        *mx1 = _mm256_max_ps(*mx1, c1[r]);
    }
}

// ot[16r + 0..16) = ot[16r + 0..16) · corr + Σ_j v[j·vs + r] · p[16·j + 0..16) for r < R.
I2V_TILE void pv_tile(const int R, const float *p, size_t nk, const float *v, size_t vs, float *ot,
                      __m256 corr0, __m256 corr1) {
    __m256 c0[6], c1[6];
    for (int r = 0; r < R; ++r) {
        c0[r] = _mm256_mul_ps(_mm256_loadu_ps(ot + 16 * r), corr0);
        c1[r] = _mm256_mul_ps(_mm256_loadu_ps(ot + 16 * r + 8), corr1);
    }
    for (size_t j = 0; j < nk; ++j) {
        const __m256 b0 = _mm256_loadu_ps(p + 16 * j), b1 = _mm256_loadu_ps(p + 16 * j + 8);
        for (int r = 0; r < R; ++r) {
            const __m256 a = _mm256_broadcast_ss(v + j * vs + r);
            c0[r] = _mm256_fmadd_ps(a, b0, c0[r]);
            c1[r] = _mm256_fmadd_ps(a, b1, c1[r]);
        }
    }
    for (int r = 0; r < R; ++r) {
        _mm256_storeu_ps(ot + 16 * r, c0[r]);
        _mm256_storeu_ps(ot + 16 * r + 8, c1[r]);
    }
}

// Scores of one 16-query panel against nk keys into s [nk][16]; the panel's block maxima into mx.
I2V_AVX2 static void qk_panel(const float *k, size_t ks, size_t nk, const float *qt, size_t d,
                              float *s, __m256 *mx0, __m256 *mx1) {
    size_t j = 0;
    for (; j + 6 <= nk; j += 6) qk_tile(6, k + j * ks, ks, qt, d, s + 16 * j, mx0, mx1);
    switch (nk - j) {
    case 5: qk_tile(5, k + j * ks, ks, qt, d, s + 16 * j, mx0, mx1); break;
    case 4: qk_tile(4, k + j * ks, ks, qt, d, s + 16 * j, mx0, mx1); break;
    case 3: qk_tile(3, k + j * ks, ks, qt, d, s + 16 * j, mx0, mx1); break;
    case 2: qk_tile(2, k + j * ks, ks, qt, d, s + 16 * j, mx0, mx1); break;
    case 1: qk_tile(1, k + j * ks, ks, qt, d, s + 16 * j, mx0, mx1); break;
    default: break;
    }
}

I2V_AVX2 static void pv_panel(const float *p, size_t nk, const float *v, size_t vs, size_t dv, float *ot,
                              __m256 corr0, __m256 corr1) {
    size_t c = 0;
    for (; c + 6 <= dv; c += 6) pv_tile(6, p, nk, v + c, vs, ot + 16 * c, corr0, corr1);
    switch (dv - c) {
    case 5: pv_tile(5, p, nk, v + c, vs, ot + 16 * c, corr0, corr1); break;
    case 4: pv_tile(4, p, nk, v + c, vs, ot + 16 * c, corr0, corr1); break;
    case 3: pv_tile(3, p, nk, v + c, vs, ot + 16 * c, corr0, corr1); break;
    case 2: pv_tile(2, p, nk, v + c, vs, ot + 16 * c, corr0, corr1); break;
    case 1: pv_tile(1, p, nk, v + c, vs, ot + 16 * c, corr0, corr1); break;
    default: break;
    }
}

I2V_AVX2 void i2v_attention_rows_avx2(const float *q, const float *k, const float *v, float *out,
                                      size_t nq, size_t lk, size_t d, size_t dv,
                                      size_t q_stride, size_t k_stride, size_t v_stride, size_t o_stride,
                                      float scale, int causal, size_t q0, size_t kc, float *scratch) {
    const size_t lp = (nq + 15) & ~(size_t)15;
    if (kc == 0) kc = 1;
    float *base = (float *)(((uintptr_t)scratch + 31) & ~(uintptr_t)31);
    float *qt = base, *ot = qt + d * lp, *s = ot + dv * lp, *m = s + 16 * kc, *l = m + lp;
    for (size_t i = 0; i < lp; ++i) {
        float *qi = qt + (i & ~(size_t)15) * d + (i & 15);  // panel i / 16, lane i % 16
        for (size_t t = 0; t < d; ++t) qi[16 * t] = i < nq ? q[i * q_stride + t] * scale : 0.0f;
        m[i] = -INFINITY;
        l[i] = 0.0f;
    }
    for (size_t i = 0; i < dv * lp; ++i) ot[i] = 0.0f;
    const __m256 ninf = _mm256_set1_ps(-INFINITY), zero = _mm256_setzero_ps();
    const size_t kend = causal ? (lk < q0 + nq ? lk : q0 + nq) : lk;
    for (size_t k0 = 0; k0 < kend; k0 += kc) {
        const size_t nk = kend - k0 < kc ? kend - k0 : kc;
        for (size_t i0 = 0; i0 < lp; i0 += 16) {
            __m256 mx0 = ninf, mx1 = ninf;
            qk_panel(k + k0 * k_stride, k_stride, nk, qt + i0 * d, d, s, &mx0, &mx1);
            // Causal: key k0 + j is hidden from query q0 + i0 + lane when k0 + j > q0 + i0 + lane.
            if (causal && k0 + nk > q0 + i0 + 1) {
                mx0 = ninf; mx1 = ninf;
                for (size_t j = 0; j < nk; ++j) {
                    const size_t key = k0 + j;
                    size_t hidden = key > q0 + i0 ? key - q0 - i0 : 0;  // lanes 0..<hidden
                    if (hidden > 16) hidden = 16;
                    for (size_t x = 0; x < hidden; ++x) s[16 * j + x] = -INFINITY;
                    mx0 = _mm256_max_ps(mx0, _mm256_loadu_ps(s + 16 * j));
                    mx1 = _mm256_max_ps(mx1, _mm256_loadu_ps(s + 16 * j + 8));
                }
            }
            // Online softmax: new maxima, the accumulator's correction, probabilities and sums.
            const __m256 old0 = _mm256_loadu_ps(m + i0), old1 = _mm256_loadu_ps(m + i0 + 8);
            const __m256 new0 = _mm256_max_ps(old0, mx0), new1 = _mm256_max_ps(old1, mx1);
            // A lane whose maximum is still -inf has seen no key: shift by 0 so exp(-inf) = 0.
            const __m256 sh0 = _mm256_blendv_ps(new0, zero, _mm256_cmp_ps(new0, ninf, _CMP_EQ_OQ));
            const __m256 sh1 = _mm256_blendv_ps(new1, zero, _mm256_cmp_ps(new1, ninf, _CMP_EQ_OQ));
            const __m256 corr0 = exp8(_mm256_sub_ps(old0, sh0)), corr1 = exp8(_mm256_sub_ps(old1, sh1));
            __m256 sum0 = zero, sum1 = zero;
            for (size_t j = 0; j < nk; ++j) {
                const __m256 p0 = exp8(_mm256_sub_ps(_mm256_loadu_ps(s + 16 * j), sh0));
                const __m256 p1 = exp8(_mm256_sub_ps(_mm256_loadu_ps(s + 16 * j + 8), sh1));
                _mm256_storeu_ps(s + 16 * j, p0);
                _mm256_storeu_ps(s + 16 * j + 8, p1);
                sum0 = _mm256_add_ps(sum0, p0);
                sum1 = _mm256_add_ps(sum1, p1);
            }
            _mm256_storeu_ps(l + i0, _mm256_fmadd_ps(_mm256_loadu_ps(l + i0), corr0, sum0));
            _mm256_storeu_ps(l + i0 + 8, _mm256_fmadd_ps(_mm256_loadu_ps(l + i0 + 8), corr1, sum1));
            _mm256_storeu_ps(m + i0, new0);
            _mm256_storeu_ps(m + i0 + 8, new1);
            pv_panel(s, nk, v + k0 * v_stride, v_stride, dv, ot + i0 * dv, corr0, corr1);
        }
    }
    for (size_t i = 0; i < nq; ++i) {
        const float inv = l[i] > 0 ? 1.0f / l[i] : 0.0f;
        float *o = out + i * o_stride;
        const float *oi = ot + (i & ~(size_t)15) * dv + (i & 15);
        for (size_t c = 0; c < dv; ++c) o[c] = oi[16 * c] * inv;
    }
}

#else
int i2v_vector_avx2_available(void) { return 0; }
float i2v_exp_shift_sum_avx2(float *s, size_t n, float m) { (void)s; (void)n; (void)m; return 0; }
float i2v_max_avx2(const float *s, size_t n, float initial) { (void)s; (void)n; return initial; }
void i2v_attention_rows_avx2(const float *q, const float *k, const float *v, float *out,
                             size_t nq, size_t lk, size_t d, size_t dv,
                             size_t q_stride, size_t k_stride, size_t v_stride, size_t o_stride,
                             float scale, int causal, size_t q0, size_t kc, float *scratch) {
    (void)q; (void)k; (void)v; (void)out; (void)nq; (void)lk; (void)d; (void)dv; (void)q_stride; (void)k_stride;
    (void)v_stride; (void)o_stride; (void)scale; (void)causal; (void)q0; (void)kc; (void)scratch;
}
#endif

size_t i2v_fetch_increment(size_t *counter) { return __atomic_fetch_add(counter, 1, __ATOMIC_RELAXED); }

size_t i2v_attention_scratch_floats(size_t nq, size_t kc, size_t d, size_t dv) {
    const size_t lp = (nq + 15) & ~(size_t)15;
    return lp * (d + dv + 2) + 16 * kc + 8;  // Qt, Ot, m, l; S; 32-byte alignment
}
