import Foundation
import Hummingbird
import ROMACore

/// An API failure that renders itself as the documented error envelope
/// (`{"error": {"code", "message", "details"}, "request_id"}`).
public struct ServerError: Error, HTTPResponseError, Sendable, CustomStringConvertible {
    /// The envelope's `code`; extensible without breaking `switch`.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        enum Base: String, Sendable, Hashable {
            case invalidRequest = "invalid_request"
            case unauthorized
            case forbidden
            case notFound = "not_found"
            case rateLimitExceeded = "rate_limit_exceeded"
            case invalidOperation = "invalid_operation"
            case executionError = "execution_error"
            case internalError = "internal_error"
            case serviceUnavailable = "service_unavailable"
        }
        let base: Base
        /// 400 (or 413 for an oversized body): the request is malformed.
        public static let invalidRequest = Code(base: .invalidRequest)
        /// 401: missing, unknown or revoked API key.
        public static let unauthorized = Code(base: .unauthorized)
        /// 403: not allowed.
        public static let forbidden = Code(base: .forbidden)
        /// 404: no such execution (or route) for this key.
        public static let notFound = Code(base: .notFound)
        /// 429: daily limit or concurrent-execution cap reached.
        public static let rateLimitExceeded = Code(base: .rateLimitExceeded)
        /// 400: the operation does not apply to the resource's state (cancelling a finished execution).
        public static let invalidOperation = Code(base: .invalidOperation)
        /// 500: the execution itself failed.
        public static let executionError = Code(base: .executionError)
        /// 500: a bug or a storage failure.
        public static let internalError = Code(base: .internalError)
        /// 503: shutting down or storage unavailable.
        public static let serviceUnavailable = Code(base: .serviceUnavailable)
        /// The wire value.
        public var rawValue: String { base.rawValue }
        public var description: String { base.rawValue }
    }

    /// The envelope's code.
    public var code: Code
    /// The HTTP status.
    public var status: HTTPResponse.Status
    /// The envelope's human-readable message.
    public var message: String
    /// The envelope's `details`, when there are any.
    public var details: JSONValue?
    /// Extra response headers (e.g. `Retry-After`).
    public var headers: HTTPFields

    /// Creates an error.
    public init(_ code: Code, status: HTTPResponse.Status, message: String, details: JSONValue? = nil, headers: HTTPFields = [:]) {
        self.code = code
        self.status = status
        self.message = message
        self.details = details
        self.headers = headers
    }

    public var description: String { "\(status.code) \(code): \(message)" }

    /// The API's error object.
    public var apiError: APIError { APIError(code: code.rawValue, message: message, details: details) }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        let requestID = (context as? APIRequestContext)?.requestID
        return response(requestID: requestID)
    }

    /// The rendered envelope.
    func response(requestID: String?) -> Response {
        let body = (try? APIJSON.encode(APIErrorEnvelope(error: apiError, requestId: requestID))) ?? Data()
        var response = APIJSON.response(status: status, body: body)
        response.headers.append(contentsOf: headers)
        return response
    }
}

extension ServerError {
    /// 400 `invalid_request` naming the offending field.
    static func invalidRequest(_ message: String, field: String, issue: String) -> ServerError {
        ServerError(
            .invalidRequest, status: .badRequest, message: message,
            details: .object(["field": .string(field), "issue": .string(issue)]))
    }

    /// 401 for a missing, unknown or revoked key.
    static let unauthorized = ServerError(.unauthorized, status: .unauthorized, message: "Invalid or revoked API key")

    /// 404 for an execution that does not exist or belongs to another key.
    static let executionNotFound = ServerError(.notFound, status: .notFound, message: "Execution not found")

    /// 500 for anything unexpected; the cause is logged, never sent.
    static let internalError = ServerError(.internalError, status: .internalServerError, message: "An unexpected error occurred")

    /// Maps any error to the envelope: our own errors as they are, Hummingbird's by status.
    static func from(_ error: any Error) -> ServerError {
        if let error = error as? ServerError { return error }
        if let error = error as? any HTTPResponseError {
            switch error.status {
            case .notFound: return ServerError(.notFound, status: .notFound, message: "Route not found")
            case .contentTooLarge: return ServerError(.invalidRequest, status: .contentTooLarge, message: "Request body is too large")
            case .methodNotAllowed: return ServerError(.invalidRequest, status: .methodNotAllowed, message: "Method not allowed")
            case let status where status.kind == .clientError:
                return ServerError(.invalidRequest, status: status, message: status.reasonPhrase)
            default: return .internalError
            }
        }
        return .internalError
    }
}
