import Foundation
import Hummingbird
import ROMACore
import ROMAEngine

/// The six `/api/v1/executions` endpoints.
struct ExecutionController: Sendable {
    let store: any ExecutionStore
    let runner: ExecutionRunner
    let clock: any WallClock
    let configuration: ServerConfiguration

    /// The six endpoints: method, path and handler. `register` adds them to a router and the
    /// `RouteTable` that answers a wrong method with 405 is made from the same list.
    var routes: [(method: HTTPRequest.Method, path: String, handler: @Sendable (Request, APIRequestContext) async throws -> Response)] {
        [
            (.post, "/api/v1/executions", create),
            (.get, "/api/v1/executions", list),
            (.get, "/api/v1/executions/{execution_id}", details),
            (.get, "/api/v1/executions/{execution_id}/status", status),
            (.post, "/api/v1/executions/{execution_id}/cancel", cancel),
            (.get, "/api/v1/executions/{execution_id}/dag", dag),
        ]
    }

    /// Adds the routes to a router.
    func register(on router: Router<APIRequestContext>) {
        for route in routes {
            router.on(RouterPath(route.path), method: route.method, use: route.handler)
        }
    }

    // MARK: Create

    func create(_ request: Request, context: APIRequestContext) async throws -> Response {
        let key = try context.requireKey()
        let body = try await readBody(request)
        let parsed: ExecutionRequest
        switch RequestDecoder.decode(json: body) {
        case .success(let value): parsed = value
        case .failure(let error):
            guard let issue = error.issues.first else {
                throw ServerError.invalidRequest("Invalid request", field: "body", issue: "invalid_value")
            }
            throw ServerError.invalidRequest(issue.apiMessage, field: issue.path, issue: issue.kind.rawValue)
        }
        let webhookURL = parsed.metadata["webhook_url"]
        if let webhookURL, !WebhookDispatcher.isAllowed(webhookURL) {
            throw ServerError.invalidRequest(
                "Invalid 'metadata.webhook_url': must be an absolute http or https URL", field: "metadata.webhook_url",
                issue: "invalid_value")
        }
        let idempotencyKey = try self.idempotencyKey(request)

        let now = clock.date()
        let timestamp = Timestamp.string(now)
        var stored = parsed
        // The token is a secret: it lives only in its own column, for delivery.
        stored.metadata = ExecutionMetadata.publicMetadata(parsed.metadata)
        let execution = StoredExecution(
            id: Identifier.executionID(), keyID: key.id, status: .running, request: stored,
            maxDepth: parsed.maxDepth ?? parsed.profile.preset.maxDepth, webhookURL: webhookURL,
            webhookToken: webhookURL == nil ? nil : parsed.metadata["webhook_token"], createdAt: timestamp,
            updatedAt: timestamp)
        let responseBody = try APIJSON.encode(execution.summary, requestID: context.requestID)
        let claim = idempotencyKey.map {
            IdempotencyClaim(
                key: $0, status: Int(HTTPResponse.Status.accepted.code), body: Array(responseBody),
                expiresAt: Timestamp.string(now.addingTimeInterval(configuration.idempotencyWindow)))
        }
        switch try await store.create(
            execution, idempotency: claim, maxRunning: configuration.maxConcurrentExecutions, now: timestamp, lease: runner.lease)
        {
        case .created(let created):
            await runner.start(created)
            return APIJSON.response(status: .accepted, body: responseBody)
        case .replayed(let status, let body):
            var response = APIJSON.response(status: HTTPResponse.Status(code: status), body: Data(body))
            response.headers[.idempotentReplayed] = "true"
            return response
        case .concurrencyLimit(let running):
            throw concurrencyLimitExceeded(running: running, now: now)
        }
    }

    /// The 429 of the concurrent-execution cap, in the daily limit's shape (`limit`, `remaining`,
    /// `reset_at`, `Retry-After`) so clients written for that one handle it too. No moment is
    /// known when a slot frees up, so `reset_at` is a suggested retry time:
    /// `configuration.concurrencyRetryAfter` seconds from now, as `Retry-After` says.
    private func concurrencyLimitExceeded(running: Int, now: Date) -> ServerError {
        let limit = configuration.maxConcurrentExecutions
        let wait = configuration.concurrencyRetryAfter
        let retryAt = Date(timeIntervalSince1970: (now.timeIntervalSince1970 + Double(wait)).rounded(.up))
        return ServerError(
            .rateLimitExceeded, status: .tooManyRequests,
            message: "Concurrent execution limit of \(limit) reached; wait for a running execution to finish",
            details: .object([
                "limit": .int(limit), "remaining": .int(0), "running": .int(running),
                "reset_at": .string(RateLimitWindow.secondsTimestamp(retryAt)),
            ]),
            headers: [.retryAfter: String(wait)])
    }

