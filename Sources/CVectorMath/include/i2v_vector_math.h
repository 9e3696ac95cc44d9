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

#endif
