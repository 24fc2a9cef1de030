import Foundation
import ROMACore
import Testing

@Suite struct RedactorTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var input: String
        var output: String
        var testDescription: String { input }
    }

    static let redactor = Redactor(secrets: ["hunter2-long-secret", "abc", "p@ss/word!"])

    @Test(arguments: [
        Case(input: "key hunter2-long-secret here", output: "key [REDACTED] here"),
        Case(input: "twice hunter2-long-secret hunter2-long-secret", output: "twice [REDACTED] [REDACTED]"),
        Case(input: "short values like abc are not secrets", output: "short values like abc are not secrets"),
        Case(input: #"{"m":"p@ss\/word!"}"#, output: #"{"m":"[REDACTED]"}"#),
        Case(input: "p@ss/word!", output: "[REDACTED]"),
        Case(input: "Incorrect API key provided: Bearer eyJhbGciOiJIUzI1NiJ9.x", output: "Incorrect API key provided: Bearer [REDACTED]"),
        Case(input: "key sk-proj-ABCDEFGHIJKLMNOPQRST end", output: "key sk-[REDACTED] end"),
        Case(input: "task-force and sk-learn stay", output: "task-force and sk-learn stay"),
        Case(input: "Bearer [REDACTED] stays", output: "Bearer [REDACTED] stays"),
        Case(input: "", output: ""),
    ])
    func redacts(_ test: Case) {
        #expect(Self.redactor.redact(test.input) == test.output)
        #expect(Self.redactor.redact(Data(test.input.utf8)) == Data(test.output.utf8))
    }

    @Test func secretsComeFromVariablesNamedAsSecrets() {
        let redactor = Redactor.fromEnvironment(
            ["OPENAI_API_KEY": "sk-aaaaaaaa", "WEBHOOK_TOKEN": "tok-123456", "HOME": "/root/home-folder", "DB_PASSWORD": "pw-123456"],
            extra: ["custom-value-1"])
        #expect(Set(redactor.secrets) == ["sk-aaaaaaaa", "tok-123456", "pw-123456", "custom-value-1"])
    }

    @Test func textWithoutSecretsIsReturnedAsIs() {
        let data = Data(repeating: UInt8(ascii: "x"), count: 100_000)
        #expect(Self.redactor.redact(data) == data)
    }
}
