import Foundation
import NIOPosix

/// Host-name resolution through the system resolver, run on NIO's blocking thread pool so the
/// event loops never wait on DNS.
enum Resolver {
    struct Failure: Error, CustomStringConvertible {
        var host: String
        var reason: String
        var description: String { "cannot resolve \(host): \(reason)" }
    }

    static func resolve(_ host: String) async throws -> [AddressPolicy.Address] {
        if let literal = AddressPolicy.parse(host) { return [literal] }
        return try await NIOThreadPool.singleton.runIfActive { try lookup(host) }
    }

    static func lookup(_ host: String) throws -> [AddressPolicy.Address] {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var result: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, nil, &hints, &result)
        guard status == 0, let first = result else {
            throw Failure(host: host, reason: String(cString: gai_strerror(status)))
        }
        defer { freeaddrinfo(first) }
        var addresses: [AddressPolicy.Address] = []
        var node: UnsafeMutablePointer<addrinfo>? = first
        while let current = node {
            if let sockaddr = current.pointee.ai_addr {
                switch current.pointee.ai_family {
                case AF_INET:
                    let address = sockaddr.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee.sin_addr }
                    addresses.append(.v4(withUnsafeBytes(of: address) { Array($0) }))
                case AF_INET6:
                    let address = sockaddr.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { $0.pointee.sin6_addr }
                    addresses.append(.v6(withUnsafeBytes(of: address) { Array($0) }))
                default:
                    break
                }
            }
            node = current.pointee.ai_next
        }
        guard !addresses.isEmpty else { throw Failure(host: host, reason: "no addresses") }
        var unique: [AddressPolicy.Address] = []
        for address in addresses where !unique.contains(address) { unique.append(address) }
        return unique
    }
}
