/// Animated GIF written in Swift: one palette per clip (median cut, `GIFPalette`), optional
/// Floyd–Steinberg dithering (serpentine), frames after the first stored as the rectangle that
/// changed, LZW compression, NETSCAPE2.0 loop-forever extension. Delays are centiseconds on the
/// exact frame-rate grid (e.g. 16 fps alternates 6 and 7 cs), so long clips do not drift.
public enum GIFWriter {
    public struct Options: Sendable, Equatable {
        public var rate: FrameRate
        public var dither: Bool
        /// Fraction of the quantisation error diffused (1 = classic Floyd–Steinberg).
        public var ditherStrength: Double
        public var maxColors: Int

        public init(rate: FrameRate, dither: Bool = true, ditherStrength: Double = 0.85, maxColors: Int = 256) {
            self.rate = rate
            self.dither = dither
            self.ditherStrength = ditherStrength
            self.maxColors = maxColors
        }
    }

    public static func encode(_ frames: [RGBImage], options: Options) throws -> [UInt8] {
        guard let first = frames.first else { throw MediaError.invalidArgument("no frames to encode") }
        guard first.width <= 65535, first.height <= 65535 else { throw MediaError.invalidArgument("GIF sides are limited to 65535 px") }
        guard options.rate.fps <= 50 else {
            throw MediaError.invalidArgument("GIF cannot show more than 50 fps (delays are whole centiseconds, 2 cs minimum)")
        }
        guard (2...256).contains(options.maxColors), (0...1).contains(options.ditherStrength) else {
            throw MediaError.invalidArgument("GIF needs 2...256 colours and a dither strength in 0...1")
        }
        for (i, f) in frames.enumerated() where f.width != first.width || f.height != first.height {
            throw MediaError.invalidArgument("frame \(i) is \(f.width)x\(f.height), the animation is \(first.width)x\(first.height)")
        }
        let palette = GIFPalette(frames: frames, maxColors: options.maxColors)
        let w = first.width, h = first.height
        var out: [UInt8] = Array("GIF89a".utf8)
        out += le16(w) + le16(h)
        let tableBits = bitsFor(palette.colors.count)
        out += [0xF0 | UInt8(tableBits - 1), 0, 0]   // global table, 8-bit colour resolution
        for i in 0..<(1 << tableBits) {
            let c = i < palette.colors.count ? palette.colors[i] : (0, 0, 0)
            out += [c.0, c.1, c.2]
        }
        out += [0x21, 0xFF, 0x0B] + Array("NETSCAPE2.0".utf8) + [0x03, 0x01, 0x00, 0x00, 0x00]   // loop forever

        var previous: [UInt8]?
        for (i, frame) in frames.enumerated() {
            let indices = quantize(frame, palette: palette, dither: options.dither, strength: options.ditherStrength)
            let (x0, y0, x1, y1) = changedRect(previous, indices, width: w, height: h)
            previous = indices
            let t0 = Int((options.rate.seconds(ofFrame: i) * 100).rounded())
            let t1 = Int((options.rate.seconds(ofFrame: i + 1) * 100).rounded())
            let delay = max(2, t1 - t0)
            out += [0x21, 0xF9, 0x04, 0x04] + le16(delay) + [0x00, 0x00]   // disposal 1: keep
            out += [0x2C] + le16(x0) + le16(y0) + le16(x1 - x0) + le16(y1 - y0) + [0x00]
            var rect = [UInt8]()
            rect.reserveCapacity((x1 - x0) * (y1 - y0))
            for y in y0..<y1 { rect += indices[(y * w + x0)..<(y * w + x1)] }
            out += lzw(rect, minCodeSize: max(2, tableBits))
        }
        out.append(0x3B)
        return out
    }

    static func bitsFor(_ n: Int) -> Int {
        var b = 1
        while (1 << b) < n { b += 1 }
        return b
    }

    private static func le16(_ v: Int) -> [UInt8] { [UInt8(v & 0xFF), UInt8((v >> 8) & 0xFF)] }

