/// GPT-2's reversible byte → character mapping used by CLIP's BPE: printable Latin-1 bytes map
/// to themselves, the other 68 bytes (controls, space, soft hyphen, ...) to U+0100 onwards, so
/// that every byte sequence becomes a string of visible characters.
enum ByteEncoder {
    static let table: [Unicode.Scalar] = {
        var mapping = [Unicode.Scalar](repeating: " ", count: 256)
        var next: UInt32 = 256
        for byte in 0..<256 {
            let printable = (33...126).contains(byte) || (161...172).contains(byte) || (174...255).contains(byte)
            if printable {
                mapping[byte] = Unicode.Scalar(UInt8(byte))
            } else {
                mapping[byte] = Unicode.Scalar(next)!
                next += 1
            }
        }
        return mapping
    }()

    /// The UTF-8 bytes of `scalars`, each written as its mapped character.
    static func encode(_ scalars: ArraySlice<Unicode.Scalar>) -> [Unicode.Scalar] {
        var out: [Unicode.Scalar] = []
        out.reserveCapacity(scalars.count)
        for c in scalars {
            for byte in String(c).utf8 { out.append(table[Int(byte)]) }
        }
        return out
    }
}
