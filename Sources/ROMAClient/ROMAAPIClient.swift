import AsyncHTTPClient
import Foundation
internal import NIOCore
internal import NIOHTTP1
import ROMAWire

/// A typed client for the ROMA API (the hosted one or `roma serve`): all six endpoints and the
/// error envelope. The API key travels only in the `X-API-Key` header; it is never logged.
public struct ROMAAPIClient: Sendable {
    /// The hosted API's address (`ROMA_BASE_URL` overrides it).
    public static let hostedBaseURL = "https://api.izieroma.xyz"

    /// The API root, without `/api/v1`.
    public var baseURL: String
    private let apiKey: String
    private let client: HTTPClient
    /// Timeout of one request.
    public var timeout: Duration

    /// The process-wide client of the API. A connection that cannot be made fails its request at
    /// once and the caller's retry policy decides (`HTTPClient.shared` retries the connection
    /// itself until the request's deadline, so a mistyped `ROMA_BASE_URL` took 30 s per attempt
    /// and minutes per goal to say "Connection refused").
    public static let pooledClient: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.tracing.tracer = nil
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }()

    /// Creates a client.
    public init(baseURL: String, apiKey: String, client: HTTPClient = ROMAAPIClient.pooledClient, timeout: Duration = .seconds(30)) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.apiKey = apiKey
        self.client = client
        self.timeout = timeout
    }

    /// `POST /api/v1/executions`.
    public func create(_ request: ExecutionRequest, idempotencyKey: String?) async throws(APIClientError) -> APIResponse<ExecutionSummary> {
        let body: Data
        do { body = try JSONEncoder().encode(request) } catch {
            throw APIClientError(kind: .invalidResponse, message: "cannot encode the request: \(error)")
        }
        var headers = [("Content-Type", "application/json")]
        if let idempotencyKey { headers.append(("X-Idempotency-Key", idempotencyKey)) }
        return try await send(.POST, "/api/v1/executions", body: body, headers: headers)
    }

    /// `GET /api/v1/executions` with query parameters (`limit`, `offset`, `status`, …).
    public func list(_ query: [String: String] = [:]) async throws(APIClientError) -> APIResponse<ExecutionPage> {
        let encoded = query.sorted { $0.key < $1.key }.map {
            "\($0.key)=\($0.value.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed) ?? $0.value)"
        }.joined(separator: "&")
        return try await send(.GET, "/api/v1/executions" + (encoded.isEmpty ? "" : "?" + encoded))
    }

    /// `GET /api/v1/executions/{id}`.
    public func details(_ id: String) async throws(APIClientError) -> APIResponse<ExecutionDetails> {
        try await send(.GET, "/api/v1/executions/\(id)")
    }

    /// `GET /api/v1/executions/{id}/status`.
    public func status(_ id: String) async throws(APIClientError) -> APIResponse<ExecutionStatusResponse> {
        try await send(.GET, "/api/v1/executions/\(id)/status")
    }

    /// `POST /api/v1/executions/{id}/cancel`.
    ///
    /// Sent to the end even when the calling task is already cancelled: Ctrl-C cancels a remote
    /// run, whose last act is to cancel its executions on the server. So it goes through
    /// AsyncHTTPClient's `EventLoopFuture` API, which task cancellation does not reach (no
    /// detached task needed); the client's timeout still bounds it.
    public func cancel(_ id: String) async throws(APIClientError) -> APIResponse<CancelResponse> {
        let path = "/api/v1/executions/\(id)/cancel"
        let response: HTTPClient.Response
        do {
            var headers = HTTPHeaders()
            headers.add(name: "X-API-Key", value: apiKey)
            headers.add(name: "Accept", value: "application/json")
            let request = try HTTPClient.Request(url: baseURL + path, method: .POST, headers: headers)
            response = try await client.execute(request: request, deadline: .now() + deadline).get()
        } catch {
            throw APIClientError(kind: .transport, message: "POST \(path) failed: \(TransportFailure.describe(error))")
        }
        let data = response.body.map { Data($0.readableBytesView) } ?? Data()
        return try decode(.POST, path, status: Int(response.status.code), headers: response.headers, data: data)
    }

    /// `GET /api/v1/executions/{id}/dag`.
    public func dag(_ id: String) async throws(APIClientError) -> APIResponse<DAGResponse> {
        try await send(.GET, "/api/v1/executions/\(id)/dag")
    }

    private func send<T: Decodable>(_ method: HTTPMethod, _ path: String, body: Data? = nil, headers: [(String, String)] = [])
        async throws(APIClientError) -> APIResponse<T>
    {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = method
        request.headers.add(name: "X-API-Key", value: apiKey)
        request.headers.add(name: "Accept", value: "application/json")
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body { request.body = .bytes(ByteBuffer(bytes: Array(body))) }
        let response: HTTPClientResponse
        let bytes: ByteBuffer
        do {
            response = try await client.execute(request, timeout: deadline)
            bytes = try await response.body.collect(upTo: 64 << 20)
        } catch {
            if Task.isCancelled { throw APIClientError(kind: .cancelled, message: "cancelled") }
            throw APIClientError(kind: .transport, message: "\(method.rawValue) \(path) failed: \(TransportFailure.describe(error))")
        }
        return try decode(method, path, status: Int(response.status.code), headers: response.headers, data: Data(bytes.readableBytesView))
    }

    /// `timeout` as NIO's `TimeAmount`.
    private var deadline: TimeAmount { .nanoseconds(Int64(timeout.components.seconds) * 1_000_000_000) }

    /// Turns an answer into the documented shape, or into the API's error.
    private func decode<T: Decodable>(_ method: HTTPMethod, _ path: String, status: Int, headers: HTTPHeaders, data: Data)
        throws(APIClientError) -> APIResponse<T>
    {
        let limits = RateLimit(headers: headers)
        guard (200..<300).contains(status) else {
            let envelope = try? JSONDecoder().decode(APIErrorEnvelope.self, from: data)
            let kind: APIClientError.Kind =
                switch status {
                case 429: .rateLimited
                case 401, 403: .unauthorized
                case 404: .notFound
                case 500...: .server
                default: .rejected
                }
            throw APIClientError(
                kind: kind, message: envelope?.error.message ?? "HTTP \(status)", status: status, error: envelope?.error,
                rateLimit: limits, retryAfter: headers.first(name: "Retry-After").flatMap(Double.init))
        }
        do {
            return APIResponse(
                value: try JSONDecoder().decode(T.self, from: data), status: status, rateLimit: limits,
                requestID: headers.first(name: "X-Request-ID"))
        } catch {
            throw APIClientError(
                kind: .invalidResponse, message: "\(method.rawValue) \(path): the answer is not the documented shape (\(error))",
                status: status)
        }
    }
}

