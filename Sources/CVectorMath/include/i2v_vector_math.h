// AVX2 + FMA versions of the softmax inner loops of the CPU backend (Sources/Tensor/CPU/
// VectorMath.swift has the portable SIMD8 versions and the algorithm's description). Compiled
// with per-function target attributes, so the library runs on any x86-64 CPU: callers check
// i2v_vector_avx2_available() first. On other architectures the probe returns 0.
#ifndef I2V_VECTOR_MATH_H
#define I2V_VECTOR_MATH_H

#include <stddef.h>

/// 1 when the CPU has AVX2 and FMA (the functions below may be called), else 0.
int i2v_vector_avx2_available(void);

/// s[j] = exp(s[j] - m) for j < n; returns the sum of the new values (Cephes expf, as VectorMath.exp).
float i2v_exp_shift_sum_avx2(float *s, size_t n, float m);

/// max(initial, s[0..<n]).
float i2v_max_avx2(const float *s, size_t n, float initial);

/// Atomically adds 1 to *counter and returns its previous value (work sharing between threads).
size_t i2v_fetch_increment(size_t *counter);

/// Floats of scratch that i2v_attention_rows_avx2 needs for nq query rows, key blocks of kc keys
/// and head dims d (queries/keys) and dv (values).
size_t i2v_attention_scratch_floats(size_t nq, size_t kc, size_t d, size_t dv);

/// One (sequence, head, block of query rows) of scaled dot-product attention with an online
/// softmax over key blocks of kc keys (FlashAttention on the CPU, exact fp32):
///   out[i, :] = Σ_j softmax_j(scale · q[i, :] · k[j, :]) v[j, :]   for i < nq, j < lk,
/// and with `causal`, only keys j ≤ q0 + i (q0: the global index of query row 0; q points at it).
/// Rows of q, k, v and out are q_stride, k_stride, v_stride, o_stride floats apart. Scores,
/// probabilities and the output accumulator are kept transposed (queries along the vector lanes),
/// so every vector runs over padded query rows and the key and channel loops need no tails.
/// `scratch` holds i2v_attention_scratch_floats(nq, kc, d, dv) floats.
void i2v_attention_rows_avx2(const float *q, const float *k, const float *v, float *out,
                             size_t nq, size_t lk, size_t d, size_t dv,
                             size_t q_stride, size_t k_stride, size_t v_stride, size_t o_stride,
                             float scale, int causal, size_t q0, size_t kc, float *scratch);

#endif
