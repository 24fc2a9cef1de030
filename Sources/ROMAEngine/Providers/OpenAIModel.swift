import AsyncHTTPClient
import Foundation
internal import NIOCore
internal import NIOHTTP1
import ROMAClient
import ROMACore
import Synchronization

/// Any OpenAI-compatible `/v1/chat/completions` endpoint: OpenAI, OpenRouter, vLLM,
/// llama.cpp's server, Ollama, LiteLLM.
///
/// Structured output is negotiated once per endpoint: OpenAI's `json_schema` response format,
/// then the `{type: json_object, schema}` form that llama.cpp's Python server takes, then plain
/// text (the engine parses JSON tolerantly either way).
public struct OpenAIModel: LanguageModel {
    /// Settings of the endpoint.
    public struct Configuration: Sendable, Hashable {
        /// The API root, e.g. `https://api.openai.com/v1` or `http://127.0.0.1:8080/v1`.
        public var baseURL: String
        /// The API key (from the environment; never logged or written).
        public var apiKey: String?
        /// Timeout of one call.
        public var timeout: Duration

        /// Creates a configuration.
        public init(baseURL: String, apiKey: String? = nil, timeout: Duration = .seconds(120)) {
            self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
            self.apiKey = apiKey
            self.timeout = timeout
        }
    }

    /// The endpoint settings.
    public let configuration: Configuration
    /// What the endpoint accepts, learned on first use and shared by every copy of this model.
    public let formats: ResponseFormatNegotiator
    /// How calls reach the endpoint.
    private let transport: Transport
    /// `<baseURL>/chat/completions`, parsed once (parsing it for every call showed in `perf`).
    private let completionsURL: URL?
    /// A call's headers: the content type and the key, built once.
    private let headers: HTTPHeaders

    /// The client of an endpoint: `http://` endpoints the keep-alive client, `https://` ones
    /// (and any given client) AsyncHTTPClient.
    private enum Transport: Sendable {
        case keepAlive(KeepAliveHTTPClient, KeepAliveHTTPClient.Target)
        case asyncHTTPClient(HTTPClient)
    }

    /// `ROMA_HTTP_CLIENT=async-http-client` sends `http://` calls through AsyncHTTPClient too:
    /// a way around the keep-alive client should a server disagree with it, and the other half
    /// of the benchmark's comparison.
    private static let keepAliveRefused = ProcessInfo.processInfo.environment["ROMA_HTTP_CLIENT"] == "async-http-client"

