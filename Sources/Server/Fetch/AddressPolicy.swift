import Foundation

/// Decides whether an outgoing connection (image URL, webhook) may go to an IP address.
///
/// Refused unless private networks are explicitly allowed: loopback, unspecified, private
/// (RFC 1918, IPv6 ULA), link-local (which holds cloud metadata endpoints such as
/// 169.254.169.254), shared/CGNAT (100.64/10, e.g. 100.100.100.200), documentation and
/// benchmark ranges, multicast, broadcast and reserved space. IPv4 embedded in IPv6 (mapped,
/// NAT64, 6to4) is judged by its IPv4 address.
public enum AddressPolicy {
    public enum Address: Equatable, Sendable, CustomStringConvertible {
        case v4([UInt8])
        case v6([UInt8])

        public var description: String {
            switch self {
            case .v4(let b): return b.map(String.init).joined(separator: ".")
            case .v6(let b):
                var addr = in6_addr()
                withUnsafeMutableBytes(of: &addr) { raw in for i in 0..<16 { raw[i] = b[i] } }
                var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
                inet_ntop(AF_INET6, &addr, &buffer, socklen_t(buffer.count))
                return String(cString: buffer)
            }
        }
    }

    /// Parses a numeric IPv4 or IPv6 literal (brackets allowed); nil for host names.
    public static func parse(_ text: String) -> Address? {
        var host = text
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        var v4 = in_addr()
        if inet_pton(AF_INET, host, &v4) == 1 { return .v4(withUnsafeBytes(of: &v4) { Array($0) }) }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, host, &v6) == 1 { return .v6(withUnsafeBytes(of: &v6) { Array($0) }) }
        return nil
    }

    /// nil when the address is public; otherwise why it is refused.
    public static func refusal(for address: Address) -> String? {
        switch address {
        case .v4(let b): return v4Refusal(b)
        case .v6(let b): return v6Refusal(b)
        }
    }

    static func v4Refusal(_ b: [UInt8]) -> String? {
        let (a, c) = (b[0], b[1])
        switch true {
        case a == 0: return "an unspecified (0.0.0.0/8) address"
        case a == 10: return "a private (10.0.0.0/8) address"
        case a == 100 && (c & 0xC0) == 64: return "a shared (100.64.0.0/10) address"
        case a == 127: return "a loopback address"
        case a == 169 && c == 254: return "a link-local / cloud metadata (169.254.0.0/16) address"
        case a == 172 && (c & 0xF0) == 16: return "a private (172.16.0.0/12) address"
        case a == 192 && c == 0 && b[2] == 0: return "an IETF protocol (192.0.0.0/24) address"
        case a == 192 && c == 0 && b[2] == 2: return "a documentation address"
        case a == 192 && c == 168: return "a private (192.168.0.0/16) address"
        case a == 198 && (c & 0xFE) == 18: return "a benchmarking (198.18.0.0/15) address"
        case a == 198 && c == 51 && b[2] == 100: return "a documentation address"
        case a == 203 && c == 0 && b[2] == 113: return "a documentation address"
        case a >= 224: return "a multicast, reserved or broadcast address"
        default: return nil
        }
    }

    static func v6Refusal(_ b: [UInt8]) -> String? {
        let prefix96Zero = b[0..<10].allSatisfy { $0 == 0 }
        if prefix96Zero && b[10] == 0xFF && b[11] == 0xFF { return v4Refusal(Array(b[12..<16])) }  // ::ffff:a.b.c.d
        if b[0..<12].allSatisfy({ $0 == 0 }) {
            if b[12..<15].allSatisfy({ $0 == 0 }) && b[15] <= 1 { return b[15] == 1 ? "a loopback address" : "an unspecified address" }
            return "an IPv4-compatible (deprecated) address"
        }
        if b[0] == 0x00, b[1] == 0x64, b[2] == 0xFF, b[3] == 0x9B, b[4..<12].allSatisfy({ $0 == 0 }) {
            return v4Refusal(Array(b[12..<16]))  // 64:ff9b::/96 NAT64
        }
        if b[0] == 0x20, b[1] == 0x02 { return v4Refusal(Array(b[2..<6])) }  // 2002::/16 6to4
        if (b[0] & 0xFE) == 0xFC { return "a unique-local (fc00::/7) address" }
        if b[0] == 0xFE && (b[1] & 0xC0) == 0x80 { return "a link-local (fe80::/10) address" }
        if b[0] == 0xFE && (b[1] & 0xC0) == 0xC0 { return "a site-local (fec0::/10) address" }
        if b[0] == 0xFF { return "a multicast address" }
        if b[0] == 0x20, b[1] == 0x01, b[2] == 0x0D, b[3] == 0xB8 { return "a documentation address" }
        if b[0] == 0x01, b[1..<8].allSatisfy({ $0 == 0 }) { return "a discard-only (100::/64) address" }
        return nil
    }
}