    /// The body, refused with 413 past the configured size (checked against `Content-Length`
    /// first, then while reading, for chunked bodies).
    private func readBody(_ request: Request) async throws -> Data {
        let limit = configuration.maxBodyBytes
        let tooLarge = ServerError(
            .invalidRequest, status: .contentTooLarge, message: "Request body exceeds the limit of \(limit) bytes",
            details: .object(["field": .string("body"), "issue": .string("too_large"), "limit_bytes": .int(limit)]))
        if let declared = request.headers[.contentLength].flatMap({ Int($0) }), declared > limit { throw tooLarge }
        var data = Data()
        for try await buffer in request.body {
            guard data.count + buffer.readableBytes <= limit else { throw tooLarge }
            data.append(contentsOf: buffer.readableBytesView)
        }
        return data
    }

    /// `X-Idempotency-Key`: 1–255 visible ASCII characters.
    private func idempotencyKey(_ request: Request) throws -> String? {
        guard let value = request.headers[.idempotencyKey] else { return nil }
        guard (1...255).contains(value.utf8.count), value.utf8.allSatisfy({ $0 > 32 && $0 < 127 }) else {
            throw ServerError.invalidRequest(
                "Invalid 'X-Idempotency-Key': must be 1 to 255 visible ASCII characters", field: "X-Idempotency-Key",
                issue: "invalid_value")
        }
        return value
    }

    // MARK: Read

    func list(_ request: Request, context: APIRequestContext) async throws -> Response {
        let key = try context.requireKey()
        let parameters = request.uri.queryParameters.map { (key: String($0.key), value: String($0.value)) }
        let query = try ExecutionQuery(parameters: parameters)
        let (items, total) = try await store.list(keyID: key.id, query: query)
        let page = ExecutionPage(
            data: items.map(\.listItem),
            pagination: Pagination(
                total: total, limit: query.limit, offset: query.offset, hasMore: query.offset + items.count < total))
        return try APIJSON.response(page, requestID: context.requestID)
    }

    func details(_ request: Request, context: APIRequestContext) async throws -> Response {
        let execution = try await find(context)
        return try APIJSON.response(execution.details(live: await live(execution)), requestID: context.requestID)
    }

    func status(_ request: Request, context: APIRequestContext) async throws -> Response {
        let execution = try await find(context, includingDAG: false)
        let body = execution.statusResponse(live: await live(execution)).body(requestID: context.requestID)
        return APIJSON.response(status: .ok, body: body)
    }

    func dag(_ request: Request, context: APIRequestContext) async throws -> Response {
        let execution = try await find(context)
        let state = await live(execution)
        return try APIJSON.response(
            DAGResponse(executionId: execution.id, dag: execution.currentDAG(live: state)), requestID: context.requestID)
    }

    // MARK: Cancel

    func cancel(_ request: Request, context: APIRequestContext) async throws -> Response {
        let key = try context.requireKey()
        let id = try executionID(context)
        switch try await store.cancel(id: id, keyID: key.id, at: Timestamp.string(clock.date())) {
        case .cancelled(let execution):
            await runner.cancel(id)
            return try APIJSON.response(
                CancelResponse(
                    executionId: execution.id, status: .cancelled, cancelledAt: execution.terminalAt ?? execution.updatedAt),
                requestID: context.requestID)
        case .notRunning(let execution):
            throw ServerError(
                .invalidOperation, status: .badRequest,
                message: "Cannot cancel execution in \(execution.status.rawValue) state",
                details: .object(["status": .string(execution.status.rawValue)]))
        case .notFound:
            throw ServerError.executionNotFound
        }
    }

    // MARK: Helpers

    /// The engine's live view, which only a running execution has.
    private func live(_ execution: StoredExecution) async -> LiveExecution? {
        execution.status == .running ? await runner.liveState(execution.id) : nil
    }

    private func executionID(_ context: APIRequestContext) throws -> String {
        guard let id = context.parameters.get("execution_id") else { throw ServerError.executionNotFound }
        return id
    }

    /// The caller's execution, or 404 (also for another key's execution: its existence is not revealed).
    private func find(_ context: APIRequestContext, includingDAG: Bool = true) async throws -> StoredExecution {
        let key = try context.requireKey()
        guard let execution = try await store.execution(id: try executionID(context), keyID: key.id, includingDAG: includingDAG) else {
            throw ServerError.executionNotFound
        }
        return execution
    }
}
