/// A node of a parsed YAML document, with the position it was written at.
///
/// The tree is a value: aliases share their anchor's storage, so a document with many
/// aliases costs no more memory than its text (the parser bounds how far they expand).
public struct YAMLNode: Sendable, Hashable {
    /// What the node holds.
    public indirect enum Kind: Sendable, Hashable {
        case scalar(YAMLScalar)
        case sequence([YAMLNode])
        case mapping([YAMLPair])
    }

    /// What the node holds.
    public var kind: Kind
    /// Where the node starts in the source (1-based).
    public var mark: YAMLMark

    /// Creates a node.
    public init(_ kind: Kind, mark: YAMLMark = .none) {
        self.kind = kind
        self.mark = mark
    }

    /// The scalar, if this node is one.
    public var scalar: YAMLScalar? {
        if case .scalar(let s) = kind { return s }
        return nil
    }

    /// The pairs, if this node is a mapping.
    public var pairs: [YAMLPair]? {
        if case .mapping(let p) = kind { return p }
        return nil
    }

    /// The items, if this node is a sequence.
    public var items: [YAMLNode]? {
        if case .sequence(let items) = kind { return items }
        return nil
    }

    /// The value under a string key, if this node is a mapping that has it.
    public subscript(key: String) -> YAMLNode? {
        pairs?.first(where: { $0.key.scalar?.text == key })?.value
    }

    /// A short description of the node's type for error messages.
    public var typeDescription: String {
        switch kind {
        case .scalar(let s): s.value.typeDescription
        case .sequence: "a list"
        case .mapping: "a mapping"
        }
    }
}

/// One `key: value` entry of a mapping, in source order.
public struct YAMLPair: Sendable, Hashable {
    /// The key node.
    public var key: YAMLNode
    /// The value node.
    public var value: YAMLNode

    /// Creates a pair.
    public init(key: YAMLNode, value: YAMLNode) {
        self.key = key
        self.value = value
    }
}
