internal import CYAML

/// Reads YAML text through the system libyaml into `YAMLNode` trees.
///
/// The parser is hardened for untrusted input: it bounds the input size, the nesting depth and
/// how many nodes aliases may expand to, so a hostile file ends in an error, never a hang.
public struct YAMLParser: Sendable {
    /// Safety limits for untrusted input.
    public struct Limits: Sendable, Hashable {
        /// Largest accepted input, in bytes.
        public var maxBytes: Int
        /// Deepest accepted nesting of sequences and mappings.
        public var maxDepth: Int
        /// Most nodes the document may contain once every alias is expanded.
        public var maxExpandedNodes: Int

        /// Creates limits; the defaults fit manifests of hundreds of thousands of goals.
        public init(maxBytes: Int = 16 << 20, maxDepth: Int = 64, maxExpandedNodes: Int = 5_000_000) {
            self.maxBytes = maxBytes
            self.maxDepth = maxDepth
            self.maxExpandedNodes = maxExpandedNodes
        }
    }

    /// The outcome of parsing: the documents, plus errors that did not stop parsing.
    public struct Result: Sendable {
        /// The documents of the stream (an empty document is a null scalar).
        public var documents: [YAMLNode]
        /// Recoverable problems, such as duplicate keys, in source order.
        public var errors: [YAMLError]
    }

    /// The limits in force.
    public var limits: Limits
    /// Whether a stream of several documents is accepted.
    public var allowsMultipleDocuments: Bool

    /// Creates a parser.
    public init(limits: Limits = Limits(), allowsMultipleDocuments: Bool = false) {
        self.limits = limits
        self.allowsMultipleDocuments = allowsMultipleDocuments
    }

    /// Parses a whole YAML stream.
    ///
    /// - Throws: `YAMLError` for problems that stop parsing (syntax, limits, encoding).
    public func parse(_ bytes: [UInt8]) throws(YAMLError) -> Result {
        guard bytes.count <= limits.maxBytes else {
            throw YAMLError(
                code: .tooLarge,
                message: "file is \(bytes.count) bytes, larger than the limit of \(limits.maxBytes) bytes",
                mark: YAMLMark(line: 1, column: 1))
        }
        var builder = TreeBuilder(limits: limits, allowsMultipleDocuments: allowsMultipleDocuments, bytes: bytes)
        try builder.run()
        return Result(documents: builder.documents, errors: builder.errors)
    }

    /// Parses a stream that must hold exactly one document (an empty stream is a null scalar).
    public func parseDocument(_ bytes: [UInt8]) throws(YAMLError) -> (node: YAMLNode, errors: [YAMLError]) {
        let result = try parse(bytes)
        return (result.documents.first ?? YAMLNode(.scalar(YAMLScalar(text: ""))), result.errors)
    }

    /// Parses a string (convenience for tests and inline YAML).
    public func parseDocument(_ text: String) throws(YAMLError) -> (node: YAMLNode, errors: [YAMLError]) {
        try parseDocument(Array(text.utf8))
    }
}

/// Builds the node tree from libyaml's event stream with an explicit stack (no recursion).
private struct TreeBuilder {
    struct Frame {
        var isMapping: Bool
        var mark: YAMLMark
        var anchor: String?
        var items: [YAMLNode] = []
        var pairs: [YAMLPair] = []
        var pendingKey: YAMLNode?
        var keyMarks: [YAMLValue: YAMLMark] = [:]
        var expandedSize = 1
        var path = ""
    }

    let limits: YAMLParser.Limits
    let allowsMultipleDocuments: Bool
    let bytes: [UInt8]
    var documents: [YAMLNode] = []
    var errors: [YAMLError] = []
    var stack: [Frame] = []
    var anchors: [String: (node: YAMLNode, size: Int)] = [:]
    var expandedNodes = 0
    var documentRoot: YAMLNode?

    init(limits: YAMLParser.Limits, allowsMultipleDocuments: Bool, bytes: [UInt8]) {
        self.limits = limits
        self.allowsMultipleDocuments = allowsMultipleDocuments
        self.bytes = bytes
    }

    mutating func run() throws(YAMLError) {
        let parser = UnsafeMutablePointer<yaml_parser_t>.allocate(capacity: 1)
        defer { parser.deallocate() }
        guard yaml_parser_initialize(parser) == 1 else {
            throw YAMLError(code: .syntax, message: "libyaml could not initialise a parser", mark: .none)
        }
        defer { yaml_parser_delete(parser) }

        try bytes.withUnsafeBufferPointer { (buffer) throws(YAMLError) in
            // libyaml reads the buffer lazily, so it must stay alive for the whole loop.
            yaml_parser_set_input_string(parser, buffer.baseAddress, buffer.count)
            var event = yaml_event_t()
            while true {
                guard yaml_parser_parse(parser, &event) == 1 else {
                    throw parserError(parser.pointee)
                }
                defer { yaml_event_delete(&event) }
                if event.type == YAML_STREAM_END_EVENT { break }
                try handle(&event)
            }
        }
    }