    /// A process-wide client whose per-host connection limit does not throttle the engine's
    /// own limit (`HTTPClient.shared` allows only 8 connections per host).
    ///
    /// The client's own tracing is off: with no tracer bootstrapped it still built a no-op span
    /// and its request attributes for every call (about 3 % of a batch's CPU in `perf`).
    public static let pooledClient: HTTPClient = {
        var configuration = HTTPClient.Configuration(
            connectionPool: .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: 256))
        configuration.tracing.tracer = nil
        // A connection that cannot be made fails the call at once; the engine's retry policy
        // (`ResilientModel`: attempts, backoff) decides what happens next. With the client's own
        // retry on, every attempt waited out the connect timeout: a mistyped `--base-url` took
        // 100 s to say "Connection refused".
        configuration.connectionPool.retryConnectionEstablishment = false
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }()

    /// Creates a provider.

    /// `client`: AsyncHTTPClient for every call; nil: the keep-alive client for `http://`
    /// endpoints and `pooledClient` for the others.
    public init(
        configuration: Configuration, client: HTTPClient? = nil, formats: ResponseFormatNegotiator = ResponseFormatNegotiator()
    ) {
        self.configuration = configuration
        self.formats = formats
        let url = URL(string: configuration.baseURL + "/chat/completions")
        completionsURL = url
        var headers = HTTPHeaders([("Content-Type", "application/json")])
        if let key = configuration.apiKey, !key.isEmpty { headers.add(name: "Authorization", value: "Bearer \(key)") }
        self.headers = headers
        if client == nil, !Self.keepAliveRefused, let url, let target = KeepAliveHTTPClient.Target(url) {
            transport = .keepAlive(.shared, target)
        } else {
            transport = .asyncHTTPClient(client ?? Self.pooledClient)
        }
    }

    public var providerName: String { "openai" }

    public func complete(_ request: ChatRequest, context: CallContext) async throws -> ChatResponse {
        var format = request.responseSchema == nil ? ResponseFormatNegotiator.Mode.plain : formats.mode(for: configuration.baseURL)
        if request.tools != nil, !formats.hasNativeTools(configuration.baseURL) {
            throw LLMError(code: .toolsUnsupported, message: "\(configuration.baseURL) has no native function calling")
        }
        while true {
            do {
                return try await send(request, format: format)
            } catch let error as LLMError where request.tools != nil && Self.refusesTools(error) {
                // The server does not take `tools`: remember, so the engine asks with the constrained turn.
                formats.refuseNativeTools(configuration.baseURL)
                throw LLMError(
                    code: .toolsUnsupported, message: "\(configuration.baseURL) has no native function calling: \(error.message)")
            } catch let error as LLMError where format != .plain && Self.refusesFormat(error) {
                // The server does not take this response_format: remember, and try the next form.
                format = formats.downgrade(configuration.baseURL, from: format)
            }
        }
    }

    /// Whether an error is the server refusing the response format: a 4xx that names it, or a 5xx
    /// that names `response_format` (llama-cpp-python's server reports its request validation
    /// errors, `json_schema` among them, as HTTP 500); any other 5xx is a fault to retry.
    static func refusesFormat(_ error: LLMError) -> Bool {
        if error.code == .badRequest { return rejectsFormat(error.message) }
        if error.code == .server { return error.message.lowercased().contains("response_format") }
        return false
    }

    /// Whether an error is the server refusing `tools` (a 4xx, or a 5xx naming them).
    static func refusesTools(_ error: LLMError) -> Bool {
        guard error.code == .badRequest || error.code == .server else { return false }
        let lowered = error.message.lowercased()
        return lowered.contains("tool") || lowered.contains("function")
    }

    static func rejectsFormat(_ message: String) -> Bool {
        let lowered = message.lowercased()
        return lowered.contains("response_format") || lowered.contains("json_schema") || lowered.contains("schema")
            || lowered.contains("json_object")
    }

    /// The request's body as the chat completions API takes it, keys sorted (the bytes the
    /// dictionaries of `JSONValue`s it replaces wrote, without building them: they were 2 % of
    /// a batch's CPU).
    static func body(_ request: ChatRequest, format: ResponseFormatNegotiator.Mode) -> [UInt8] {
        var writer = JSONLineWriter(capacity: 1024)
        writer.beginObject()
        writer.member("max_tokens", request.maxTokens)
        writer.key("messages")
        writer.beginArray()
        for message in request.messages {
            writer.element()
            writeMessage(message, to: &writer)
        }
        writer.endArray()
        writer.member("model", request.model)
        if let schema = request.responseSchema, format != .plain {
            writer.key("response_format")
            writer.beginObject()
            if format == .jsonSchema {
                writer.key("json_schema")
                writer.beginObject()
                writer.member("name", schema.name)
                writer.member("schema", schema.schema, line: schema.line)
                writer.member("strict", false)
                writer.endObject()
                writer.member("type", "json_schema")
            } else {
                writer.member("schema", schema.schema, line: schema.line)
                writer.member("type", "json_object")
            }
            writer.endObject()
        }
        writer.member("temperature", request.temperature)
        if let tools = request.tools {
            writer.key("tools")
            writer.beginArray()
            for tool in tools {
                writer.element()
                writeFunction(to: &writer) { writer in
                    writer.member("description", tool.description)
                    writer.member("name", tool.name)
                    writer.key("parameters")
                    writer.value(tool.inputSchema)
                }
            }
            writer.endArray()
        }
        writer.endObject()
        return writer.bytes
    }

    /// A message as the chat completions API takes it, with its tool calls or the call it answers.
    static func writeMessage(_ message: ChatMessage, to writer: inout JSONLineWriter) {
        writer.beginObject()
        writer.member("content", message.content)
        writer.member("role", message.role)
        writer.member("tool_call_id", message.toolCallID)
        if let calls = message.toolCalls {
            writer.key("tool_calls")
            writer.beginArray()
            for call in calls {
                writer.element()
                writeFunction(id: call.id, to: &writer) { writer in
                    writer.member("arguments", call.arguments)
                    writer.member("name", call.name)
                }
            }
            writer.endArray()
        }
        writer.endObject()
    }

    /// `{"function": {…}, "id": …, "type": "function"}`: how the API wraps a tool, and (with its
    /// `id`) a tool call.
    static func writeFunction(id: String? = nil, to writer: inout JSONLineWriter, _ function: (inout JSONLineWriter) -> Void) {
        writer.beginObject()
        writer.key("function")
        writer.beginObject()
        function(&writer)
        writer.endObject()
        writer.member("id", id)
        writer.member("type", "function")
        writer.endObject()
    }

    /// The tool calls of a completion's message, if it made any.
    static func toolCalls(_ message: JSONValue?) -> [ToolCall]? {
        guard let calls = message?["tool_calls"]?.arrayValue, !calls.isEmpty else { return nil }
        return calls.enumerated().compactMap { index, call in
            guard let function = call["function"], let name = function["name"]?.stringValue else { return nil }
            let arguments: String
            switch function["arguments"] {
            case .string(let text): arguments = text
            case .some(let value): arguments = String(decoding: value.canonicalLine, as: UTF8.self)
            case .none: arguments = "{}"
            }
            return ToolCall(id: call["id"]?.stringValue ?? "call_\(index)", name: name, arguments: arguments)
        }
    }

    private func send(_ request: ChatRequest, format: ResponseFormatNegotiator.Mode) async throws -> ChatResponse {
        let (status, headers, bytes) = try await post(Self.body(request, format: format))
        guard (200..<300).contains(status) else {
            // Providers echo the key they were sent ("Incorrect API key provided: sk-…"): it is
            // removed here, at the source, as well as by every writer of the results.
            let echoed = Self.errorMessage(String(buffer: bytes))
            let message =
                "\(configuration.baseURL) answered HTTP \(status): \(Redactor(secrets: [configuration.apiKey ?? ""]).redact(echoed))"
            switch status {
            case 429:
                throw LLMError(code: .rateLimited, message: message, status: status, retryAfter: Self.retryAfter(headers))
            case 401, 403: throw LLMError(code: .unauthorized, message: message, status: status)
            case 408: throw LLMError(code: .timeout, message: message, status: status)
            case 500...: throw LLMError(code: .server, message: message, status: status, retryAfter: Self.retryAfter(headers))
            default: throw LLMError(code: .badRequest, message: message, status: status)
            }
        }
        guard let completion = try? Completion(bytes.readableBytesView), completion.hasChoice,
            let content = completion.content ?? completion.text ?? (Self.toolCalls(completion.message) != nil ? "" : nil)
        else {
            throw LLMError(
                code: .invalidResponse,
                message: "\(configuration.baseURL) answered with something that is not a chat completion (\(bytes.readableBytes) bytes)",
                status: status)
        }
        let usage = TokenUsage(promptTokens: completion.promptTokens ?? 0, completionTokens: completion.completionTokens ?? 0)
        return ChatResponse(
            content: content, usage: usage, finishReason: completion.finishReason,
            toolCalls: request.tools == nil ? nil : Self.toolCalls(completion.message))
    }

    /// What is read of a chat completion: its first choice and its token counts.
    ///
    /// Read member by member (`JSONParser.readObject`): the envelope, the choice and `usage` are walked
    /// without building a dictionary for them, and the rest (`id`, `model`, the other choices…) is
    /// checked and skipped — this runs on every model call. It reads what looking the members up
    /// in the parsed document would: a key repeated in one object keeps its first value, and a
    /// member of the wrong type counts as missing.
    struct Completion {
        /// `choices` is an array with a first element.
        var hasChoice = false
        /// `choices[0].message.content`, when a string.
        var content: String?
        /// `choices[0].text` (the legacy completions shape), when a string.
        var text: String?
        /// `choices[0].finish_reason`, when a string.
        var finishReason: String?
        /// `choices[0].message` reduced to its `tool_calls`, when the message is an object that has them.
        var message: JSONValue?
        var promptTokens: Int?
        var completionTokens: Int?

        private init() {}

        init(_ bytes: some Collection<UInt8>) throws(JSONParser.Failure) {
            var completion = Completion()
            var seen = Seen()
            try JSONParser.readObject(bytes) { (parser, key) throws(JSONParser.Failure) in
                switch key {
                case "choices" where seen.first(.choices):
                    guard parser.atArray() else { return try parser.skip() }
                    try parser.readElements { (parser) throws(JSONParser.Failure) in
                        guard !completion.hasChoice else { return try parser.skip() }
                        completion.hasChoice = true
                        try completion.readChoice(&parser)
                    }
                case "usage" where seen.first(.usage):
                    guard parser.atObject() else { return try parser.skip() }
                    var counted = Seen()
                    try parser.readMembers { (parser, key) throws(JSONParser.Failure) in
                        switch key {
                        case "prompt_tokens" where counted.first(.promptTokens):
                            completion.promptTokens = try parser.readValue().intValue
                        case "completion_tokens" where counted.first(.completionTokens):
                            completion.completionTokens = try parser.readValue().intValue
                        default: try parser.skip()
                        }
                    }
                default: try parser.skip()
                }
            }
            self = completion
        }

        private mutating func readChoice(_ parser: inout JSONParser) throws(JSONParser.Failure) {
            guard parser.atObject() else { return try parser.skip() }
            var seen = Seen()
            try parser.readMembers { (parser, key) throws(JSONParser.Failure) in
                switch key {
                case "message" where seen.first(.message): try readMessage(&parser)
                case "text" where seen.first(.text): text = try parser.readValue().stringValue
                case "finish_reason" where seen.first(.finishReason): finishReason = try parser.readValue().stringValue
                default: try parser.skip()
                }
            }
        }

        private mutating func readMessage(_ parser: inout JSONParser) throws(JSONParser.Failure) {
            guard parser.atObject() else { return try parser.skip() }
            var seen = Seen()
            var toolCalls: JSONValue?
            try parser.readMembers { (parser, key) throws(JSONParser.Failure) in
                switch key {
                case "content" where seen.first(.content): content = try parser.readValue().stringValue
                case "tool_calls" where seen.first(.toolCalls): toolCalls = try parser.readValue()
                default: try parser.skip()
                }
            }
            message = toolCalls.map { .object(["tool_calls": $0]) } ?? .object([:])
        }

        /// The keys of one object met so far: only a key's first value counts.
        private struct Seen {
            enum Key: Int { case choices, usage, promptTokens, completionTokens, message, text, finishReason, content, toolCalls }
            private var bits = 0

            /// True the first time `key` is met.
            mutating func first(_ key: Key) -> Bool {
                defer { bits |= 1 << key.rawValue }
                return bits & (1 << key.rawValue) == 0
            }
        }
    }

    /// Sends a request body to the completions URL: the answer's status, headers and body.
    private func post(_ body: [UInt8]) async throws -> (status: Int, headers: HTTPHeaders, body: ByteBuffer) {
        // The deadline covers the whole exchange, a body that stalls half-way included. Both
        // clients keep it as a timer on the connection's event loop: no task and no dispatch
        // timer per call.
        let deadline = NIODeadline.now() + .nanoseconds(Int64(configuration.timeout.seconds * 1e9))
        do {
            switch transport {
            case .keepAlive(let client, let target):
                let answer = try await client.post(target, headers: headers, body: ByteBuffer(bytes: body), deadline: deadline)
                return (answer.status, answer.headers, answer.body)
            case .asyncHTTPClient(let client):
                guard let url = completionsURL else { throw HTTPClientError.invalidURL }
                let http = try HTTPClient.Request(url: url, method: .POST, headers: headers, body: .bytes(body))
                let task = client.execute(
                    request: http, delegate: ResponseAccumulator(request: http, maxBodySize: 32 << 20), deadline: deadline)
                let response = try await withTaskCancellationHandler {
                    try await task.futureResult.get()
                } onCancel: {
                    task.cancel()
                }
                return (Int(response.status.code), response.headers, response.body ?? ByteBuffer())
            }
        } catch KeepAliveHTTPClient.Failure.timedOut {
            throw timedOut
        } catch {
            if Task.isCancelled || error is CancellationError { throw CancellationError() }
            if TransportFailure.isTimeout(error) { throw timedOut }
            throw LLMError(
                code: .transport, message: "request to \(configuration.baseURL) failed: \(TransportFailure.describe(error))")
        }
    }

    private var timedOut: LLMError {
        LLMError(code: .timeout, message: "no answer from \(configuration.baseURL) within \(configuration.timeout)")
    }

    static func errorMessage(_ body: String) -> String {
        if let data = body.data(using: .utf8), let json = try? JSONDecoder().decode(JSONValue.self, from: data),
            let message = json["error"]?["message"]?.stringValue ?? json["error"]?.stringValue ?? json["message"]?.stringValue
        {
            return message
        }
        return body.count > 300 ? String(body.prefix(300)) + "…" : body
    }

    /// `Retry-After` in seconds or as an HTTP date.
    static func retryAfter(_ headers: HTTPHeaders) -> Duration? {
        guard let value = headers.first(name: "Retry-After")?.trimmingCharacters(in: .whitespaces) else { return nil }
        if let seconds = Double(value) { return .milliseconds(Int64(max(0, seconds) * 1000)) }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        guard let date = formatter.date(from: value) else { return nil }
        return .milliseconds(Int64(max(0, date.timeIntervalSinceNow) * 1000))
    }
}

