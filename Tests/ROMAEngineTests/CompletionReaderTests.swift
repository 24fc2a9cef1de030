import Foundation
import ROMACore
import ROMATestSupport
import ROMAWire
import Testing

@testable import ROMAEngine

/// `OpenAIModel.Completion` walks a chat completion member by member instead of parsing it into
/// dictionaries first. These tests hold it to what looking the members up in the parsed
/// document gives (the way answers were read before), on hand-written corner cases and on
/// thousands of generated documents: repeated keys, members of the wrong type, missing parts,
/// cut-short and broken texts.
@Suite struct CompletionReaderTests {
    /// What a reader makes of an answer: nil when it is not a chat completion.
    struct Reading: Equatable {
        var content: String
        var finishReason: String?
        var promptTokens: Int
        var completionTokens: Int
        var toolCalls: [ToolCall]?
    }

    /// The way answers were read before: the whole document parsed (its two members kept), then looked up.
    static func byLookup(_ bytes: [UInt8]) -> Reading? {
        guard let json = try? JSONParser.parseObject(bytes, keeping: ["choices", "usage"]),
            let choice = json["choices"]?.arrayValue?.first,
            let content = choice["message"]?["content"]?.stringValue ?? choice["text"]?.stringValue
                ?? (OpenAIModel.toolCalls(choice["message"]) != nil ? "" : nil)
        else { return nil }
        return Reading(
            content: content, finishReason: choice["finish_reason"]?.stringValue,
            promptTokens: json["usage"]?["prompt_tokens"]?.intValue ?? 0,
            completionTokens: json["usage"]?["completion_tokens"]?.intValue ?? 0,
            toolCalls: OpenAIModel.toolCalls(choice["message"]))
    }

    /// The streaming reader, turned into the same reading as `OpenAIModel.send` does.
    static func byReader(_ bytes: [UInt8]) -> Reading? {
        guard let completion = try? OpenAIModel.Completion(bytes), completion.hasChoice,
            let content = completion.content ?? completion.text ?? (OpenAIModel.toolCalls(completion.message) != nil ? "" : nil)
        else { return nil }
        return Reading(
            content: content, finishReason: completion.finishReason, promptTokens: completion.promptTokens ?? 0,
            completionTokens: completion.completionTokens ?? 0, toolCalls: OpenAIModel.toolCalls(completion.message))
    }

    static let cases: [String] = [
        #"{"id":"c1","object":"chat.completion","created":1,"model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"Paris"},"finish_reason":"stop"}],"usage":{"prompt_tokens":12,"completion_tokens":3,"total_tokens":15}}"#,
        "\u{FEFF}" + #"{"choices":[{"message":{"content":"with a byte order mark"}}]}"#,
        #"  {"choices" : [ { "message" : { "content" : "spaced" } , "finish_reason" : "length" } ] }  "#,
        #"{"choices":[{"message":{"content":null},"text":"legacy text"}]}"#,
        #"{"choices":[{"text":"only text","finish_reason":"stop"}]}"#,
        #"{"choices":[{"message":{"content":null,"tool_calls":[{"id":"t1","type":"function","function":{"name":"get_time","arguments":"{\"zone\":\"UTC\"}"}}]},"finish_reason":"tool_calls"}]}"#,
        #"{"choices":[{"message":{"tool_calls":[{"function":{"name":"a","arguments":{"x":[1,2]}}},{"function":{"name":"b"}},{"id":7}]}}]}"#,
        #"{"choices":[{"message":{"content":"x","tool_calls":[]}}]}"#,
        #"{"choices":[{"message":{"content":null,"tool_calls":[]}}]}"#,
        #"{"choices":"not an array","usage":{"prompt_tokens":1}}"#,
        #"{"choices":[]}"#,
        #"{"choices":[1,{"message":{"content":"second"}}]}"#,
        #"{"choices":[{"message":"a string"}]}"#,
        #"{"choices":[{"message":{"content":"first"}},{"message":{"content":"second"}}]}"#,
        #"{"choices":[{"message":{"content":"first"}},{"message":{"content":"\ud800"}}]}"#,
        #"{"choices":[{"message":{"content":"a"}}],"choices":[{"message":{"content":"b"}}]}"#,
        #"{"choices":5,"choices":[{"message":{"content":"b"}}]}"#,
        #"{"choices":[{"message":{"content":"a"},"message":{"content":"b"}}]}"#,
        #"{"choices":[{"message":{"content":"a","content":"b"}}]}"#,
        #"{"choices":[{"message":{"content":7,"content":"b"},"text":"t"}]}"#,
        #"{"choices":[{"finish_reason":"stop","finish_reason":"length","message":{"content":"a"}}]}"#,
        #"{"choices":[{"finish_reason":3,"message":{"content":"a"}}]}"#,
        #"{"choices":[{"message":{"content":"a"}}],"usage":{"prompt_tokens":5.0,"completion_tokens":2.5}}"#,
        #"{"choices":[{"message":{"content":"a"}}],"usage":{"prompt_tokens":"5","completion_tokens":null}}"#,
        #"{"choices":[{"message":{"content":"a"}}],"usage":{"prompt_tokens":1,"prompt_tokens":2},"usage":{"prompt_tokens":3}}"#,
        #"{"choices":[{"message":{"content":"a"}}],"usage":[1,2]}"#,
        #"{"choices":[{"message":{"content":"a\n\"quoted\" \u00e9 \ud83d\ude00"}}]}"#,
        #"{"choices":[{"message":{"content":"a"}}],}"#,
        #"{"choices":[{"message":{"content":"a"},}],"usage":{"prompt_tokens":1,},}"#,
        #"{"choices":[{"message":{"content":"a"}}]} trailing"#,
        #"{"choices":[{"message":{"content":"a"}}]"#,
        #"{"choices":[{"message":{"content":"a"}}],"id":"\u0000bad"}"#,
        #"{"choices":[{"message":{"content":"a"}}],"id":"bad \ud800 surrogate"}"#,
        #"{"choices":[{"message":{"content":"a"}}],"x":tru}"#,
        #"[{"choices":[]}]"#,
        #""just a string""#,
        "",
        "   ",
        "<html><body>Bad gateway</body></html>",
    ]

