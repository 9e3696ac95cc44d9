import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// Outgoing HTTP for image URLs and webhooks that cannot be steered into the server's own
/// network (SSRF).
///
/// Each hop is checked before connecting: only http(s), no credentials in the URL, and every
/// address the host resolves to must pass `AddressPolicy`. The connection then goes to the
/// checked address (AsyncHTTPClient's `dnsOverride`, keeping SNI and certificate checks on the
/// host name), so a second DNS answer cannot swap in another address (rebinding). Redirects
/// are followed here, not by the client, so each target is checked the same way.
public struct SafeHTTPClient: Sendable {
    public enum Failure: Error, Equatable, CustomStringConvertible {
        /// The URL or an address it leads to is not allowed.
        case refused(String)
        /// Network error, timeout, bad status or too large.
        case failed(String)

        public var description: String {
            switch self {
            case .refused(let why), .failed(let why): return why
            }
        }
    }

    public struct Response: Sendable {
        public var status: Int
        public var contentType: String?
        public var body: [UInt8]
    }

    public var allowPrivateNetworks: Bool
    public var timeout: TimeInterval
    public var maxRedirects = 3
    /// Individual addresses exempt from the private-network refusal (an internal image host).
    public var allowedAddresses: Set<String> = []

    public init(allowPrivateNetworks: Bool, timeout: TimeInterval) {
        self.allowPrivateNetworks = allowPrivateNetworks
        self.timeout = timeout
    }

    /// Checks a URL and returns the host and the address to connect to.
    func vet(_ url: URL) async throws -> (host: String, address: AddressPolicy.Address) {
        guard let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https" else {
            throw Failure.refused("Only http and https URLs are allowed.")
        }
        guard url.user == nil, url.password == nil else { throw Failure.refused("URLs with credentials are not allowed.") }
        guard let host = url.host, !host.isEmpty else { throw Failure.refused("The URL has no host.") }
        let addresses: [AddressPolicy.Address]
        do {
            addresses = try await Resolver.resolve(host)
        } catch {
            throw Failure.failed("The host \(host) cannot be resolved.")
        }
        if !allowPrivateNetworks {
            for address in addresses where !allowedAddresses.contains(address.description) {
                if let why = AddressPolicy.refusal(for: address) {
                    throw Failure.refused("\(host) resolves to \(address), \(why); only public addresses are allowed.")
                }
            }
        }
        return (host, addresses[0])
    }

    /// Sends one request, following up to `maxRedirects` redirects for GET, reading at most
    /// `maxBytes` of body, all within `timeout`.
    public func send(
        _ method: HTTPMethod, url: URL, headers: [(String, String)] = [], body: [UInt8]? = nil, maxBytes: Int
    ) async throws -> Response {
        let deadline = NIODeadline.now() + .milliseconds(Int64(timeout * 1000))
        var current = url
        for _ in 0...maxRedirects {
            let (host, address) = try await vet(current)
            var configuration = HTTPClient.Configuration()
            configuration.redirectConfiguration = .disallow
            configuration.timeout = .init(connect: .seconds(Int64(max(1, min(timeout, 10)))), read: .milliseconds(Int64(timeout * 1000)))
            if AddressPolicy.parse(host) == nil { configuration.dnsOverride = [host: address.description] }
            configuration.httpVersion = .http1Only
            let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
            do {
                let result = try await exchange(client, method, current, headers, body, maxBytes, deadline)
                try await client.shutdown()
                switch result {
                case .done(let response):
                    return response
                case .redirect(let location):
                    guard method == .GET, let next = URL(string: location, relativeTo: current)?.absoluteURL else {
                        throw Failure.failed("The server answered with a redirect that cannot be followed.")
                    }
                    current = next
                }
            } catch {
                try? await client.shutdown()
                if let failure = error as? Failure { throw failure }
                if NIODeadline.now() >= deadline { throw Failure.failed("The request took longer than \(Int(timeout)) s.") }
                throw Failure.failed("The request to \(host) failed: \(error).")
            }
        }
        throw Failure.failed("Too many redirects (more than \(maxRedirects)).")
    }

    private enum Exchange { case done(Response), redirect(String) }

    private func exchange(
        _ client: HTTPClient, _ method: HTTPMethod, _ url: URL, _ headers: [(String, String)], _ body: [UInt8]?,
        _ maxBytes: Int, _ deadline: NIODeadline
    ) async throws -> Exchange {
        var request = HTTPClientRequest(url: url.absoluteString)
        request.method = method
        request.headers.add(name: "User-Agent", value: "i2v/0.1")
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body { request.body = .bytes(ByteBuffer(bytes: body)) }
        let response = try await client.execute(request, deadline: deadline)
        if (300..<400).contains(Int(response.status.code)), let location = response.headers.first(name: "location") {
            return .redirect(location)
        }
        if let length = response.headers.first(name: "content-length").flatMap(Int.init), length > maxBytes {
            throw Failure.failed("The response is \(ByteCount.format(length)), more than the limit of \(ByteCount.format(maxBytes)).")
        }
        var collected: [UInt8] = []
        for try await chunk in response.body {
            guard collected.count + chunk.readableBytes <= maxBytes else {
                throw Failure.failed("The response is larger than the limit of \(ByteCount.format(maxBytes)).")
            }
            collected.append(contentsOf: chunk.readableBytesView)
        }
        return .done(Response(status: Int(response.status.code), contentType: response.headers.first(name: "content-type"), body: collected))
    }

    /// Downloads an image: GET, 2xx only, at most `maxBytes`.
    public func fetchImage(_ text: String, maxBytes: Int) async throws -> [UInt8] {
        guard let url = URL(string: text), url.scheme != nil else { throw Failure.refused("'\(text.prefix(100))' is not a URL.") }
        let response = try await send(.GET, url: url, maxBytes: maxBytes)
        guard (200..<300).contains(response.status) else {
            throw Failure.failed("The image URL answered HTTP \(response.status).")
        }
        return response.body
    }
}
