import Crypto

/// Equality of secrets that takes the same time whatever the inputs: digests are compared,
/// so timing reveals neither content nor length.
func constantTimeEquals(_ a: String, _ b: String) -> Bool {
    let da = SHA256.hash(data: Array(a.utf8)), db = SHA256.hash(data: Array(b.utf8))
    return zip(da, db).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
}
