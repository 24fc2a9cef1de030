import ROMAYAML

/// Parses one document, failing the test if parsing throws.
func parse(_ text: String, limits: YAMLParser.Limits = .init()) throws -> (node: YAMLNode, errors: [YAMLError]) {
    try YAMLParser(limits: limits).parseDocument(text)
}

/// Parses text that must be rejected and returns the error it was rejected with.
func rejection(_ bytes: [UInt8], parser: YAMLParser = YAMLParser()) -> YAMLError? {
    do {
        _ = try parser.parse(bytes)
        return nil
    } catch {
        return error
    }
}

/// Parses text that must be rejected and returns the error it was rejected with.
func rejection(_ text: String, parser: YAMLParser = YAMLParser()) -> YAMLError? {
    rejection(Array(text.utf8), parser: parser)
}

extension YAMLNode {
    /// The node under a path of mapping keys and sequence indices, e.g. `["goals", 0, "id"]`.
    func at(_ path: [any PathComponent]) -> YAMLNode? {
        var node: YAMLNode? = self
        for component in path {
            node = node.flatMap { component.select(in: $0) }
        }
        return node
    }

    /// The keys of a mapping, in order.
    var keys: [String] { pairs?.compactMap { $0.key.scalar?.text } ?? [] }
}

/// One step of a path into a node tree.
protocol PathComponent: Sendable {
    func select(in node: YAMLNode) -> YAMLNode?
}

extension String: PathComponent {
    func select(in node: YAMLNode) -> YAMLNode? { node[self] }
}

extension Int: PathComponent {
    func select(in node: YAMLNode) -> YAMLNode? {
        guard let items = node.items, indices(items) else { return nil }
        return items[self]
    }

    private func indices(_ items: [YAMLNode]) -> Bool { self >= 0 && self < items.count }
}
