// Composed default of the fused feed-forward projection: correct on every backend; a backend
// with a fused kernel overrides both (CUDA on Hopper: CUDABackend+FeedForward.swift).
extension Backend {
    public func linearGEGLU(_ x: Tensor, weight: Tensor, bias: Tensor?) -> Tensor {
        geglu(linear(x, weight: weight, bias: bias))
    }

    public func fusesLinearGEGLU(inFeatures: Int, inner: Int) -> Bool { false }
}
