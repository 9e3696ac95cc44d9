/// I2VGenXL: the image-to-video diffusion model of `ali-vilab/i2vgen-xl`, computed natively in
/// Swift on a `Tensor.Backend`. Matches diffusers 0.33.1 `I2VGenXLPipeline` (see shared PARITY.md).
public enum I2VGenXLModel {
    /// The diffusers release whose numerics this module reproduces.
    public static let referenceDiffusersVersion = "0.33.1"
}
