import ROMAYAML

/// One list of a `matrix:` or of a template's `vars:`: a name and its values, each with where
/// it was written, so expansion errors can point at the line that caused them.
struct Dimension: Sendable {
    /// What a value sets in the request.
    enum Setting: Sendable, Hashable {
        case variable(String)
        case profile(ConfigProfile)
        case model(String)
        case maxDepth(Int)
        case temperature(Double)
        case maxTokens(Int)
    }

    /// One value of the list.
    struct Value: Sendable {
        var text: String
        var setting: Setting
        var segment: String
        var mark: YAMLMark
    }

    /// The variable's name or the matrix key.
    var name: String
    /// Whether this is a template variable (`vars:`) rather than a matrix key.
    var isVariable: Bool
    /// Where the name was written.
    var keyMark: YAMLMark
    /// The values, in file order.
    var values: [Value]

    /// The keys a `matrix:` may vary: a profile, a model (`config_overrides.model`), a depth, and
    /// the other `config_overrides` keys.
    static let matrixKeys = ["config_profile", "model", "max_depth", "temperature", "max_tokens"]

    /// Sets this value in a request (template variables are substituted into the goal text instead).
    static func apply(_ setting: Setting, to request: inout ExecutionRequest) {
        switch setting {
        case .variable: break
        case .profile(let profile): request.configProfile = profile
        case .model(let model): request.configOverrides.model = model
        case .maxDepth(let depth): request.maxDepth = depth
        case .temperature(let temperature): request.configOverrides.temperature = temperature
        case .maxTokens(let tokens): request.configOverrides.maxTokens = tokens
        }
    }

    /// The number of combinations of `dimensions`, or nil past `cap`.
    static func combinations(_ dimensions: [Dimension], cap: Int) -> Int? {
        var count = 1
        for dimension in dimensions {
            let (product, overflow) = count.multipliedReportingOverflow(by: dimension.values.count)
            if overflow || product > cap { return nil }
            count = product
        }
        return count
    }

    /// `2 coin × 3 config_profile`.
    static func describe(_ dimensions: [Dimension]) -> String {
        dimensions.map { "\($0.values.count) \($0.name)" }.joined(separator: " × ")
    }

    /// Every combination, the last dimension varying fastest (file order of the lists).
    static func product(_ dimensions: [Dimension]) -> [[Value]] {
        var result: [[Value]] = [[]]
        for dimension in dimensions {
            result = result.flatMap { prefix in dimension.values.map { prefix + [$0] } }
        }
        return result
    }
}