    private func mark(_ m: yaml_mark_t) -> YAMLMark {
        YAMLMark(line: Int(m.line) + 1, column: Int(m.column) + 1)
    }

    private func string(_ p: UnsafeMutablePointer<yaml_char_t>?) -> String? {
        guard let p else { return nil }
        return String(cString: UnsafeRawPointer(p).assumingMemoryBound(to: CChar.self))
    }

    private func parserError(_ parser: yaml_parser_t) -> YAMLError {
        let problem = parser.problem.map { String(cString: $0) } ?? "invalid YAML"
        if parser.error == YAML_READER_ERROR {
            return YAMLError(
                code: .invalidEncoding,
                message: "the file is not valid UTF-8 text (\(problem))",
                mark: markForOffset(Int(parser.problem_offset)))
        }
        var message = problem
        if let context = parser.context.map({ String(cString: $0) }) {
            message = "\(problem) \(context)"
        }
        let at = mark(parser.problem_mark)
        if problem.contains("cannot start any token"), at.line >= 1 {
            // libyaml's mark index counts characters, not bytes: locate the byte by line and column.
            if let offset = byteOffset(of: at), offset < bytes.count, bytes[offset] == UInt8(ascii: "\t") {
                message = "tab character used for indentation (YAML allows only spaces)"
            }
        }
        guard parser.context != nil else { return YAMLError(code: .syntax, message: message, mark: at) }
        let context = mark(parser.context_mark)
        if problem.contains("end of stream") {
            // Pointing at the end of the file helps nobody: point at what was left open.
            return YAMLError(
                code: .syntax, message: "\(message) that starts here and is never closed", mark: context,
                relatedMark: at)
        }
        return YAMLError(
            code: .syntax, message: "\(message) (started at line \(context.line), column \(context.column))", mark: at,
            relatedMark: context)
    }

    /// The byte offset of a 1-based (line, column-in-characters) position.
    private func byteOffset(of mark: YAMLMark) -> Int? {
        var line = 1
        var i = 0
        while line < mark.line, i < bytes.count {
            if bytes[i] == UInt8(ascii: "\n") { line += 1 }
            i += 1
        }
        var column = 1
        while column < mark.column, i < bytes.count {
            i += 1
            while i < bytes.count, bytes[i] & 0xC0 == 0x80 { i += 1 }
            column += 1
        }
        return line == mark.line ? i : nil
    }

    private func markForOffset(_ offset: Int) -> YAMLMark {
        var line = 1
        var column = 1
        var i = 0
        let end = min(offset, bytes.count)
        while i < end {
            if bytes[i] == UInt8(ascii: "\n") {
                line += 1
                column = 1
            } else if bytes[i] & 0xC0 != 0x80 {
                column += 1
            }
            i += 1
        }
        return YAMLMark(line: line, column: column)
    }

