import Foundation
import ROMACore
import Testing

@Suite("API request bodies")
struct RequestDecoderTests {
    private func decode(_ text: String) -> Result<ExecutionRequest, RequestValidationError> {
        RequestDecoder.decode(json: Data(text.utf8))
    }

    @Test("the API's own example body")
    func example() throws {
        let body = """
            {"goal": "Analyze Bitcoin price", "max_depth": 4, "config_profile": "crypto_agent",
             "config_overrides": {"temperature": 0.5, "max_tokens": 6000}, "metadata": {"user_id": "user_123"}}
            """
        let request = try decode(body).get()
        #expect(
            request
                == ExecutionRequest(
                    goal: "Analyze Bitcoin price", maxDepth: 4, configProfile: .cryptoAgent,
                    configOverrides: ConfigOverrides(temperature: 0.5, maxTokens: 6000),
                    metadata: ["user_id": "user_123"]))
    }

    @Test("a missing goal gives the API's documented message")
    func missingGoal() throws {
        guard case .failure(let error) = decode("{}") else {
            Issue.record("accepted")
            return
        }
        #expect(error.issues.map(\.apiMessage) == ["The 'goal' field is required"])
        #expect(error.issues.first?.kind == .missingRequiredField)
    }

    @Test(
        "the missing goal comes first, then the other issues by key",
        arguments: [
            """
            {"max_depth": 0, "metadata": {"k": ""}, "extra": 1}
            """
        ])
    func severalIssues(_ body: String) throws {
        guard case .failure(let error) = decode(body) else {
            Issue.record("accepted")
            return
        }
        #expect(error.issues.map(\.path) == ["goal", "extra", "max_depth", "metadata.k"])
        #expect(error.issues.map(\.kind) == [.missingRequiredField, .unknownField, .outOfRange, .outOfRange])
    }

    @Test(
        "bodies that are not objects",
        arguments: [
            ("not json", "is not valid JSON", ValidationIssue.Kind.syntax),
            ("{\"goal\": ", "is not valid JSON", .syntax),
            ("[]", "is a list", .invalidType),
            ("\"goal\"", "is a string", .invalidType),
            ("null", "is null", .invalidType),
            ("42", "is an integer", .invalidType),
        ])
    func notObjects(_ body: String, _ message: String, _ kind: ValidationIssue.Kind) throws {
        guard case .failure(let error) = decode(body) else {
            Issue.record("accepted")
            return
        }
        #expect(error.issues.count == 1)
        #expect(error.issues.first?.path == "body")
        #expect(error.issues.first?.message == message)
        #expect(error.issues.first?.kind == kind)
        #expect(error.issues.first?.expected == "a JSON object")
    }

    @Test("null optional fields count as absent")
    func nulls() throws {
        let request = try decode(
            #"{"goal": "g", "max_depth": null, "config_profile": null, "config_overrides": null, "metadata": null}"#
        ).get()
        #expect(request == ExecutionRequest(goal: "g"))
    }

    @Test("a null goal is a wrong type, not a missing field")
    func nullGoal() throws {
        guard case .failure(let error) = decode(#"{"goal": null}"#) else {
            Issue.record("accepted")
            return
        }
        #expect(error.issues.map(\.kind) == [.invalidType])
        #expect(
            error.issues.map(\.apiMessage) == ["Invalid 'goal': is null (expected a string of 1 to 10,000 characters)"])
    }

    @Test("API bodies are not interpolated")
    func noInterpolation() throws {
        #expect(try decode(#"{"goal": "Use ${HOME} and ${UNSET}"}"#).get().goal == "Use ${HOME} and ${UNSET}")
    }

    @Test("a manifest's `id` is not an API field")
    func noID() throws {
        guard case .failure(let error) = decode(#"{"goal": "g", "id": "x"}"#) else {
            Issue.record("accepted")
            return
        }
        #expect(error.issues.map(\.path) == ["id"])
        #expect(error.issues.map(\.kind) == [.unknownField])
    }

    @Test("JSON numbers: 1 is an integer, not a boolean; true is not a number")
    func numbersAndBooleans() throws {
        #expect(
            try decode(#"{"goal": "g", "max_depth": 1, "config_overrides": {"temperature": 1}}"#).get().maxDepth == 1)
        guard case .failure(let error) = decode(#"{"goal": "g", "config_overrides": {"temperature": true}}"#) else {
            Issue.record("accepted")
            return
        }
        #expect(error.issues.map(\.message) == ["is a boolean (true)"])
    }

    @Test("goal length counts Unicode scalars, as the hosted API does")
    func scalars() throws {
        // "👍🏽" is one character but two Unicode scalars.
        let fits = String(repeating: "👍🏽", count: 5_000)
        #expect(try decode(#"{"goal": "\#(fits)"}"#).get().goal == fits)
        guard case .failure(let error) = decode(#"{"goal": "\#(fits)x"}"#) else {
            Issue.record("accepted")
            return
        }
        #expect(error.issues.map(\.message) == ["is 10,001 characters long"])
    }

    @Test("deeply nested JSON is rejected, not a crash")
    func deepJSON() throws {
        let body =
            #"{"goal": "g", "metadata": {"k": "# + String(repeating: "[", count: 100_000)
            + String(repeating: "]", count: 100_000) + "}}"
        guard case .failure(let error) = decode(body) else {
            Issue.record("accepted")
            return
        }
        #expect(error.issues.count == 1)
    }

    @Test("a huge number of metadata pairs is one error, not thousands")
    func manyPairs() throws {
        let pairs = (0..<10_000).map { "\"k\($0)\": \"v\"" }.joined(separator: ", ")
        guard case .failure(let error) = decode(#"{"goal": "g", "metadata": {"# + pairs + "}}") else {
            Issue.record("accepted")
            return
        }
        #expect(error.issues.map(\.message) == ["has 10000 pairs"])
    }
}
