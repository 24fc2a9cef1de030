import Foundation

/// A TCP port on 127.0.0.1 that nothing listens on: bound, then closed (a connection to it is refused).
public enum ClosedPort {
    public static func make() throws -> Int {
        guard let socket = LoopbackSocket() else { throw POSIXError(.EADDRNOTAVAIL) }
        close(socket.descriptor)
        return socket.port
    }
}
