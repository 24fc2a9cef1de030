import ROMACore
import ROMAEngine

extension BatchRunner {
    /// A manifest with the models its goals in this run use.
    struct ManifestModels {
        var manifest: Manifest
        var models: Set<String>
    }

    /// One note per manifest naming the models its goals use that `pricing:` has no price for:
    /// their cost is reported as `null` (unknown is not zero), and `max_cost_usd` counts them as 0.
    ///
    /// - Parameter manifests: each manifest with the models its goals use, in the notes' order.
    func unpricedModelNotes(_ manifests: [ManifestModels]) -> [String] {
        guard options.mode == .local else { return [] }
        var notes: [String] = []
        var seen: Set<String> = []
        for entry in manifests {
            let configuration = engineConfiguration(entry.manifest)
            let unpriced = entry.models.filter { configuration.pricing.prices[$0] == nil && !seen.contains($0) }.sorted()
            guard !unpriced.isEmpty else { continue }
            seen.formUnion(unpriced)
            var note =
                "\(entry.manifest.name): no price for \(unpriced.map { "'\($0)'" }.joined(separator: ", ")) in pricing:; "
                + "\(unpriced.count == 1 ? "its" : "their") cost is reported as null (unknown)"
            if configuration.maxCostUSD != nil { note += " and max_cost_usd counts \(unpriced.count == 1 ? "it" : "them") as 0" }
            notes.append(note)
        }
        return notes
    }
}