    private mutating func handle(_ event: inout yaml_event_t) throws(YAMLError) {
        let start = mark(event.start_mark)
        switch event.type {
        case YAML_DOCUMENT_START_EVENT:
            if !documents.isEmpty && !allowsMultipleDocuments {
                throw YAMLError(
                    code: .multipleDocuments,
                    message: "a second YAML document starts here; a manifest is one document",
                    mark: start)
            }
            anchors = [:]
            documentRoot = nil
        case YAML_DOCUMENT_END_EVENT:
            documents.append(documentRoot ?? YAMLNode(.scalar(YAMLScalar(text: "")), mark: start))
        case YAML_ALIAS_EVENT:
            let name = string(event.data.alias.anchor) ?? ""
            guard let target = anchors[name] else {
                throw YAMLError(
                    code: .undefinedAlias, message: "alias '*\(name)' refers to an anchor that is not defined",
                    mark: start)
            }
            var node = target.node
            node.mark = start
            try add(node, size: target.size)
        case YAML_SCALAR_EVENT:
            let s = event.data.scalar
            let text: String
            if let value = s.value {
                text = String(
                    decoding: UnsafeBufferPointer(start: value, count: Int(s.length)), as: UTF8.self)
            } else {
                text = ""
            }
            let style: YAMLScalar.Style =
                switch s.style {
                case YAML_SINGLE_QUOTED_SCALAR_STYLE: .singleQuoted
                case YAML_DOUBLE_QUOTED_SCALAR_STYLE: .doubleQuoted
                case YAML_LITERAL_SCALAR_STYLE: .literal
                case YAML_FOLDED_SCALAR_STYLE: .folded
                default: .plain
                }
            var tag = string(s.tag)
            if tag == "!" { tag = "tag:yaml.org,2002:str" }
            let node = YAMLNode(.scalar(YAMLScalar(text: text, style: style, tag: tag)), mark: start)
            if let anchor = string(s.anchor) { anchors[anchor] = (node, 1) }
            try add(node, size: 1)
        case YAML_SEQUENCE_START_EVENT, YAML_MAPPING_START_EVENT:
            guard stack.count < limits.maxDepth else {
                throw YAMLError(
                    code: .tooDeep,
                    message: "collections are nested more than \(limits.maxDepth) levels deep",
                    mark: start)
            }
            let isMapping = event.type == YAML_MAPPING_START_EVENT
            let anchor = isMapping ? string(event.data.mapping_start.anchor) : string(event.data.sequence_start.anchor)
            var frame = Frame(isMapping: isMapping, mark: start, anchor: anchor)
            frame.path = childPath()
            stack.append(frame)
        case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
            guard var frame = stack.popLast() else { return }
            let node: YAMLNode
            if frame.isMapping {
                applyMergeKeys(&frame)
                node = YAMLNode(.mapping(frame.pairs), mark: frame.mark)
            } else {
                node = YAMLNode(.sequence(frame.items), mark: frame.mark)
            }
            if let anchor = frame.anchor { anchors[anchor] = (node, frame.expandedSize) }
            // The frame's own nodes were counted as they arrived; only its parent needs its size.
            try add(node, size: frame.expandedSize, counted: true)
        default:
            break
        }
    }

    /// The key path of the next node added to the current collection (`goals[0].goal`).
    private func childPath() -> String {
        guard let top = stack.last else { return "" }
        if !top.isMapping { return "\(top.path)[\(top.items.count)]" }
        let key = top.pendingKey?.scalar?.text ?? ""
        return top.path.isEmpty ? key : "\(top.path).\(key)"
    }

    /// Adds a finished node to the collection being built (or makes it the document root).
    private mutating func add(_ node: YAMLNode, size: Int, counted: Bool = false) throws(YAMLError) {
        if !counted {
            expandedNodes += size
            guard expandedNodes <= limits.maxExpandedNodes else {
                throw YAMLError(
                    code: .aliasExpansion,
                    message: "aliases expand to more than \(limits.maxExpandedNodes) nodes (an alias bomb?)",
                    mark: node.mark)
            }
        }
        guard !stack.isEmpty else {
            documentRoot = node
            return
        }
        let top = stack.count - 1
        stack[top].expandedSize += size
        if !stack[top].isMapping {
            stack[top].items.append(node)
            return
        }
        guard let key = stack[top].pendingKey else {
            guard let scalar = node.scalar else {
                errors.append(
                    YAMLError(
                        code: .unsupported, message: "a mapping key must be a scalar, not \(node.typeDescription)",
                        mark: node.mark))
                stack[top].pendingKey = YAMLNode(.scalar(YAMLScalar(text: "\u{0}invalid")), mark: node.mark)
                return
            }
            if scalar.text != "<<" || scalar.style != .plain {
                if let first = stack[top].keyMarks[scalar.value] {
                    errors.append(
                        YAMLError(
                            code: .duplicateKey,
                            message: "duplicate key '\(scalar.text)' (first defined at line \(first.line), column \(first.column))",
                            mark: node.mark, relatedMark: first,
                            keyPath: stack[top].path.isEmpty ? scalar.text : "\(stack[top].path).\(scalar.text)"))
                } else {
                    stack[top].keyMarks[scalar.value] = node.mark
                }
            }
            stack[top].pendingKey = node
            return
        }
        stack[top].pendingKey = nil
        stack[top].pairs.append(YAMLPair(key: key, value: node))
    }

    /// Applies YAML merge keys (`<<: *anchor`): merged keys never override explicit ones.
    private func applyMergeKeys(_ frame: inout Frame) {
        guard frame.pairs.contains(where: { $0.key.scalar?.text == "<<" && $0.key.scalar?.style == .plain }) else {
            return
        }
        var result: [YAMLPair] = []
        var present = Set(frame.keyMarks.keys)
        for pair in frame.pairs {
            guard pair.key.scalar?.text == "<<", pair.key.scalar?.style == .plain else {
                result.append(pair)
                continue
            }
            let sources: [YAMLNode] = pair.value.items ?? [pair.value]
            for source in sources {
                for merged in source.pairs ?? [] {
                    guard let value = merged.key.scalar?.value, !present.contains(value) else { continue }
                    present.insert(value)
                    result.append(merged)
                }
            }
        }
        frame.pairs = result
    }
}
