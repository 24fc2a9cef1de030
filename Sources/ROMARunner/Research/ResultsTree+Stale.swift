import Foundation
import ROMACore

extension ResultsTree {
    /// Goal folders of the tree whose goal is no longer in the manifest (a removed goal, a value
    /// taken out of a matrix or `vars:` list), sorted by name.
    ///
    /// They are reported, never deleted or rewritten: their results stay in git as they were.
    public func foldersNotIn(_ manifest: Manifest) -> [String] {
        let ids = Set(manifest.goals.map(\.id))
        let fm = FileManager.default
        let names = (try? fm.contentsOfDirectory(atPath: root.path)) ?? []
        return names.filter { name in
            guard !name.hasPrefix("."), !ids.contains(name) else { return false }
            let folder = root.appendingPathComponent(name, isDirectory: true)
            return File.all.contains { fm.fileExists(atPath: folder.appendingPathComponent($0).path) }
        }.sorted()
    }
}
