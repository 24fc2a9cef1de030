/// The part of a source line a diagnostic shows: the whole line when it is short, otherwise a
/// window around the column with "…" where text was cut.
///
/// Clipping bounds what one diagnostic costs: a flow-style manifest can put thousands of errors
/// on one line of hundreds of kilobytes, and each diagnostic would otherwise carry (and
/// `roma validate` print) a copy of all of it.
public struct SourceExcerpt: Sendable, Hashable {
    /// Lines of up to this many Unicode scalars are shown whole; longer ones are clipped to at
    /// most this many, markers included.
    public static let maxWidth = 240
    /// The marker standing for text cut from either end of a clipped line.
    public static let ellipsis: Unicode.Scalar = "…"

    /// The text shown: the line, or a window of it with `…` on each cut side.
    public var text: String
    /// The 1-based column (in Unicode scalars) of the located character within `text`, when the
    /// line was clipped; `nil` when `text` is the whole line and the diagnostic's column applies.
    public var caretColumn: Int?

    /// The excerpt of `line` for a diagnostic at the 1-based `column` (in Unicode scalars, as
    /// libyaml counts them; 0 when unknown).
    public init(line: some StringProtocol, column: Int) {
        let scalars = line.unicodeScalars
        if scalars.count <= Self.maxWidth {
            self.init(text: String(line), caretColumn: nil)
        } else {
            self.init(scalars: Array(scalars)[...], column: column)
        }
    }

    /// The excerpt of a line given as its Unicode scalars; callers that place many diagnostics on
    /// one long line decode it once and pass the same array each time.
    init(scalars: ArraySlice<Unicode.Scalar>, column: Int) {
        let count = scalars.count
        guard count > Self.maxWidth else {
            var text = ""
            text.unicodeScalars.append(contentsOf: scalars)
            self.init(text: text, caretColumn: nil)
            return
        }
        // The window keeps room for a marker on each side and puts the column near its middle;
        // near either end of the line it slides so no marker is spent on that side.
        let window = Self.maxWidth - 2
        let offset = min(max(column - 1, 0), count)  // a column just past the end is allowed
        var start = max(0, offset - window / 2)
        var end = min(count, start + window)
        if end - start < window { start = max(0, end - window) }
        if start == 0 { end = min(count, Self.maxWidth - 1) }
        if end == count { start = max(0, count - (Self.maxWidth - 1)) }
        var text = ""
        text.unicodeScalars.reserveCapacity(end - start + 2)
        if start > 0 { text.unicodeScalars.append(Self.ellipsis) }
        let base = scalars.startIndex
        text.unicodeScalars.append(contentsOf: scalars[(base + start)..<(base + end)])
        if end < count { text.unicodeScalars.append(Self.ellipsis) }
        self.init(text: text, caretColumn: offset - start + (start > 0 ? 1 : 0) + 1)
    }

    private init(text: String, caretColumn: Int?) {
        self.text = text
        self.caretColumn = caretColumn
    }
}
