/// The body of `GET /executions`.
struct ExecutionPage: Sendable, Hashable, Encodable {
    var data: [ExecutionListItem]
    var pagination: Pagination
}