    /// Palette indices for a frame, optionally with serpentine Floyd–Steinberg error diffusion.
    static func quantize(_ frame: RGBImage, palette: GIFPalette, dither: Bool, strength: Double) -> [UInt8] {
        let w = frame.width, h = frame.height
        var out = [UInt8](repeating: 0, count: w * h)
        let colors = palette.colors.map { (Int32($0.0), Int32($0.1), Int32($0.2)) }
        if !dither {
            for i in 0..<(w * h) {
                out[i] = palette.lookup[GIFPalette.bin(frame.pixels[3 * i], frame.pixels[3 * i + 1], frame.pixels[3 * i + 2])]
            }
            return out
        }
        // Errors in 1/16 units, for the current and next row (with one pixel of margin each side).
        let s = Int32((strength * 256).rounded())
        var cur = [Int32](repeating: 0, count: (w + 2) * 3), next = cur
        frame.pixels.withUnsafeBufferPointer { px in
            for y in 0..<h {
                let leftToRight = y % 2 == 0
                let ahead = leftToRight ? 3 : -3
                for n in 0..<w {
                    let x = leftToRight ? n : w - 1 - n
                    let p = (y * w + x) * 3, e = (x + 1) * 3
                    let r = max(0, min(255, Int32(px[p]) + (cur[e] * s) / (16 * 256)))
                    let g = max(0, min(255, Int32(px[p + 1]) + (cur[e + 1] * s) / (16 * 256)))
                    let b = max(0, min(255, Int32(px[p + 2]) + (cur[e + 2] * s) / (16 * 256)))
                    let index = palette.lookup[GIFPalette.bin(UInt8(r), UInt8(g), UInt8(b))]
                    out[y * w + x] = index
                    let q = colors[Int(index)]
                    let er = r - q.0, eg = g - q.1, eb = b - q.2
                    cur[e + ahead] += er * 7; cur[e + ahead + 1] += eg * 7; cur[e + ahead + 2] += eb * 7
                    next[e - ahead] += er * 3; next[e - ahead + 1] += eg * 3; next[e - ahead + 2] += eb * 3
                    next[e] += er * 5; next[e + 1] += eg * 5; next[e + 2] += eb * 5
                    next[e + ahead] += er; next[e + ahead + 1] += eg; next[e + ahead + 2] += eb
                }
                swap(&cur, &next)
                for i in 0..<next.count { next[i] = 0 }
            }
        }
        return out
    }

    /// The bounding rectangle [x0, x1) × [y0, y1) of pixels that differ from the previous frame
    /// (the whole frame first; one pixel when nothing changed).
    static func changedRect(_ previous: [UInt8]?, _ current: [UInt8], width w: Int, height h: Int) -> (Int, Int, Int, Int) {
        guard let previous else { return (0, 0, w, h) }
        var x0 = w, y0 = h, x1 = 0, y1 = 0
        for y in 0..<h {
            for x in 0..<w where previous[y * w + x] != current[y * w + x] {
                x0 = min(x0, x); x1 = max(x1, x + 1); y0 = min(y0, y); y1 = max(y1, y + 1)
            }
        }
        return x1 == 0 ? (0, 0, 1, 1) : (x0, y0, x1, y1)
    }

    /// GIF LZW: variable-width codes (minCodeSize+1 … 12 bits), LSB-first, clear code when the
    /// table is full, packed into sub-blocks of at most 255 bytes.
    static func lzw(_ indices: [UInt8], minCodeSize: Int) -> [UInt8] {
        let clear = 1 << minCodeSize, eoi = clear + 1
        var codeSize = minCodeSize + 1
        var nextCode = eoi + 1
        // Open-addressing table from (prefix << 8 | byte) to code.
        let tableSize = 5003
        var keys = [Int32](repeating: -1, count: tableSize)
        var codes = [Int16](repeating: 0, count: tableSize)
        var bytes: [UInt8] = []
        var bitBuffer: UInt32 = 0, bitCount = 0
        func emit(_ code: Int) {
            bitBuffer |= UInt32(code) << UInt32(bitCount)
            bitCount += codeSize
            while bitCount >= 8 {
                bytes.append(UInt8(bitBuffer & 0xFF))
                bitBuffer >>= 8
                bitCount -= 8
            }
        }
        func slot(_ key: Int32) -> Int {
            var i = Int(key) % tableSize
            let step = 1 + Int(key) % (tableSize - 2)
            while keys[i] != -1 && keys[i] != key { i = (i + step) % tableSize }
            return i
        }
        emit(clear)
        guard var prefix = indices.first.map(Int.init) else {
            emit(eoi)
            return pack(&bytes, bitBuffer, bitCount, minCodeSize)
        }
        for k in indices.dropFirst() {
            let key = Int32(prefix << 8 | Int(k))
            let i = slot(key)
            if keys[i] == key {
                prefix = Int(codes[i])
                continue
            }
            emit(prefix)
            if nextCode < 4096 {
                keys[i] = key
                codes[i] = Int16(nextCode)
                nextCode += 1
                if nextCode > (1 << codeSize) && codeSize < 12 { codeSize += 1 }
            } else {
                emit(clear)
                for j in 0..<tableSize { keys[j] = -1 }
                codeSize = minCodeSize + 1
                nextCode = eoi + 1
            }
            prefix = Int(k)
        }
        emit(prefix)
        emit(eoi)
        return pack(&bytes, bitBuffer, bitCount, minCodeSize)
    }

    private static func pack(_ bytes: inout [UInt8], _ bitBuffer: UInt32, _ bitCount: Int, _ minCodeSize: Int) -> [UInt8] {
        if bitCount > 0 { bytes.append(UInt8(bitBuffer & 0xFF)) }
        var out: [UInt8] = [UInt8(minCodeSize)]
        var i = 0
        while i < bytes.count {
            let n = min(255, bytes.count - i)
            out.append(UInt8(n))
            out += bytes[i..<(i + n)]
            i += n
        }
        out.append(0)
        return out
    }
}
