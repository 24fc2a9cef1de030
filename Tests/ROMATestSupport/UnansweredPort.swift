import Foundation

/// A TCP port on 127.0.0.1 where a new connection hangs: a listener with a backlog of 0 whose one
/// queued connection is never accepted, so the kernel drops further SYNs and a client's `connect`
/// waits until it gives up. For testing what happens while a connect is in flight.
public final class UnansweredPort: @unchecked Sendable {
    public let port: Int
    private let listener: Int32
    private let filler: Int32

    public init() throws {
        guard let listener = LoopbackSocket(prepare: { listen($0, 0) == 0 }) else { throw POSIXError(.EADDRNOTAVAIL) }
        // The one connection the queue holds.
        guard let filler = listener.connectClient() else {
            close(listener.descriptor)
            throw POSIXError(.EADDRNOTAVAIL)
        }
        self.listener = listener.descriptor
        self.filler = filler
        port = listener.port
    }

    deinit {
        close(filler)
        close(listener)
    }
}
