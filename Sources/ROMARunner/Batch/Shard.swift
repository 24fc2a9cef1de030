import ROMACore

/// A stable, hash-assigned slice of a batch: goal ids hash to one of `count` shards.
public struct Shard: Sendable, Hashable, CustomStringConvertible {
    /// This shard's index, 0-based (as Kubernetes' `JOB_COMPLETION_INDEX`).
    public var index: Int
    /// How many shards there are.
    public var count: Int

    /// Creates a shard; `index` must be in `0..<count`.
    public init?(index: Int, count: Int) {
        guard count >= 1, (0..<count).contains(index) else { return nil }
        self.index = index
        self.count = count
    }

    /// Parses `I/N`.
    public init?(_ text: String) {
        let parts = text.split(separator: "/")
        guard parts.count == 2, let i = Int(parts[0]), let n = Int(parts[1]) else { return nil }
        self.init(index: i, count: n)
    }

    /// The shard from the environment: `ROMA_SHARD` (`I/N`), or an index from `JOB_COMPLETION_INDEX`
    /// or `SLURM_ARRAY_TASK_ID` with the count from `ROMA_SHARD_COUNT` (or `SLURM_ARRAY_TASK_COUNT`).
    public static func fromEnvironment(_ environment: [String: String]) -> Shard? {
        if let text = environment["ROMA_SHARD"] { return Shard(text) }
        guard let index = (environment["JOB_COMPLETION_INDEX"] ?? environment["SLURM_ARRAY_TASK_ID"]).flatMap({ Int($0) }),
            let count = (environment["ROMA_SHARD_COUNT"] ?? environment["SLURM_ARRAY_TASK_COUNT"]).flatMap({ Int($0) })
        else { return nil }
        return Shard(index: index, count: count)
    }

    /// Whether a goal belongs to this shard (the assignment depends only on the manifest name and goal id).
    public func contains(manifest: String, goalID: String) -> Bool {
        let digest = SHA256.hex(manifest + "/" + goalID)
        let value = UInt64(digest.prefix(15), radix: 16) ?? 0
        return Int(value % UInt64(count)) == index
    }

    public var description: String { "\(index)/\(count)" }
}
