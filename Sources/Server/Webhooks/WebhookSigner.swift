import Crypto
import Foundation

/// Signs webhook bodies so receivers can check they came from this server and were not replayed.
///
/// Header `X-I2V-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`.
/// Receivers recompute the HMAC over the timestamp, a dot and the raw body, compare in constant
/// time, and reject timestamps older than a few minutes.
public struct WebhookSigner: Sendable {
    public static let header = "X-I2V-Signature"
    let secret: SymmetricKey

    public init(secret: String) { self.secret = SymmetricKey(data: Data(secret.utf8)) }

    public func signature(body: [UInt8], timestamp: Int) -> String {
        var message = Array("\(timestamp).".utf8)
        message += body
        let mac = HMAC<SHA256>.authenticationCode(for: message, using: secret)
        return "t=\(timestamp),v1=" + mac.map { String(format: "%02x", $0) }.joined()
    }

    /// Checks a header value against a body (for receivers written in Swift, and the tests).
    public func verify(header: String, body: [UInt8], now: Int, tolerance: Int = 300) -> Bool {
        var timestamp: Int?
        var provided: String?
        for part in header.split(separator: ",") {
            let kv = part.split(separator: "=", maxSplits: 1).map(String.init)
            guard kv.count == 2 else { continue }
            if kv[0] == "t" { timestamp = Int(kv[1]) } else if kv[0] == "v1" { provided = kv[1] }
        }
        guard let timestamp, let provided, abs(now - timestamp) <= tolerance else { return false }
        let expected = signature(body: body, timestamp: timestamp)
        return constantTimeEquals(expected, "t=\(timestamp),v1=\(provided)")
    }
}
