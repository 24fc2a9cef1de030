import AsyncHTTPClient
import Foundation
internal import NIOCore
internal import NIOHTTP1
internal import NIOPosix

/// What a network failure was, in words a user can act on ("Connection refused", "cannot resolve
/// api.example.com: …"), not a dump of NIO's error types ("connection reset (error set):
/// Connection refused) (errno: 111)"). Shared by the model providers, the API client and the
/// PostgreSQL store; an error of another kind is described by its own `description`.
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
        case let error as HTTPClientError where isTimeout(error):
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

    /// Whether the failure is a deadline that passed: AsyncHTTPClient's deadline, read or connect
    /// timeout, or NIO's connect timeout.
    public static func isTimeout(_ error: any Error) -> Bool {
        if let error = error as? HTTPClientError {
            return error == .deadlineExceeded || error == .readTimeout || error == .connectTimeout
        }
        if case ChannelError.connectTimeout = error { return true }
        return false
    }
}
