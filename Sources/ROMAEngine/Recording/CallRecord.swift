import Foundation
import ROMACore

/// One LLM call as stored in `calls.jsonl`: the recording replay answers from.
///
/// It holds the request (messages and parameters) and the response, never a key or header.
public struct CallRecord: Sendable, Hashable, Codable {
    /// Content hash of (provider, model, messages, parameters, sample index): the replay key.
    public var key: String
    /// The node that made the call.
    public var nodeID: String
    /// The call's position among its node's calls (0-based).
    public var sequence: Int
    /// `atomize`, `plan`, `execute` or `aggregate`.
    public var purpose: String
    /// The provider that answered.
    public var provider: String
    /// How many identical calls the node made before this one.
    public var sample: Int
    /// The request.
    public var request: ChatRequest {
        didSet { requestLine.bytes = nil }
    }
    /// The request's canonical line, kept from when its replay key was computed so that
    /// `calls.jsonl` splices it in instead of writing the request again; derived from `request`
    /// (cleared when it changes), so not part of the record's value.
    var requestLine = DerivedBytes()
    /// The answer text.
    public var response: String
    /// Why generation stopped.
    public var finishReason: String?
    /// Token usage.
    public var usage: TokenUsage
    /// Wall time of the call, in milliseconds.
    public var latencyMs: Int
    /// When the call started and finished (ISO 8601).
    public var startedAt: String
    public var finishedAt: String
    /// The tools the model called (native function calling); nil when it answered.
    public var toolCalls: [ToolCall]?

    enum CodingKeys: String, CodingKey {
        case key, sequence, purpose, provider, sample, request, response, usage
        case toolCalls = "tool_calls"
        case nodeID = "node_id"
        case finishReason = "finish_reason"
        case latencyMs = "latency_ms"
        case startedAt = "started_at"
        case finishedAt = "finished_at"
    }

    // issue-16: the server journals calls as they finish, outside the engine.
    /// Creates a record.
    public init(
        key: String, nodeID: String, sequence: Int, purpose: String, provider: String, sample: Int, request: ChatRequest,
        response: String, finishReason: String?, usage: TokenUsage, latencyMs: Int, startedAt: String, finishedAt: String,
        toolCalls: [ToolCall]? = nil, requestLine: [UInt8]? = nil
    ) {
        self.requestLine = DerivedBytes(bytes: requestLine)
        self.key = key
        self.nodeID = nodeID
        self.sequence = sequence
        self.purpose = purpose
        self.provider = provider
        self.sample = sample
        self.request = request
        self.response = response
        self.finishReason = finishReason
        self.usage = usage
        self.latencyMs = latencyMs
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.toolCalls = toolCalls
    }

    /// The replay key of a call: the SHA-256 of `{"provider","request","sample"}` as canonical
    /// one-line JSON (`keyLine`, byte for byte what `JSONEncoder` with sorted keys writes).
    public static func key(provider: String, request: ChatRequest, sample: Int) -> String {
        key(provider: provider, requestLine: request.canonicalLine, sample: sample)
    }

    /// The replay key of a call whose request is already written as its canonical line.
    public static func key(provider: String, requestLine: [UInt8], sample: Int) -> String {
        SHA256.hex(bytes: keyLine(provider: provider, requestLine: requestLine, sample: sample))
    }

    /// Orders records the same way on every run: by node path, then by sequence.
    public static func canonicalOrder(_ a: CallRecord, _ b: CallRecord) -> Bool {
        let pa = NodePath.components(a.nodeID)
        let pb = NodePath.components(b.nodeID)
        if pa != pb { return pa.lexicographicallyPrecedes(pb) }
        return a.sequence < b.sequence
    }
}

/// Bytes derived from a value's other fields (nil: none kept): carried along, but equal whatever they hold.
struct DerivedBytes: Sendable, Hashable {
    var bytes: [UInt8]?

    static func == (_: DerivedBytes, _: DerivedBytes) -> Bool { true }
    func hash(into hasher: inout Hasher) {}
}

extension JSONLineWriter {
    /// A member whose canonical line may have been kept (`DerivedBytes`): spliced in when it was
    /// and this writer writes one line, written from `value` otherwise.
    mutating func member(_ name: String, _ value: some JSONLineWritable, line: DerivedBytes) {
        if let bytes = line.bytes, !isPretty { member(name, json: bytes) } else { member(name, value) }
    }
}
