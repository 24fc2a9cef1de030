import Foundation
import HTTPTypes
import Hummingbird
import Logging
import ROMACore
import ROMAEngine

/// A scriptable OpenAI-compatible server on loopback, started and stopped by the test that uses it.
///
/// ```swift
/// try await MockOpenAIServer.withServer({ request in .text("hello") }) { server in
///     let model = OpenAIModel(configuration: .init(baseURL: server.baseURL.absoluteString))
///     …
///     #expect(server.journal.count == 1)
/// }
/// ```
///
/// It serves `POST /v1/chat/completions`; every request is parsed and recorded in `journal`, then
/// answered with whatever the script returns for it: a completion or a fault (429, 5xx, a hang
/// past the client's timeout, a body that stalls or is cut off, garbage, llama.cpp's refusal of `json_schema`).
public struct MockOpenAIServer: Sendable {
    /// Decides the reply to one request.
    public typealias Script = @Sendable (MockChatRequest) async -> MockReply

    /// The API root to give a client: `http://127.0.0.1:PORT/v1`.
    public let baseURL: URL
    /// The port the server is bound to.
    public let port: Int
    /// Every request received, and waits on them.
    public let journal: RequestJournal

    /// Runs `body` with a server bound to 127.0.0.1 on a free port; stops the server when `body` returns or throws.
    ///
    /// - Parameters:
    ///   - latency: how long after a request arrives the server replies (simulated provider latency).
    ///   - script: the reply to each request.
    public static func withServer<T>(
        latency: Duration = .zero, _ script: @escaping Script, body: (MockOpenAIServer) async throws -> T
    ) async throws -> T {
        let journal = RequestJournal()
        let router = Router()
        router.post("v1/chat/completions") { request, _ -> Response in
            // The latency runs from the request's arrival, so reading and parsing it is part of it.
            let deadline = ContinuousClock.now.advanced(by: latency)
            let bytes = try await request.body.collect(upTo: 64 << 20)
            guard let chat = journal.record(body: String(buffer: bytes), authorization: request.headers[.authorization]) else {
                return errorResponse(400, notJSONMessage)
            }
            if latency > .zero { try await Task.sleep(until: deadline, tolerance: .zero, clock: .continuous) }
            return await render(await script(chat), to: chat, journal: journal)
        }
        // A ROMA API that refuses every key and echoes it, as careless servers do: tests check
        // that the key reaches no file and no output.
        router.post("api/v1/executions") { request, _ -> Response in
            let key = request.headers.first { $0.name.canonicalName == "x-api-key" }?.value ?? ""
            let body: JSONValue = .object([
                "error": .object(["code": .string("INVALID_API_KEY"), "message": .string("Invalid API key: \(key)")]),
                "request_id": .string("req_echo"),
            ])
            return jsonResponse(401, String(decoding: body.canonicalLine, as: UTF8.self))
        }
        var logger = Logger(label: "roma.mock-openai")
        logger.logLevel = .critical
        let (ports, portSink) = AsyncStream.makeStream(of: Int.self)
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in
                portSink.yield(channel.localAddress?.port ?? 0)
                portSink.finish()
            },
            logger: logger)

        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                defer { portSink.finish() }
                try await app.run()
            }
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next(), port > 0, let url = URL(string: "http://127.0.0.1:\(port)/v1") else {
                group.cancelAll()
                try await group.waitForAll()
                throw MockServerError(message: "the mock OpenAI server did not start")
            }
            let server = MockOpenAIServer(baseURL: url, port: port, journal: journal)
            do {
                let value = try await body(server)
                journal.releaseHeld()
                group.cancelAll()
                return value
            } catch {
                journal.releaseHeld()
                group.cancelAll()
                throw error
            }
        }
    }

    /// The offline model's answer to every request (the benchmarks' model; `OfflineModelServer`
    /// answers the same bytes).
    public static let offlineModel: Script = { chat in .text(OfflineModel.answer(chat.chatRequest).content) }

    /// Wraps a script so that, like llama.cpp's server, every `json_schema` response format is refused
    /// (with a 400 by default; llama-cpp-python's server says it with a 500).
    public static func refusingJSONSchema(with refusal: MockReply = .rejectJSONSchema, _ script: @escaping Script) -> Script {
        { request in request.responseFormatType == "json_schema" ? refusal : await script(request) }
    }

    static func render(_ reply: MockReply, to request: MockChatRequest, journal: RequestJournal) async -> Response {
        switch reply {
        case .content(let content, let usage, let finishReason):
            return jsonResponse(200, completion(content, usage: usage, finishReason: finishReason, request: request))
        case .rateLimited(let retryAfter):
            var response = errorResponse(429, "Rate limit reached for requests", type: "rate_limit_error")
            if let retryAfter { response.headers[.retryAfter] = retryAfter }
            return response
        case .serverError(let status, let retryAfter):
            var response = errorResponse(status, "The server had an error while processing your request", type: "server_error")
            if let retryAfter { response.headers[.retryAfter] = retryAfter }
            return response
        case .status(let status, let body):
            return jsonResponse(status, body)
        case .hang:
            await journal.hold()
            return errorResponse(503, "released by the test")
        case .invalidJSON(let body):
            return jsonResponse(200, body)
        case .truncated(let content):
            let full = ByteBuffer(string: completion(content, usage: nil, finishReason: "stop", request: request))
            let half = full.getSlice(at: 0, length: full.readableBytes / 2) ?? ByteBuffer()
            // Announces the full length, sends half, then fails the body: the server drops the connection.
            let body = ResponseBody(contentLength: full.readableBytes) { writer in
                try await writer.write(half)
                throw MockServerError(message: "connection dropped mid-body")
            }
            return Response(status: .ok, headers: [.contentType: "application/json"], body: body)
        case .stalled(let content):
            let full = ByteBuffer(string: completion(content, usage: nil, finishReason: "stop", request: request))
            let half = full.getSlice(at: 0, length: full.readableBytes / 2) ?? ByteBuffer()
            let body = ResponseBody(contentLength: full.readableBytes) { writer in
                try await writer.write(half)
                await journal.hold()
                throw MockServerError(message: "stalled body released")
            }
            return Response(status: .ok, headers: [.contentType: "application/json"], body: body)
        case .rejectJSONSchema:
            // llama.cpp's server: `oaicompat_completion_params_parse` in tools/server/utils.hpp.
            return errorResponse(
                400, #"response_format type must be one of "text" or "json_object", but got: json_schema"#,
                type: "invalid_request_error")
        case .rejectJSONSchemaAsServerError:
            // llama-cpp-python 0.3's server: pydantic rejects the literal, its error handler answers 500.
            return errorResponse(
                500,
                "1 validation error:\n  {'type': 'literal_error', 'loc': ('body', 'response_format', 'type'), 'msg': \"Input should be 'text' or 'json_object'\", 'input': 'json_schema', 'ctx': {'expected': \"'text' or 'json_object'\"}}\n\n  File \"llama_cpp/server/app.py\", line 376, in create_chat_completion\n    POST /v1/chat/completions",
                type: "internal_server_error")
        case .toolCalls(let calls):
            return jsonResponse(200, toolCallCompletion(calls, request: request))
        case .rejectTools:
            return errorResponse(400, "tools are not supported by this server", type: "invalid_request_error")
        case .delayed(let delay, let reply):
            do { try await Task.sleep(for: delay, tolerance: .zero) } catch { return errorResponse(503, "cancelled") }
            return await render(reply, to: request, journal: journal)
        case .withHeaders(let headers, let reply):
            var response = await render(reply, to: request, journal: journal)
            for (name, value) in headers { if let name = HTTPField.Name(name) { response.headers[name] = value } }
            return response
        }
    }

    static func completion(_ content: String, usage: TokenUsage?, finishReason: String, request: MockChatRequest) -> String {
        let promptChars = request.messages.reduce(0) { $0 + $1.content.count }
        let usage = usage ?? TokenUsage(promptTokens: max(1, promptChars / 4), completionTokens: max(1, content.count / 4))
        let body: JSONValue = .object([
            "id": .string("chatcmpl-mock-\(request.index)"),
            "object": .string("chat.completion"),
            "created": .int(1_700_000_000),
            "model": .string(request.model ?? "mock"),
            "choices": .array([
                .object([
                    "index": .int(0),
                    "message": .object(["role": .string("assistant"), "content": .string(content)]),
                    "finish_reason": .string(finishReason),
                ])
            ]),
            "usage": .object([
                "prompt_tokens": .int(usage.promptTokens), "completion_tokens": .int(usage.completionTokens),
                "total_tokens": .int(usage.totalTokens),
            ]),
        ])
        return String(decoding: body.canonicalLine, as: UTF8.self)
    }

    static func toolCallCompletion(_ calls: [MockToolCall], request: MockChatRequest) -> String {
        let body: JSONValue = .object([
            "id": .string("chatcmpl-mock-\(request.index)"),
            "object": .string("chat.completion"),
            "model": .string(request.model ?? "mock"),
            "choices": .array([
                .object([
                    "index": .int(0),
                    "message": .object([
                        "role": .string("assistant"), "content": .null,
                        "tool_calls": .array(
                            calls.enumerated().map { index, call in
                                .object([
                                    "id": .string("call_\(request.index)_\(index)"), "type": .string("function"),
                                    "function": .object(["name": .string(call.name), "arguments": .string(call.arguments)]),
                                ])
                            }),
                    ]),
                    "finish_reason": .string("tool_calls"),
                ])
            ]),
            "usage": .object(["prompt_tokens": .int(10), "completion_tokens": .int(5), "total_tokens": .int(15)]),
        ])
        return String(decoding: body.canonicalLine, as: UTF8.self)
    }

    static func jsonResponse(_ status: Int, _ body: String) -> Response {
        Response(
            status: HTTPResponse.Status(code: status), headers: [.contentType: "application/json"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: body)))
    }

    static func errorResponse(_ status: Int, _ message: String, type: String = "invalid_request_error") -> Response {
        jsonResponse(status, errorBody(status, message, type: type))
    }

    /// An OpenAI-style error body.
    static func errorBody(_ status: Int, _ message: String, type: String = "invalid_request_error") -> String {
        let body: JSONValue = .object([
            "error": .object(["code": .int(status), "message": .string(message), "type": .string(type)])
        ])
        return String(decoding: body.canonicalLine, as: UTF8.self)
    }

    /// The answer to a body that is not a JSON object.
    static let notJSONMessage = "the body is not a JSON object"
}

/// The mock server could not do what it was asked.
public struct MockServerError: Error, Sendable, CustomStringConvertible {
    /// What went wrong.
    public var message: String
    public var description: String { message }
}
