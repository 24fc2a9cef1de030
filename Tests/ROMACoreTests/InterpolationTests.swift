import ROMACore
import Testing

@Suite("${VAR} interpolation")
struct InterpolationTests {
    static let environment = ["TOPIC": "batteries", "EMPTY": "", "_UNDER1": "u", "A": "a"]

    @Test(
        "expands",
        arguments: [
            ("no references", "no references"),
            ("${TOPIC}", "batteries"),
            ("Research ${TOPIC} now", "Research batteries now"),
            ("${A}${A}-${TOPIC}", "aa-batteries"),
            ("${_UNDER1}", "u"),
            ("${EMPTY}", ""),
            ("${MISSING:-fallback}", "fallback"),
            ("${EMPTY:-fallback}", "fallback"),
            ("${TOPIC:-fallback}", "batteries"),
            ("${MISSING:-}", ""),
            ("${MISSING:-a:-b}", "a:-b"),
            ("${MISSING:-with spaces and $}", "with spaces and $"),
            ("$${TOPIC}", "${TOPIC}"),
            ("cost: $${X} and ${A}", "cost: ${X} and a"),
            ("$TOPIC", "$TOPIC"),
            ("price $5", "price $5"),
            ("trailing $", "trailing $"),
            ("$$", "$$"),
            ("é ${A} 😀", "é a 😀"),
        ])
    func expands(_ text: String, _ expected: String) {
        #expect(Interpolation.expand(text, environment: Self.environment) == .success(expected))
    }

    @Test(
        "fails",
        arguments: [
            ("${MISSING}", "environment variable 'MISSING' is not set and has no default"),
            ("a ${TOPIC} b ${NOPE}", "environment variable 'NOPE' is not set and has no default"),
            ("${TOPIC", "unterminated '${' reference"),
            ("${}", "'${}' is not a valid variable reference"),
            ("${1ABC}", "'${1ABC}' is not a valid variable reference"),
            ("${A B}", "'${A B}' is not a valid variable reference"),
            ("${A-B}", "'${A-B}' is not a valid variable reference"),
            ("${:-x}", "'${:-x}' is not a valid variable reference"),
        ])
    func fails(_ text: String, _ message: String) {
        switch Interpolation.expand(text, environment: Self.environment) {
        case .success(let expanded): Issue.record("expanded to \(expanded.debugDescription)")
        case .failure(let failure): #expect(failure.message == message)
        }
    }

    @Test("variables are case-sensitive")
    func caseSensitive() {
        #expect(Interpolation.expand("${topic:-lower}", environment: Self.environment) == .success("lower"))
    }
}

@Suite("Did-you-mean suggestions")
struct SuggestionTests {
    @Test(
        "close misspellings are suggested",
        arguments: [
            ("max_dept", "max_depth"), ("temprature", "temperature"), ("gaols", "goals"), ("GOALS", "goals"),
            ("hig_quality", "high_quality"), ("crypto", nil), ("xyz", nil), ("fats", "fast"),
        ] as [(String, String?)])
    func closest(_ word: String, _ expected: String?) {
        let candidates = ["goals", "max_depth", "temperature", "high_quality", "crypto_agent", "fast"]
        #expect(Suggestion.closest(to: word, in: candidates) == expected)
    }

    @Test("edit distance counts a swap of neighbours as one edit")
    func distance() {
        #expect(Suggestion.distance("kitten", "sitting") == 3)
        #expect(Suggestion.distance("ab", "ba") == 1)
        #expect(Suggestion.distance("", "abc") == 3)
        #expect(Suggestion.distance("same", "same") == 0)
    }

    @Test("no candidates, no suggestion")
    func empty() {
        #expect(Suggestion.closest(to: "x", in: [String]()) == nil)
    }
}
