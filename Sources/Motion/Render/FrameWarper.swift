import Media

/// Renders one frame: inverse-maps every output pixel through the camera move and the local
/// (mask-weighted) displacements into the working image, samples it with a Keys cubic kernel
/// (a = −0.5) widened by the minification factor, and adds the light sweep.
struct FrameWarper {
    let working: WorkingImage
    let timeline: MotionTimeline
    let width: Int
    let height: Int
    /// Soft product mask and its dilated version, in source-normalised coordinates.
    let mask: ForegroundMask
    let motionMask: [Float]
    /// Whether local motions may move the whole frame (plain backdrops hide the background move).
    let plainBackground: Bool
    /// Output px → source-normalised coordinates: u = 0.5 + c.x · uPerPixel.
    let uPerPixel: Double
    let vPerPixel: Double
    /// Extra zoom that keeps edge regions out of view when the background is busy.
    let baseZoom: Double

    func render(frame index: Int) -> RGBImage {
        let f = timeline.frames[index]
        let W = width, H = height
        var out = [UInt8](repeating: 0, count: W * H * 3)
        let zoom = Float(f.zoom * baseZoom)
        let zc = SIMD2<Float>(Float(f.zoomCentre.x), Float(f.zoomCentre.y))
        let pan = SIMD2<Float>(Float(f.pan.x), Float(f.pan.y))
        let invZoom = 1 / Float(f.zoom)
        let invBase = 1 / Float(baseZoom)
        let fg = SIMD2<Float>(Float(f.foregroundShift.x), Float(f.foregroundShift.y))
        let bg = SIMD2<Float>(Float(f.backgroundShift.x), Float(f.backgroundShift.y))
        let foreshortenTerm = Float(1 - 1 / f.foreshorten)
        let pc = SIMD2<Float>(Float(timeline.productCentre.x), Float(timeline.productCentre.y))
        let swayA = Float(f.swayAmplitude), swayPhase = Float(f.swayPhase)
        let swayTop = Float(timeline.swayTop), swayBottom = Float(timeline.swayBottom)
        let swayK = 2 * Float.pi / Float(timeline.swayWavelength)
        let sweepOn = f.sweepIntensity > 0
        let sweepI = Float(f.sweepIntensity), sweepPos = Float(f.sweepPosition)
        let sweepDir = SIMD2<Float>(Float(timeline.sweepDirection.x), Float(timeline.sweepDirection.y))
        let sweepInvW = 1 / Float(timeline.sweepWidth)
        let scale = Float(working.scale)
        let fs = min(3, max(1, scale / zoom))
        let uPer = Float(uPerPixel), vPer = Float(vPerPixel)
        let mw = mask.width, mh = mask.height
        let pad = Float(WorkingImage.pad)
        let cx = Float(working.width) / 2, cy = Float(working.height) / 2
        let stride = working.stride
        let hasLocal = fg != .zero || bg != .zero || foreshortenTerm != 0 || swayA != 0

        let rows = working.height + 2 * WorkingImage.pad
        working.pixels.withUnsafeBufferPointer { src in
            mask.values.withUnsafeBufferPointer { mvals in
                motionMask.withUnsafeBufferPointer { mmot in
                    out.withUnsafeMutableBufferPointer { dst in
                        let grid = MaskGrid(width: mw, height: mh, uPer: uPer, vPer: vPer)
                        for y in 0..<H {
                            let qy = Float(y) + 0.5 - Float(H) / 2
                            for x in 0..<W {
                                let q = SIMD2<Float>(Float(x) + 0.5 - Float(W) / 2, qy)
                                // Camera: zoom about zc, then pan, then the edge-hiding base zoom.
                                let zoomed: SIMD2<Float> = zc + (q - zc) * invZoom
                                var c: SIMD2<Float> = (zoomed + pan) * invBase
                                // The sweep band is narrow: most pixels need no product mask for it.
                                var band: Float = 0
                                if sweepOn {
                                    let s = (q.x * sweepDir.x + q.y * sweepDir.y - sweepPos) * sweepInvW
                                    if s * s < 12 { band = Foundation.exp(-s * s) * sweepI * grid.sample(mvals, c) }
                                }
                                if hasLocal {
                                    let wgt: Float = plainBackground ? 1 : grid.sample(mmot, c)
                                    var d = fg * wgt + bg * (1 - wgt)
                                    d.x += (c.x - pc.x) * foreshortenTerm * wgt
                                    if swayA != 0 && c.y > swayTop {
                                        let r = min((c.y - swayTop) / (swayBottom - swayTop), 1)
                                        let ramp = r * r * (3 - 2 * r)
                                        let lag = swayK * (c.y - swayTop)
                                        // Zero at phase 0, so the first frame is the photo.
                                        let wave: Float = Foundation.sin(swayPhase - lag) + Foundation.sin(lag)
                                        d.x += swayA * ramp * wgt * 0.5 * wave
                                    }
                                    c -= d
                                }
                                let px = cx + c.x * scale + pad - 0.5
                                let py = cy + c.y * scale + pad - 0.5
                                var col = FrameWarper.sample(src, stride: stride, rows: rows, x: px, y: py, filter: fs)
                                if band > 0 { col += (SIMD4<Float>(repeating: 255) - col) * band }
                                let o = (y * W + x) * 3
                                dst[o] = FrameWarper.byte(col.x)
                                dst[o + 1] = FrameWarper.byte(col.y)
                                dst[o + 2] = FrameWarper.byte(col.z)
                            }
                        }
                    }
                }
            }
        }
        return RGBImage(width: W, height: H, pixels: out)
    }

