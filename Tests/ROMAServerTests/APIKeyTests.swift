import Foundation
import ROMACore
import Testing

@testable import ROMAServer

@Suite("API keys")
struct APIKeyTests {
    @Test func keysHaveTheDocumentedShapeAndAreStoredHashed() async throws {
        let (secret, record) = APIKeySecret.makeKey(name: "ci", now: Date(timeIntervalSince1970: 0))
        #expect(secret.wholeMatch(of: /sk_live_[A-Za-z0-9]{32}/) != nil)
        #expect(APIKeySecret.isWellFormed(secret))
        #expect(record.hash == SHA256.hex(secret))
        #expect(!record.hash.contains(secret))
        #expect(record.prefix == String(secret.prefix(16)))
        #expect(record.id.wholeMatch(of: /key_[a-z0-9]{12}/) != nil)
        #expect(APIKeySecret.makeKey(now: Date()).secret != secret)
    }

    @Test(arguments: [
        ("abc", "abc", true), ("abc", "abd", false), ("abc", "ab", false), ("", "", true),
    ])
    func constantTimeComparison(_ a: String, _ b: String, _ equal: Bool) {
        #expect(APIKeySecret.constantTimeEquals(a, b) == equal)
    }

    @Test func revokeByIdOrPrefix() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("keys-\(UUID().uuidString).sqlite").path
        let store = try SQLiteExecutionStore(path: path)
        let (first, firstRecord) = APIKeySecret.makeKey(now: Date())
        let (_, secondRecord) = APIKeySecret.makeKey(now: Date())
        try await store.insertKey(firstRecord)
        try await store.insertKey(secondRecord)
        #expect(try await store.keys().count == 2)
        let revoked = try await store.revokeKey(idOrPrefix: APIKeySecret.prefix(of: first), at: "2025-11-11T10:30:00.000Z")
        #expect(revoked?.id == firstRecord.id)
        #expect(revoked?.revokedAt == "2025-11-11T10:30:00.000Z")
        #expect(try await store.revokeKey(idOrPrefix: secondRecord.id, at: "2025-11-11T10:31:00.000Z")?.id == secondRecord.id)
        #expect(try await store.revokeKey(idOrPrefix: "key_doesnotexist", at: "x") == nil)
        #expect(try await store.keys().allSatisfy { !$0.isActive })
    }
}
