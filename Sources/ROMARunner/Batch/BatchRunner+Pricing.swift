import ROMACore
import ROMAEngine

extension BatchRunner {
    /// One note per manifest naming the models its goals use that `pricing:` has no price for:
    /// their cost is reported as `null` (unknown is not zero), and `max_cost_usd` counts them as 0.
    func unpricedModelNotes(_ jobs: [Job]) -> [String] {
        guard options.mode == .local else { return [] }
        var notes: [String] = []
        var seen: Set<String> = []
        for manifest in Dictionary(grouping: jobs, by: \.manifest.name).sorted(by: { $0.key < $1.key }) {
            guard let first = manifest.value.first else { continue }
            let configuration = engineConfiguration(first.manifest)
            let models = Set(manifest.value.flatMap(\.request.models))
            let unpriced = models.filter { configuration.pricing.prices[$0] == nil && !seen.contains($0) }.sorted()
            guard !unpriced.isEmpty else { continue }
            seen.formUnion(unpriced)
            var note =
                "\(manifest.key): no price for \(unpriced.map { "'\($0)'" }.joined(separator: ", ")) in pricing:; "
                + "\(unpriced.count == 1 ? "its" : "their") cost is reported as null (unknown)"
            if configuration.maxCostUSD != nil { note += " and max_cost_usd counts \(unpriced.count == 1 ? "it" : "them") as 0" }
            notes.append(note)
        }
        return notes
    }
}
