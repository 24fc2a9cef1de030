import Foundation
import Hummingbird
import ROMACore
import ROMAEngine
import Testing

@testable import ROMAServer

@Suite("openapi.yaml describes exactly the routes the router serves")
struct OpenAPITests {
    /// `METHOD /path` for every operation under `paths:` of the document.
    static func documentedOperations(_ yaml: String) -> Set<String> {
        var operations: Set<String> = []
        var inPaths = false
        var path: String?
        for line in yaml.split(separator: "\n", omittingEmptySubsequences: false) {
            if !line.hasPrefix(" ") {
                inPaths = line == "paths:"
                path = nil
                continue
            }
            guard inPaths else { continue }
            if line.hasPrefix("  /"), !line.hasPrefix("   "), line.hasSuffix(":") {
                path = String(line.dropFirst(2).dropLast())
            } else if let path, line.hasPrefix("    "), !line.hasPrefix("     ") {
                let method = line.trimmingCharacters(in: .whitespaces).dropLast()
                if ["get", "post", "put", "patch", "delete", "options", "head"].contains(String(method)) {
                    operations.insert("\(method.uppercased()) \(path)")
                }
            }
        }
        return operations
    }

    @Test func everyRouteIsDocumentedAndEveryDocumentedRouteIsServed() async throws {
        let store = try SQLiteExecutionStore(
            path: FileManager.default.temporaryDirectory.appendingPathComponent("openapi-\(UUID().uuidString).sqlite").path)
        let server = APIServer(configuration: ServerConfiguration(), store: store, engine: ExecutionEngine(model: OfflineModel()))
        let served = Set(server.makeRouter().routes.map { "\($0.method.rawValue) \($0.path)" })
        let documented = Self.documentedOperations(OpenAPIDocument.yaml)
        #expect(served.count == 7)
        #expect(served == documented, "served only: \(served.subtracting(documented)); documented only: \(documented.subtracting(served))")
    }
}
