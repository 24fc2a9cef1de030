/// What something cost in US dollars, or `unknown` when a model it used has no price.
///
/// Written as a number or as `null`: an unknown cost is never reported as 0.
public enum CostUSD: Sendable, Hashable, Codable {
    /// A model without a price was used.
    case unknown
    /// The cost in US dollars.
    case usd(Double)

    /// Nothing spent yet.
    public static let zero = CostUSD.usd(0)

    /// The dollars, or nil when unknown.
    public var dollars: Double? {
        if case .usd(let value) = self { return value }
        return nil
    }

    /// The sum; unknown when either part is unknown.
    public static func + (lhs: CostUSD, rhs: CostUSD) -> CostUSD {
        guard case .usd(let a) = lhs, case .usd(let b) = rhs else { return .unknown }
        return .usd(rounded(a + b))
    }

    /// Rounds to 1e-10 dollars (finer than one token of any priced model), so sums in a different
    /// order give the same figure and files show no floating-point noise.
    public static func rounded(_ value: Double) -> Double { (value * 1e10).rounded() / 1e10 }

    /// Decodes a number or `null`.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        self = container.decodeNil() ? .unknown : .usd(try container.decode(Double.self))
    }

    /// Encodes a number or `null`.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .unknown: try container.encodeNil()
        case .usd(let value): try container.encode(value)
        }
    }
}

extension KeyedDecodingContainer {
    /// A cost that may be absent (nil: not reported) or `null` (`.unknown`: a model had no price).
    /// A synthesized `decodeIfPresent` would read both as nil and lose the `null` on a round trip.
    public func decodeCost(forKey key: Key) throws -> CostUSD? {
        contains(key) ? try decode(CostUSD.self, forKey: key) : nil
    }
}
