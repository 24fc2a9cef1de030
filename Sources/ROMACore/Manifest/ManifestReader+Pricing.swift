import ROMAYAML

extension ManifestReader {
    /// Reads `pricing:`: per model name, `{input: USD, output: USD}` per million tokens.
    mutating func readPricing(_ node: YAMLNode) -> Pricing {
        var prices: [String: Pricing.Price] = [:]
        for (model, _, value) in nodes.mapping(node, "pricing", allowed: nil) ?? [] {
            let path = "pricing." + model
            guard let entries = nodes.mapping(value, path, allowed: ["input", "output"]) else { continue }
            var input: Double?
            var output: Double?
            for (key, _, number) in entries {
                let price = nodes.number(number, path + "." + key, in: 0...10_000)
                if key == "input" { input = price } else { output = price }
            }
            for (key, price) in [("input", input), ("output", output)] where price == nil && !entries.contains(where: { $0.key == key }) {
                nodes.fail(
                    value.mark, path + "." + key, "is required", expected: "USD per million \(key) tokens",
                    kind: .missingRequiredField)
            }
            if let input, let output { prices[model] = Pricing.Price(input: input, output: output) }
        }
        return Pricing(prices)
    }
}