    /// Answers that are not valid UTF-8 or hold what a Swift string cannot: broken parts in
    /// members the reader skips, and the same in members it reads.
    static let byteCases: [[UInt8]] = {
        let head = Array(#"{"choices":[{"message":{"content":"a"}}],"#.utf8)
        let good = Array(#"{"choices":[{"message":{"content":""#.utf8)
        let deep = String(repeating: "[", count: 600) + String(repeating: "]", count: 600)
        return [
            head + Array(#""id":""#.utf8) + [0xFF] + Array(#""}"#.utf8),  // invalid UTF-8, skipped
            head + Array(#""id":""#.utf8) + [0xC0, 0xAF] + Array(#""}"#.utf8),  // an overlong form, skipped
            head + Array(#""id":""#.utf8) + [0xED, 0xA0, 0x80] + Array(#""}"#.utf8),  // a UTF-8 surrogate, skipped
            head + Array(#""id":"a"#.utf8) + [0x01] + Array(#"b"}"#.utf8),  // a raw control character, skipped
            head + Array(#""id":"a\xb"}"#.utf8),  // an invalid escape, skipped
            head + Array(#""created":1e999}"#.utf8),  // a number that overflows, skipped
            head + Array(#""x":"#.utf8) + Array(deep.utf8) + Array("}".utf8),  // nested too deep, skipped
            good + [0xC3, 0xA9] + Array(#""}}]}"#.utf8),  // valid two-byte UTF-8, read
            good + [0xFF] + Array(#""}}]}"#.utf8),  // invalid UTF-8, read
            good + [0x0A] + Array(#""}}]}"#.utf8),  // a raw line feed, read
            Array(#"{"choices":[{"message":{"content":"a"}},{"message":{"content":""#.utf8) + [0xFE] + Array(#""}}]}"#.utf8),
        ]
    }()

    @Test("hand-written answers read the same as by looking the members up")
    func handWritten() {
        for text in Self.cases {
            let bytes = Array(text.utf8)
            #expect(Self.byReader(bytes) == Self.byLookup(bytes), "\(text)")
        }
        for bytes in Self.byteCases {
            #expect(Self.byReader(bytes) == Self.byLookup(bytes), "\(bytes)")
        }
        // Only the valid two-byte character is an answer; every broken part, skipped or read, is not.
        #expect(
            Self.byteCases.map { Self.byLookup($0) != nil } == [false, false, false, false, false, false, false, true, false, false, false])
        // The cases reach both outcomes and every part of a reading.
        let readings = Self.cases.compactMap { Self.byLookup(Array($0.utf8)) }
        #expect(readings.count >= 15 && readings.count < Self.cases.count)
        #expect(readings.contains { $0.toolCalls?.count == 2 } && readings.contains { $0.promptTokens == 5 })
        #expect(readings.contains { $0.content == "legacy text" } && readings.contains { $0.finishReason == "length" })
    }

    @Test("generated answers, whole, cut short and with a byte changed, read the same as by looking the members up")
    func generated() {
        var generator = SplitMix64(seed: 0x5EED)
        var accepted = 0
        var changedAccepted = 0
        // What a changed byte becomes: JSON's structure, a control character, bytes that are not UTF-8.
        let replacements: [UInt8] = Array(#""{}[],:\a 0-"#.utf8) + [0x01, 0x0A, 0x80, 0xC3, 0xED, 0xFF]
        for _ in 0..<3000 {
            let text = Self.document(&generator)
            let bytes = Array(text.utf8)
            let expected = Self.byLookup(bytes)
            #expect(Self.byReader(bytes) == expected, "\(text)")
            if expected != nil { accepted += 1 }
            // Cut at a random byte: an error for both.
            let cut = Array(bytes.prefix(Int(generator.next() % UInt64(bytes.count))))
            #expect(Self.byReader(cut) == nil && Self.byLookup(cut) == nil, "\(String(decoding: cut, as: UTF8.self))")
            // One byte changed: sometimes still an answer (a changed letter, a skipped part), mostly not.
            var changed = bytes
            changed[Int(generator.next() % UInt64(bytes.count))] = replacements[Int(generator.next() % UInt64(replacements.count))]
            let reading = Self.byLookup(changed)
            #expect(Self.byReader(changed) == reading, "\(changed)")
            if reading != nil { changedAccepted += 1 }
        }
        // Both outcomes are exercised, not one of them only.
        #expect(accepted > 600 && accepted < 2700, "accepted \(accepted) of 3000")
        #expect(changedAccepted > 100 && changedAccepted < accepted, "accepted \(changedAccepted) of 3000 changed")
    }

    /// A random answer-like document: the members in random order, some repeated, some missing,
    /// some of the wrong type.
    static func document(_ generator: inout SplitMix64) -> String {
        func pick<T>(_ options: [T]) -> T { options[Int(generator.next() % UInt64(options.count))] }
        func chance(_ percent: UInt64) -> Bool { generator.next() % 100 < percent }
        func junk() -> String { pick([#"1"#, #"2.5"#, #"null"#, #"true"#, #""s""#, #"[]"#, #"{}"#, #"[1,{"a":"b"}]"#, #"{"k":[null]}"#]) }
        func object(_ members: [(String, String)]) -> String {
            var members = members
            for index in members.indices.reversed() where chance(10) { members.remove(at: index) }
            // A repeated key: its first value counts, whatever the second holds.
            if chance(20), let repeated = members.randomElement(using: &generator) {
                members.append(chance(50) ? repeated : (repeated.0, chance(50) ? junk() : #""other""#))
            }
            if chance(15) { members.append((pick(["id", "model", "index", "role", "x"]), junk())) }
            members.shuffle(using: &generator)
            return "{" + members.map { "\"\($0.0)\":\($0.1)" }.joined(separator: ",") + "}"
        }
        func text() -> String { pick([#""Paris""#, #""""#, #""a\nb \u00e9""#, "null", "42", #""\ud83d\ude00""#]) }
        func toolCalls() -> String {
            let call = object([
                ("id", pick([#""t1""#, "3"])), ("type", #""function""#),
                ("function", object([("name", pick([#""get_time""#, "5"])), ("arguments", pick([#""{}""#, #"{"a":1}"#, "null"]))])),
            ])
            return pick(["[]", "[\(call)]", "[\(call),\(call)]", junk()])
        }
        func message() -> String {
            chance(10) ? junk() : object([("role", #""assistant""#), ("content", text()), ("tool_calls", toolCalls())])
        }
        func choice() -> String {
            chance(8)
                ? junk()
                : object([("index", "0"), ("message", message()), ("text", text()), ("finish_reason", pick([#""stop""#, "null", "1"]))])
        }
        let choices = pick(["[]", "[\(choice())]", "[\(choice()),\(choice())]", junk()])
        let usage =
            chance(10)
            ? junk()
            : object([
                ("prompt_tokens", pick(["12", "3.0", "2.5", #""7""#, "null"])), ("completion_tokens", pick(["4", "1e2", "null"])),
                ("total_tokens", "16"),
            ])
        return object([("id", #""chatcmpl-1""#), ("object", #""chat.completion""#), ("choices", choices), ("usage", usage)])
    }
}
