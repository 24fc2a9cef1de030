import Foundation

/// A TCP port on 127.0.0.1 that nothing listens on: bound, then closed (a connection to it is refused).
public enum ClosedPort {
    public static func make() throws -> Int {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(listener) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let port = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { address -> UInt16 in
                guard bind(listener, address, length) == 0, getsockname(listener, address, &length) == 0 else { return 0 }
                return UInt16(bigEndian: pointer.pointee.sin_port)
            }
        }
        guard port != 0 else { throw POSIXError(.EADDRNOTAVAIL) }
        return Int(port)
    }
}
