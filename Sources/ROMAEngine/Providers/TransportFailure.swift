import AsyncHTTPClient
import Foundation
internal import NIOCore
internal import NIOHTTP1
internal import NIOPosix

/// What a network failure was, in words a user can act on ("Connection refused", "cannot resolve
/// api.example.com: …"), not a dump of NIO's error types ("connection reset (error set):
/// Connection refused) (errno: 111)").
public enum TransportFailure {
    /// The failure's description; errors of other kinds keep their own.
    public static func describe(_ error: any Error) -> String {
        switch error {
        case let error as IOError:
            return String(cString: strerror(error.errnoCode))
        case let error as NIOConnectionError:
            if let failure = error.connectionErrors.first { return describe(failure.error) }
            if let failure = error.dnsAAAAError ?? error.dnsAError { return "cannot resolve \(error.host): \(describe(failure))" }
            return "cannot connect to \(error.host):\(error.port)"
        case KeepAliveHTTPClient.Failure.unanswered(let cause?):
            return describe(cause)
        case KeepAliveHTTPClient.Failure.unanswered(nil):
            return "the server closed the connection without answering"
        case KeepAliveHTTPClient.Failure.truncated:
            return "the connection closed before the answer was complete"
        case KeepAliveHTTPClient.Failure.tooLarge(let limit):
            return "the answer is larger than \(limit >> 20) MiB"
        case KeepAliveHTTPClient.Failure.timedOut:
            return "no answer in time"
        case let error as HTTPParserError:
            return "the answer is not valid HTTP (\(error))"
        case let error as ChannelError:
            if case .connectTimeout = error { return "the connection timed out" }
            return "\(error)"
        default:
            return "\(error)"
        }
    }
}
