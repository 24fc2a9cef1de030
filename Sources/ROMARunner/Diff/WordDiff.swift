/// A short word-level diff of two answers: the changed runs of words with a little context,
/// at most a few hunks, for a PR comment or a cron mail (not a patch).
public struct WordDiff: Sendable, Hashable {
    /// A run of words: the same in both, only in the old text, or only in the new.
    public enum Part: Sendable, Hashable {
        case same([String])
        case removed([String])
        case added([String])
    }

    /// The parts of each hunk, context included.
    public var hunks: [[Part]]
    /// Words only in the old text and only in the new, over the whole answer.
    public var removedWords: Int
    public var addedWords: Int
    /// Hunks left out after `maxHunks`.
    public var moreHunks: Int
    /// Whether the first hunk starts at the text's first word, and the last shown one ends at its
    /// last word (no "…" is drawn there).
    var startsAtBeginning = false
    var endsAtEnd = false

    /// Answers longer than this many words are not diffed word by word (the cost grows with
    /// length times the number of differences); the diff then says how many words each has.
    public static let maxWords = 5_000

    /// Diffs `old` and `new` word by word; nil when either is over `maxWords` words.
    public init?(old: String, new: String, context: Int = 4, maxHunks: Int = 3) {
        let a = old.split(whereSeparator: \.isWhitespace).map(String.init)
        let b = new.split(whereSeparator: \.isWhitespace).map(String.init)
        guard a.count <= Self.maxWords, b.count <= Self.maxWords else { return nil }
        var removed = Set<Int>()
        var added = Set<Int>()
        for change in b.difference(from: a) {
            switch change {
            case .remove(let offset, _, _): removed.insert(offset)
            case .insert(let offset, _, _): added.insert(offset)
            }
        }
        // Walk both texts: a word kept in both advances both sides.
        var parts: [Part] = []
        func push(_ part: Part) {
            switch (parts.last, part) {
            case (.same(let x)?, .same(let y)): parts[parts.count - 1] = .same(x + y)
            case (.removed(let x)?, .removed(let y)): parts[parts.count - 1] = .removed(x + y)
            case (.added(let x)?, .added(let y)): parts[parts.count - 1] = .added(x + y)
            default: parts.append(part)
            }
        }
        var i = 0
        var j = 0
        while i < a.count || j < b.count {
            if i < a.count, removed.contains(i) {
                push(.removed([a[i]]))
                i += 1
            } else if j < b.count, added.contains(j) {
                push(.added([b[j]]))
                j += 1
            } else if i < a.count, j < b.count {
                push(.same([a[i]]))
                i += 1
                j += 1
            } else {
                break  // unreachable: the two sides' kept words correspond one to one
            }
        }
        if case .same(let words)? = parts.first { startsAtBeginning = words.count <= context } else { startsAtBeginning = true }
        if case .same(let words)? = parts.last { endsAtEnd = words.count <= context } else { endsAtEnd = true }
        // Cut long unchanged runs down to their context, splitting hunks there.
        var hunks: [[Part]] = []
        var current: [Part] = []
        for (index, part) in parts.enumerated() {
            guard case .same(let words) = part else {
                current.append(part)
                continue
            }
            let first = index == 0
            let last = index == parts.count - 1
            if first {
                if !last { current.append(.same(Array(words.suffix(context)))) }
            } else if last {
                current.append(.same(Array(words.prefix(context))))
            } else if words.count > 2 * context {
                current.append(.same(Array(words.prefix(context))))
                hunks.append(current)
                current = [.same(Array(words.suffix(context)))]
            } else {
                current.append(part)
            }
        }
        if current.contains(where: { if case .same = $0 { false } else { true } }) { hunks.append(current) }
        self.hunks = Array(hunks.prefix(maxHunks))
        self.moreHunks = max(0, hunks.count - maxHunks)
        if hunks.count > maxHunks { endsAtEnd = false }
        self.removedWords = removed.count
        self.addedWords = added.count
    }

    /// Markdown: `… the price ~~rose~~ **fell** sharply …`, hunks separated by ` … `; "…" marks
    /// words left out.
    public var markdown: String {
        render(removed: { "~~\($0)~~" }, added: { "**\($0)**" }, escape: Self.escapeMarkdown)
    }

    /// Plain text in git's word-diff style: `… the price [-rose-]{+fell+} sharply …`.
    public var plain: String {
        render(removed: { "[-\($0)-]" }, added: { "{+\($0)+}" }, escape: { $0 })
    }

    private func render(removed: (String) -> String, added: (String) -> String, escape: (String) -> String) -> String {
        var pieces: [String] = []
        for hunk in hunks {
            var words: [String] = []
            for part in hunk {
                switch part {
                case .same(let w): words.append(contentsOf: w.map(escape))
                case .removed(let w): words.append(removed(w.map(escape).joined(separator: " ")))
                case .added(let w): words.append(added(w.map(escape).joined(separator: " ")))
                }
            }
            pieces.append(words.joined(separator: " "))
        }
        var text = (startsAtBeginning ? "" : "… ") + pieces.joined(separator: " … ") + (endsAtEnd ? "" : " …")
        if moreHunks > 0 { text += " (\(moreHunks) more change\(moreHunks == 1 ? "" : "s"))" }
        return text
    }

    /// A word with Markdown's inline markers escaped, so answers cannot break the diff's markup.
    static func escapeMarkdown(_ word: String) -> String {
        var out = ""
        for c in word {
            if "\\*_~`|<>[]#".contains(c) { out.append("\\") }
            out.append(c)
        }
        return out
    }
}
