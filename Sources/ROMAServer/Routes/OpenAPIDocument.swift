import Foundation

/// The OpenAPI 3.1 document of the API, served at `GET /openapi.yaml`.
///
/// The file itself (`Sources/ROMAServer/Resources/openapi.yaml`, linked from the repository
/// root) is the single source of the wire contract; it ships as the target's resource and is
/// read once. `OpenAPITests` hold the router and the response bodies to it.
enum OpenAPIDocument {
    /// The document's text.
    static let yaml: String = {
        guard let url = Bundle.module.url(forResource: "openapi", withExtension: "yaml"),
            let text = try? String(contentsOf: url, encoding: .utf8)
        else {
            // The resource bundle is part of the build product: without it the binary was copied
            // without `roma_ROMAServer.resources` beside it.
            fatalError("roma: openapi.yaml is missing from the ROMAServer resource bundle; install it beside the binary")
        }
        return text
    }()
}