    /// Bilinear lookup into a low-resolution mask addressed in centred output pixels.
    struct MaskGrid {
        let width: Int
        let height: Int
        let uPer: Float
        let vPer: Float

        @inline(__always)
        func sample(_ m: UnsafeBufferPointer<Float>, _ c: SIMD2<Float>) -> Float {
            let x = min(max((0.5 + c.x * uPer) * Float(width) - 0.5, 0), Float(width - 1))
            let y = min(max((0.5 + c.y * vPer) * Float(height) - 0.5, 0), Float(height - 1))
            let x0 = Int(x), y0 = Int(y)
            let x1 = min(x0 + 1, width - 1), y1 = min(y0 + 1, height - 1)
            let fx = x - Float(x0), fy = y - Float(y0)
            let a = m[y0 * width + x0], b = m[y0 * width + x1]
            let c0 = m[y1 * width + x0], d = m[y1 * width + x1]
            let top = a + (b - a) * fx
            let bottom = c0 + (d - c0) * fx
            return top + (bottom - top) * fy
        }
    }

    @inline(__always)
    static func byte(_ v: Float) -> UInt8 {
        UInt8(min(max(v + 0.5, 0), 255))
    }

    @inline(__always)
    static func keys(_ x: Float) -> Float {
        let a = abs(x)
        if a < 1 { return (1.5 * a - 2.5) * a * a + 1 }
        if a < 2 { return ((-0.5 * a + 2.5) * a - 4) * a + 2 }
        return 0
    }

    /// Cubic sample at pixel-index coordinates (x, y) of the padded image; `filter` ≥ 1 widens
    /// the kernel for minification.
    @inline(__always)
    static func sample(_ src: UnsafeBufferPointer<SIMD4<Float>>, stride: Int, rows: Int, x: Float, y: Float, filter: Float) -> SIMD4<Float> {
        let r = 2 * filter
        let xc = min(max(x, r + 1), Float(stride) - r - 2)
        let yc = min(max(y, r + 1), Float(rows) - r - 2)
        if filter <= 1.0001 {
            let ix = Int(xc.rounded(.down)), iy = Int(yc.rounded(.down))
            let tx = xc - Float(ix), ty = yc - Float(iy)
            let wx = weights4(tx), wy = weights4(ty)
            var acc = SIMD4<Float>.zero
            var row = (iy - 1) * stride + ix - 1
            for j in 0..<4 {
                var h: SIMD4<Float> = src[row] * wx.x
                h += src[row + 1] * wx.y
                h += src[row + 2] * wx.z
                h += src[row + 3] * wx.w
                acc += h * wy[j]
                row += stride
            }
            return acc
        }
        let x0 = Int((xc - r).rounded(.up)), x1 = Int((xc + r).rounded(.down))
        let y0 = Int((yc - r).rounded(.up)), y1 = Int((yc + r).rounded(.down))
        let inv = 1 / filter
        let nx = min(x1 - x0 + 1, 16)
        return withUnsafeTemporaryAllocation(of: Float.self, capacity: 16) { wx -> SIMD4<Float> in
            var acc = SIMD4<Float>.zero
            var sx: Float = 0
            for i in 0..<nx {
                let w = keys((Float(x0 + i) - xc) * inv)
                wx[i] = w
                sx += w
            }
            var sy: Float = 0
            for yy in y0...y1 {
                let wy = keys((Float(yy) - yc) * inv)
                sy += wy
                var h = SIMD4<Float>.zero
                let base = yy * stride + x0
                for i in 0..<nx { h += src[base + i] * wx[i] }
                acc += h * wy
            }
            return acc / (sx * sy)
        }
    }

    @inline(__always)
    static func weights4(_ t: Float) -> SIMD4<Float> {
        // Keys a = −0.5 at distances 1+t, t, 1−t, 2−t.
        let t2: Float = t * t
        let t3: Float = t2 * t
        let w0: Float = -0.5 * t3 + t2 - 0.5 * t
        let w1: Float = 1.5 * t3 - 2.5 * t2 + 1
        let w2: Float = -1.5 * t3 + 2 * t2 + 0.5 * t
        let w3: Float = 0.5 * t3 - 0.5 * t2
        return SIMD4(w0, w1, w2, w3)
    }
}

import Foundation
