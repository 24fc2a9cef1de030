import Foundation
import ROMACore

extension Summary {
    /// The sections research runs add to `index.md` after the goal table: a comparison table per
    /// goal template, and the goal folders no longer in the manifest (kept, not rewritten).
    public func researchSections(manifest: Manifest, tree: ResultsTree) -> [String] {
        var sections: [String] = []
        if !manifest.templates.isEmpty {
            var rows: [String: JSONValue] = [:]
            let encoded = (try? CanonicalJSON.pretty(self)).flatMap { try? JSONDecoder().decode(JSONValue.self, from: $0) }
            for row in encoded?["goals"]?.arrayValue ?? [] {
                if let id = row["id"]?.stringValue { rows[id] = row }
            }
            sections.append(ComparisonTable.markdown(manifest: manifest, rows: rows))
        }
        let stale = tree.foldersNotIn(manifest)
        if !stale.isEmpty {
            sections.append(
                "## No longer in the manifest\n\nThese folders hold results of goals the manifest no longer has; they are kept as they were and not rewritten.\n\n"
                    + stale.map { "- [\($0)](\($0)/result.md)\n" }.joined())
        }
        return sections
    }
}
