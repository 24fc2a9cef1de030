/// Node ids are paths: `node_0` is the root, `node_0_2` its second subtask.
public enum NodePath {
    /// The root's id.
    public static let root = "node_0"

    /// The id of subtask `index` (0-based) of `parent`.
    public static func child(of parent: String, index: Int) -> String { "\(parent)_\(index + 1)" }

    /// The numeric components of an id, for ordering.
    public static func components(_ id: String) -> [Int] {
        id.split(separator: "_").dropFirst().compactMap { Int($0) }
    }

    /// The parent's id: `node_0_2` → `node_0`; the root has none.
    public static func parent(of id: String) -> String? {
        guard let underscore = id.lastIndex(of: "_"), id.filter({ $0 == "_" }).count > 1 else { return nil }
        return String(id[..<underscore])
    }

    /// The ids from the root down to `id`.
    public static func lineage(_ id: String) -> [String] {
        let parts = id.split(separator: "_").map(String.init)
        guard parts.count >= 2 else { return [id] }
        return (2...parts.count).map { parts[0..<$0].joined(separator: "_") }
    }
}
