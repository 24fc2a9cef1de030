import Foundation

/// A failed LLM call, classified so retries know what to do with it.
public struct LLMError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The kind of failure; extensible without breaking `switch`.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        enum Base: String, Sendable, Hashable {
            case transport, timeout, rateLimited, server, badRequest, unauthorized, invalidResponse, recordingMiss
            case toolsUnsupported
        }
        let base: Base
        /// The connection failed or dropped.
        public static let transport = Code(base: .transport)
        /// No answer in time.
        public static let timeout = Code(base: .timeout)
        /// HTTP 429.
        public static let rateLimited = Code(base: .rateLimited)
        /// HTTP 5xx.
        public static let server = Code(base: .server)
        /// HTTP 4xx other than 401/403/429: the request itself is wrong.
        public static let badRequest = Code(base: .badRequest)
        /// HTTP 401/403.
        public static let unauthorized = Code(base: .unauthorized)
        /// A 2xx answer that is not a chat completion (garbage, truncated).
        public static let invalidResponse = Code(base: .invalidResponse)
        /// `--offline` replay found no recording for the call.
        public static let recordingMiss = Code(base: .recordingMiss)
        /// The endpoint has no native function calling (`tools`): the engine asks with the
        /// constrained turn instead.
        public static let toolsUnsupported = Code(base: .toolsUnsupported)
        public var description: String { base.rawValue }
    }

    /// The kind of failure.
    public var code: Code
    /// What happened.
    public var message: String
    /// The HTTP status, if there was one.
    public var status: Int?
    /// The server's `Retry-After`, if it sent one.
    public var retryAfter: Duration?

    /// Creates an error.
    public init(code: Code, message: String, status: Int? = nil, retryAfter: Duration? = nil) {
        self.code = code
        self.message = message
        self.status = status
        self.retryAfter = retryAfter
    }

    /// Whether trying again may succeed.
    public var isRetryable: Bool {
        switch code.base {
        case .transport, .timeout, .rateLimited, .server, .invalidResponse: true
        default: false
        }
    }

    /// Whether the failure says "come back later" (the batch exit code 75).
    public var isTemporary: Bool {
        switch code.base {
        case .transport, .timeout, .rateLimited, .server: true
        default: false
        }
    }

    public var description: String { message }
}
