/// Prices by the provider's model name (`pricing:` in a manifest or the server's config).
public struct Pricing: Sendable, Hashable {
    /// USD per million input (prompt) and output (completion) tokens of one model.
    public struct Price: Sendable, Hashable {
        /// USD per million input tokens.
        public var input: Double
        /// USD per million output tokens.
        public var output: Double

        /// Creates a price.
        public init(input: Double, output: Double) {
            self.input = input
            self.output = output
        }
    }

    /// Prices by model name.
    public var prices: [String: Price]

    /// Creates a price list.
    public init(_ prices: [String: Price] = [:]) {
        self.prices = prices
    }

    /// What a call with these token counts cost on a model; unknown when the model has no price.
    public func cost(model: String, inputTokens: Int, outputTokens: Int) -> CostUSD {
        guard let price = prices[model] else { return .unknown }
        return .usd(CostUSD.rounded((Double(inputTokens) * price.input + Double(outputTokens) * price.output) / 1_000_000))
    }

    /// This list with `other`'s prices added; `other` wins for a model both price.
    public func merging(_ other: Pricing) -> Pricing {
        Pricing(prices.merging(other.prices) { _, new in new })
    }
}
