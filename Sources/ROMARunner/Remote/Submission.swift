import Foundation
import ROMACore

/// A remote execution a run submitted for a goal, kept at `<tree>/.remote/<goal>.json` until the
/// goal's folder is written, so a run that dies re-attaches instead of submitting again.
public struct Submission: Sendable, Hashable, Codable {
    public var executionId: String
    /// The request hash the execution was created for.
    public var contentHash: String
    /// The `X-Idempotency-Key` sent.
    public var idempotencyKey: String
    /// 1 for the first submission; a failed or cancelled execution is resubmitted with the next.
    public var attempt: Int
    public var baseUrl: String

    enum CodingKeys: String, CodingKey {
        case attempt
        case executionId = "execution_id"
        case contentHash = "content_hash"
        case idempotencyKey = "idempotency_key"
        case baseUrl = "base_url"
    }

    /// The idempotency key of an attempt: derived from the goal's content, so a retried or
    /// re-run submission never starts a second execution.
    public static func idempotencyKey(manifest: String, goal: String, contentHash: String, attempt: Int) -> String {
        "roma-" + SHA256.hex("\(manifest)/\(goal)/\(contentHash)/\(attempt)").prefix(40)
    }
}

extension ResultsTree {
    /// The folder of submission records.
    public var submissionsFolder: URL { root.appendingPathComponent(".remote", isDirectory: true) }

    /// The submission record of a goal.
    public func submission(_ id: String) -> Submission? {
        FileManager.default.contents(atPath: submissionsFolder.appendingPathComponent("\(id).json").path)
            .flatMap { try? CanonicalJSON.decode(Submission.self, from: $0) }
    }

    /// Every submission record of the tree, by goal id.
    public func submissions() -> [String: Submission] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: submissionsFolder.path)) ?? []
        var result: [String: Submission] = [:]
        for name in names where name.hasSuffix(".json") {
            let id = String(name.dropLast(5))
            if let submission = submission(id) { result[id] = submission }
        }
        return result
    }

    /// Records a submission durably (temp file, fsync, rename).
    public func record(_ submission: Submission, for id: String) throws {
        let folder = submissionsFolder.path
        try fileSystem.makeDirectory(folder)
        try writeAtomically(
            try CanonicalJSON.encode(submission), to: "\(folder)/\(id).json",
            temporary: "\(folder)/.tmp-\(owner)-\(UUID().uuidString.prefix(8).lowercased())-\(id)")
        try fileSystem.syncDirectory(folder)
    }

    /// Forgets a goal's submission (its folder now holds the result).
    public func removeSubmission(_ id: String) {
        try? FileManager.default.removeItem(at: submissionsFolder.appendingPathComponent("\(id).json"))
        if (try? FileManager.default.contentsOfDirectory(atPath: submissionsFolder.path))?.isEmpty == true {
            try? FileManager.default.removeItem(at: submissionsFolder)
        }
    }
}