/// Remembers, per endpoint, which structured-output form the server accepts.
///
/// A lock, not an actor: every call reads it, and an actor would be a task switch per call.
public final class ResponseFormatNegotiator: Sendable {
    /// The forms, most capable first.
    public enum Mode: String, Sendable, Hashable, CaseIterable {
        case jsonSchema = "json_schema"
        case jsonObjectSchema = "json_object"
        case plain
    }

    private struct Learned {
        var modes: [String: Mode] = [:]
        var withoutNativeTools: Set<String> = []
    }

    private let learned = Mutex(Learned())

    /// Creates an empty negotiator.
    public init() {}

    /// Whether the endpoint is still thought to take `tools` (until it refuses them).
    public func hasNativeTools(_ endpoint: String) -> Bool { learned.withLock { !$0.withoutNativeTools.contains(endpoint) } }

    /// Records that the endpoint refused `tools`.
    public func refuseNativeTools(_ endpoint: String) { _ = learned.withLock { $0.withoutNativeTools.insert(endpoint) } }

    /// The form to use for an endpoint.
    public func mode(for endpoint: String) -> Mode { learned.withLock { $0.modes[endpoint] ?? .jsonSchema } }

    /// Records that `mode` was refused; returns the next form to try.
    public func downgrade(_ endpoint: String, from mode: Mode) -> Mode {
        learned.withLock { learned in
            let current = learned.modes[endpoint] ?? .jsonSchema
            // Another call may have downgraded already; never go back up.
            let all = Mode.allCases
            let next = all[min(all.count - 1, max(all.firstIndex(of: current) ?? 0, (all.firstIndex(of: mode) ?? 0) + 1))]
            learned.modes[endpoint] = next
            return next
        }
    }
}
