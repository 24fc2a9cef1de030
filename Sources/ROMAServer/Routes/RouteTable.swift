import Hummingbird

/// The server's paths and the methods each accepts, so a known path asked with another method
/// is answered 405 with `Allow` rather than 404.
struct RouteTable: Sendable {
    private struct Entry: Sendable {
        /// Path segments; `{name}` matches any one segment.
        let segments: [Substring]
        var methods: [HTTPRequest.Method]
    }
    private var entries: [Entry] = []

    /// Creates a table of `(method, path)` pairs; paths use `{name}` for a parameter segment.
    init(_ routes: [(method: HTTPRequest.Method, path: String)]) {
        for route in routes {
            let segments = route.path.split(separator: "/")
            if let index = entries.firstIndex(where: { $0.segments == segments }) {
                entries[index].methods.append(route.method)
            } else {
                entries.append(Entry(segments: segments, methods: [route.method]))
            }
        }
    }

    /// The methods `path` accepts, or nil when no route has that path.
    func methods(for path: String) -> [HTTPRequest.Method]? {
        let segments = path.split(separator: "/")
        let matching = entries.filter { entry in
            entry.segments.count == segments.count
                && zip(entry.segments, segments).allSatisfy { pattern, segment in
                    pattern == segment || (pattern.hasPrefix("{") && pattern.hasSuffix("}"))
                }
        }
        guard !matching.isEmpty else { return nil }
        return matching.flatMap(\.methods)
    }
}

/// Answers a known path asked with a method it does not take: 405 `invalid_request`, with
/// `Allow` listing its methods (and `OPTIONS`, which every path answers as a CORS preflight).
struct MethodGuardMiddleware: RouterMiddleware {
    typealias Context = APIRequestContext

    let table: RouteTable

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        // The router answers every known method-and-path pair, so the table is consulted only
        // when it found no route (not on the hot path).
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound {
            guard request.method != .options, let methods = table.methods(for: request.uri.path), !methods.contains(request.method)
            else { throw error }
            throw Self.methodNotAllowed(request.method, allowed: methods)
        }
    }

    private static func methodNotAllowed(_ method: HTTPRequest.Method, allowed methods: [HTTPRequest.Method]) -> ServerError {
        let allowed = (methods.map(\.rawValue) + ["OPTIONS"]).joined(separator: ", ")
        return ServerError(
            .invalidRequest, status: .methodNotAllowed, message: "Method \(method.rawValue) is not allowed on this path",
            details: .object(["field": .string("method"), "issue": .string("invalid_value"), "allowed": .string(allowed)]),
            headers: [.allow: allowed])
    }
}