/// A decoded response with the rate-limit headers that came with it.
public struct APIResponse<Value: Sendable>: Sendable {
    public var value: Value
    public var status: Int
    public var rateLimit: RateLimit
    /// `X-Request-ID` (the same value as the body's `request_id`), to quote to support.
    public var requestID: String?
}

/// `X-RateLimit-Limit/Remaining/Reset`.
public struct RateLimit: Sendable, Hashable {
    public var limit: Int?
    public var remaining: Int?
    /// Epoch seconds when the window resets.
    public var reset: Int?

    init(headers: HTTPHeaders) {
        limit = headers.first(name: "X-RateLimit-Limit").flatMap { Int($0) }
        remaining = headers.first(name: "X-RateLimit-Remaining").flatMap { Int($0) }
        reset = headers.first(name: "X-RateLimit-Reset").flatMap { Int($0) }
    }

    /// Creates a value.
    public init(limit: Int? = nil, remaining: Int? = nil, reset: Int? = nil) {
        self.limit = limit
        self.remaining = remaining
        self.reset = reset
    }
}

/// A failed API call.
public struct APIClientError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure.
    public enum Kind: Sendable, Hashable {
        case transport, rateLimited, unauthorized, notFound, server, rejected, invalidResponse, cancelled
    }
    public var kind: Kind
    public var message: String
    public var status: Int?
    /// The API's error object, when it sent one.
    public var error: APIError?
    public var rateLimit: RateLimit?
    /// `Retry-After`, in seconds.
    public var retryAfter: Double?

    /// Creates an error.
    public init(
        kind: Kind, message: String, status: Int? = nil, error: APIError? = nil, rateLimit: RateLimit? = nil, retryAfter: Double? = nil
    ) {
        self.kind = kind
        self.message = message
        self.status = status
        self.error = error
        self.rateLimit = rateLimit
        self.retryAfter = retryAfter
    }

    /// Whether trying again later may succeed (dropped connections, 5xx).
    public var isRetryable: Bool { kind == .transport || kind == .server || kind == .invalidResponse }

    /// Whether this is the daily request limit (not the concurrent-execution cap).
    public var isDailyLimit: Bool { kind == .rateLimited && rateLimit?.remaining == 0 }

    public var description: String { status.map { "HTTP \($0): \(message)" } ?? message }
}
