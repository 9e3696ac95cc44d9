// Matches diffusers src/diffusers/pipelines/i2vgen_xl/pipeline_i2vgen_xl.py (0.33.1):
// prepare_image_latents (frame-position mask), the guidance combination of __call__,
// decode_latents and VideoProcessor.postprocess_video (denormalize, output_type "np").
import Tensor

/// The element-wise pieces of the pipeline, kept apart so each can be checked alone.
enum PipelineMath {
    /// `prepare_image_latents` after the VAE sample: z·scaling_factor as frame 0, then F−1 constant
    /// frames holding (k)/(F−1) for k = 1…F−1 (all channels, all pixels).
    /// z: [1, C, h, w] unscaled → [1, C, F, h, w]
    static func imageLatents(_ be: any Backend, z: Tensor, scalingFactor: Double, frames: Int) -> Tensor {
        let c = z.shape[1], h = z.shape[2], w = z.shape[3]
        // torch: tensor * python_float multiplies by the float32-rounded scalar.
        let scaled = be.scale(z, Float(scalingFactor)).reshaped([1, c, 1, h, w])
        guard frames > 1 else { return scaled }
        var parts = [scaled]
        for k in 1..<frames {
            parts.append(be.full([1, c, 1, h, w], value: Float(Double(k) / Double(frames - 1))))
        }
        return be.concat(parts, axis: 2)  // [1, C, F, h, w]
    }

    /// noise_pred_uncond + guidance_scale · (noise_pred_text − noise_pred_uncond), in torch's order.
    static func guided(_ be: any Backend, uncond u: Tensor, cond c: Tensor, scale: Double) -> Tensor {
        be.add(u, be.scale(be.sub(c, u), Float(scale)))
    }

    /// `decode_latents` input: latents · (1/scaling_factor) (torch multiplies by the float32 scalar
    /// of the double reciprocal), as [F, C, h, w] frames (batch 1).
    static func unscaledFrames(_ be: any Backend, latents: Tensor, scalingFactor: Double) -> Tensor {
        let c = latents.shape[1], f = latents.shape[2], h = latents.shape[3], w = latents.shape[4]
        let unscaled = be.scale(latents, Float(1.0 / scalingFactor))
        return be.permute(unscaled, [0, 2, 1, 3, 4]).reshaped([f, c, h, w])  // [F, C, h, w]
    }

    /// `postprocess_video` ("np"): clamp(x·0.5 + 0.5, 0, 1), NCHW → NHWC.
    /// decoded: [n, 3, H, W] → [n, H, W, 3]
    static func postprocess(_ be: any Backend, decoded: Tensor) -> Tensor {
        let x = be.clamp(be.add(be.scale(decoded, 0.5), be.full([1], value: 0.5)), min: 0, max: 1)
        return be.permute(x, [0, 2, 3, 1])
    }
}
