// Matches diffusers models/autoencoders/autoencoder_kl.py: AutoencoderKL.tiled_decode, blend_v,
// blend_h (tiles overlap by `overlapFactor`; each tile is blended linearly into the tile above and
// the tile to its left — both already blended, as diffusers' in-place updates leave them — then
// cropped to the stride and concatenated).
import Tensor

/// Spatial tiling for decoding frames larger than one tile. Tiles see less context than the whole
/// frame (the mid-block attention is global), so tiled output differs from untiled output; the
/// overlap blending hides the seams.
public struct VAETiling: Sendable, Equatable {
    /// Tile edge in pixels (diffusers' `tile_sample_min_size`, the VAE config's `sample_size`).
    public var tileSampleSize: Int
    /// Fraction of a tile shared with its neighbour (diffusers: 0.25).
    public var overlapFactor: Double

    public init(tileSampleSize: Int, overlapFactor: Double = 0.25) {
        self.tileSampleSize = tileSampleSize
        self.overlapFactor = overlapFactor
    }

    /// Tile edge in latent pixels: int(tile_sample_size / f).
    public func tileLatentSize(scaleFactor f: Int) -> Int { tileSampleSize / f }
    /// Latent stride between tiles: int(tile_latent · (1 − overlap)).
    public func latentStride(scaleFactor f: Int) -> Int { Int(Double(tileLatentSize(scaleFactor: f)) * (1 - overlapFactor)) }
    /// Output rows/columns blended between neighbours: int(tile_sample · overlap).
    public var blendExtent: Int { Int(Double(tileSampleSize) * overlapFactor) }
    /// Output rows/columns each tile contributes: tile_sample − blend_extent.
    public var rowLimit: Int { tileSampleSize - blendExtent }

    func applies(toLatentHeight h: Int, width w: Int, scaleFactor f: Int) -> Bool {
        let t = tileLatentSize(scaleFactor: f)
        return h > t || w > t
    }

    /// The tile grid must put every output pixel in exactly one cropped tile: the pixel stride
    /// (latent stride · f) has to equal the row limit.
    func validate(scaleFactor f: Int) throws {
        guard overlapFactor >= 0, overlapFactor < 1 else {
            throw EncoderInputError.invalid(input: "VAE tiling", reason: "overlap factor \(overlapFactor) outside [0, 1)")
        }
        guard tileSampleSize % f == 0, tileSampleSize / f >= 1, latentStride(scaleFactor: f) >= 1 else {
            throw EncoderInputError.invalid(input: "VAE tiling", reason: "tile size \(tileSampleSize) is not a positive multiple of the scale factor \(f) with a positive stride")
        }
        guard latentStride(scaleFactor: f) * f == rowLimit else {
            throw EncoderInputError.invalid(
                input: "VAE tiling",
                reason: "tile size \(tileSampleSize) with overlap \(overlapFactor) gives stride \(latentStride(scaleFactor: f) * f) px but row limit \(rowLimit) px")
        }
    }

    /// z: [N, C, h, w] → [N, Cout, h·f, w·f], decoding tile by tile with `decodeTile`.
    func decode(_ b: any Backend, _ z: Tensor, scaleFactor f: Int, decodeTile: (Tensor) -> Tensor) -> Tensor {
        let (h, w) = (z.shape[2], z.shape[3])
        let tile = tileLatentSize(scaleFactor: f)
        let stride = latentStride(scaleFactor: f)
        let extent = blendExtent
        let limit = rowLimit
        var previousRow: [Tensor] = []   // blended, uncropped tiles of the row above
        var outputRows: [Tensor] = []
        for i in Swift.stride(from: 0, to: h, by: stride) {
            var row: [Tensor] = []
            var cropped: [Tensor] = []
            for (j, x0) in Swift.stride(from: 0, to: w, by: stride).enumerated() {
                let zt = b.slice(b.slice(z, axis: 2, range: i..<min(i + tile, h)), axis: 3, range: x0..<min(x0 + tile, w))
                var t = decodeTile(zt)                                     // [N, Cout, th, tw]
                if !previousRow.isEmpty { t = Self.blend(b, previousRow[j], t, extent: extent, axis: 2) }
                if j > 0 { t = Self.blend(b, row[j - 1], t, extent: extent, axis: 3) }
                row.append(t)
                let th = min(limit, t.shape[2]), tw = min(limit, t.shape[3])
                cropped.append(b.slice(b.slice(t, axis: 2, range: 0..<th), axis: 3, range: 0..<tw))
            }
            outputRows.append(cropped.count == 1 ? cropped[0] : b.concat(cropped, axis: 3))
            previousRow = row
        }
        return outputRows.count == 1 ? outputRows[0] : b.concat(outputRows, axis: 2)
    }

    /// The first `extent` rows (axis 2) or columns (axis 3) of `next` become
    /// prev[last extent]·(1 − k/extent) + next[k]·(k/extent).
    static func blend(_ b: any Backend, _ prev: Tensor, _ next: Tensor, extent: Int, axis: Int) -> Tensor {
        let e = min(prev.shape[axis], next.shape[axis], extent)
        guard e > 0 else { return next }
        let wNext = (0..<e).map { Float(Double($0) / Double(e)) }
        let wPrev = (0..<e).map { Float(1 - Double($0) / Double(e)) }
        let wShape = axis == 2 ? [1, 1, e, 1] : [1, 1, 1, e]
        let head = b.slice(next, axis: axis, range: 0..<e)
        let tail = b.slice(prev, axis: axis, range: (prev.shape[axis] - e)..<prev.shape[axis])
        let mixed = b.add(b.mul(tail, b.tensor(wPrev, shape: wShape)), b.mul(head, b.tensor(wNext, shape: wShape)))
        if e == next.shape[axis] { return mixed }
        return b.concat([mixed, b.slice(next, axis: axis, range: e..<next.shape[axis])], axis: axis)
    }
}
