import Foundation
import ROMACore
import ROMATestSupport
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// What the command line prints and returns when the tree cannot be written or a provider
/// echoes the key (issue 12).
@Suite struct CommandLineFaultTests {
    let manifest = Fixtures.packageRoot.appendingPathComponent("examples/quickstart.yaml").path

    @Test func aFileWhereTheOutputBelongsIsOneLineAndExit73() throws {
        let tmp = try TemporaryFolder()
        let file = tmp.url.appendingPathComponent("file")
        try Data("x".utf8).write(to: file)
        let result = try runRoma(["run", manifest, "--provider", "offline", "--out", file.appendingPathComponent("results").path])
        #expect(result.status == 73)
        #expect(result.stderr == "error: cannot create \(file.path): Not a directory\n")
    }

    @Test func anUnreachableDatabaseIsOneLineAndExit74() throws {
        let port = try ClosedPort.make()
        let url = "postgres://roma@127.0.0.1:\(port)/roma"
        let result = try runRoma(["serve", "--provider", "offline", "--port", "0", "--db", url], environment: ["LOG_LEVEL": "error"])
        #expect(result.status == 74)
        #expect(result.stderr == "error: cannot open the PostgreSQL database \(url): Connection refused\n")
    }

    @Test func aDatabaseFileThatCannotBeOpenedIsOneLineAndExit74() throws {
        let tmp = try TemporaryFolder()
        let missing = tmp.url.appendingPathComponent("no/such/folder/roma.sqlite").path
        let notADatabase = tmp.url.appendingPathComponent("notes.txt").path
        try Data(String(repeating: "not a database\n", count: 200).utf8).write(to: URL(fileURLWithPath: notADatabase))
        for (path, reason) in [(missing, "unable to open database file"), (notADatabase, "file is not a database")] {
            let result = try runRoma(["serve", "--db", path, "keys", "list"])
            #expect(result.status == 74)
            #expect(result.stderr == "error: cannot open the SQLite database \(path): \(reason)\n")
        }
    }

    @Test func aKeyEchoedByTheProviderIsInNoOutput() async throws {
        let tmp = try TemporaryFolder()
        let key = "sk-live-4f9Qx7Secret0123456789"
        let echo: MockOpenAIServer.Script = { request in
            .status(401, body: #"{"error":{"message":"Incorrect API key provided: \#(request.authorization ?? "")"}}"#)
        }
        try await MockOpenAIServer.withServer(echo) { server in
            for style in [["--json"], []] {
                let result = try await runRomaDetached(
                    ["run", manifest, "--provider", "openai", "--base-url", server.baseURL.absoluteString, "--out", tmp.url.path] + style,
                    environment: ["OPENAI_API_KEY": key])
                #expect(result.status == 1, "\(result.stderr)")
                #expect((result.stdout + result.stderr).contains("Incorrect API key provided: Bearer [REDACTED]"))
                for text in [result.stdout, result.stderr] { #expect(!text.contains("Secret0123"), "\(text)") }
            }
        }
        let walker = FileManager.default.enumerator(atPath: tmp.url.path)
        while let relative = walker?.nextObject() as? String {
            let data = FileManager.default.contents(atPath: tmp.url.appendingPathComponent(relative).path) ?? Data()
            #expect(!String(decoding: data, as: UTF8.self).contains("Secret0123"), "\(relative)")
        }
    }

    @Test func aKeyEchoedInResponseHeadersIsInNoOutput() async throws {
        // Headers are never written or printed; this holds that, for answers, refusals and rate limits alike.
        let tmp = try TemporaryFolder()
        let key = "sk-live-Hd3Secret0123456789"
        let echo: MockOpenAIServer.Script = { request in
            let headers = [
                "X-Echo-Authorization": request.authorization ?? "", "WWW-Authenticate": "Bearer error=\"\(request.authorization ?? "")\"",
            ]
            switch request.index % 3 {
            case 0: return .withHeaders(headers, .rateLimited(retryAfter: "0"))
            case 1: return .withHeaders(headers, .status(401, body: #"{"error":{"message":"Incorrect API key provided"}}"#))
            default: return .withHeaders(headers, .text("an answer"))
            }
        }
        try await MockOpenAIServer.withServer(echo) { server in
            for style in [["--json"], []] {
                let result = try await runRomaDetached(
                    ["run", manifest, "--provider", "openai", "--base-url", server.baseURL.absoluteString, "--out", tmp.url.path] + style,
                    environment: ["OPENAI_API_KEY": key, "LOG_LEVEL": "trace"])
                #expect(result.status == 1, "\(result.stderr)")
                for text in [result.stdout, result.stderr] { #expect(!text.contains("Hd3Secret"), "\(text)") }
            }
            #expect(server.journal.count >= 3, "the provider rate-limited, refused and answered")
            // The fixture does echo: a request of the test's own gets its credentials back in a header.
            var probe = URLRequest(url: server.baseURL.appendingPathComponent("chat/completions"))
            probe.httpMethod = "POST"
            probe.httpBody = Data(#"{"model": "m", "messages": [{"role": "user", "content": "hi"}]}"#.utf8)
            probe.setValue("Bearer probe-credential", forHTTPHeaderField: "Authorization")
            let (_, response) = try await URLSession.shared.data(for: probe)
            #expect((response as? HTTPURLResponse)?.value(forHTTPHeaderField: "X-Echo-Authorization") == "Bearer probe-credential")
        }
        let walker = FileManager.default.enumerator(atPath: tmp.url.path)
        while let relative = walker?.nextObject() as? String {
            let data = FileManager.default.contents(atPath: tmp.url.appendingPathComponent(relative).path) ?? Data()
            #expect(!String(decoding: data, as: UTF8.self).contains("Hd3Secret"), "\(relative)")
        }
    }

    @Test func aROMAKeyEchoedByTheServerIsInNoOutput() async throws {
        let tmp = try TemporaryFolder()
        let key = "roma-key-Zx9Secret0123456789"
        let unused: MockOpenAIServer.Script = { _ in .text("unused") }
        try await MockOpenAIServer.withServer(unused) { server in
            let base = "http://127.0.0.1:\(server.port)"
            let result = try await runRomaDetached(
                ["run", manifest, "--mode", "remote", "--out", tmp.url.path, "--json"],
                environment: ["ROMA_API_KEY": key, "ROMA_BASE_URL": base])
            #expect(result.status != 0)
            #expect((result.stdout + result.stderr).contains("Invalid API key: [REDACTED]"), "\(result.stdout)\(result.stderr)")
            for text in [result.stdout, result.stderr] { #expect(!text.contains("Secret0123"), "\(text)") }
        }
        let walker = FileManager.default.enumerator(atPath: tmp.url.path)
        while let relative = walker?.nextObject() as? String {
            let data = FileManager.default.contents(atPath: tmp.url.appendingPathComponent(relative).path) ?? Data()
            #expect(!String(decoding: data, as: UTF8.self).contains("Secret0123"), "\(relative)")
        }
    }
}
