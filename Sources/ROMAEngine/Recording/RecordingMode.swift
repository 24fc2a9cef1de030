/// How a run uses the calls recorded in the results tree.
public enum RecordingMode: String, Sendable, Hashable, Codable, CaseIterable {
    /// Call the provider for every call and store each one (the default).
    case record
    /// Answer from stored calls; call the provider on a miss and store it.
    case replay
    /// Answer from stored calls only; a miss is an error and no network is touched.
    case offline
}
