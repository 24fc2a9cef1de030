import Foundation

/// A TCP socket bound to 127.0.0.1 on a port the kernel picks: the start of `ClosedPort` and
/// `UnansweredPort`.
struct LoopbackSocket {
    let descriptor: Int32
    /// The bound address (its port filled in).
    var address: sockaddr_in

    /// Binds a new socket, then runs `prepare` (say, `listen`) before the port is read; nil (the
    /// socket closed) when any step fails.
    init?(prepare: (Int32) -> Bool = { _ in true }) {
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let fd = descriptor
        let ready = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { address in
                bind(fd, address, length) == 0 && prepare(fd) && getsockname(fd, address, &length) == 0
            }
        }
        guard ready else {
            close(descriptor)
            return nil
        }
    }

    var port: Int { Int(UInt16(bigEndian: address.sin_port)) }

    /// Connects a new socket to this one's address; its descriptor, or nil.
    func connectClient() -> Int32? {
        let client = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = address
        let connected = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(client, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
        if connected { return client }
        close(client)
        return nil
    }
}
