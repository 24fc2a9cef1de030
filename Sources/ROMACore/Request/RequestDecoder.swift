import Foundation
import ROMAYAML

/// Decodes and validates an API request body (JSON) with the same rules as manifests.
public enum RequestDecoder {
    /// Decodes a JSON body; on failure returns every issue, the first one being the API's message.
    public static func decode(json body: Data) -> Result<ExecutionRequest, RequestValidationError> {
        let value: JSONValue
        do throws(JSONParser.Failure) {
            // Strict: a repeated key is refused rather than silently resolved one way or the other.
            value = try JSONParser.parseStrict(body)
        } catch {
            let issue =
                if let key = error.duplicateKey {
                    ValidationIssue(mark: .none, path: key, message: "the key appears more than once", kind: .duplicate)
                } else {
                    ValidationIssue(
                        mark: .none, path: "body", message: "is not valid JSON", expected: "a JSON object", kind: .syntax)
                }
            return .failure(RequestValidationError(issues: [issue]))
        }
        return decode(node: YAMLNode(json: value))
    }

    /// Validates a request given as a node tree.
    public static func decode(node: YAMLNode) -> Result<ExecutionRequest, RequestValidationError> {
        var reader = NodeReader()
        guard node.pairs != nil else {
            return .failure(
                RequestValidationError(issues: [
                    ValidationIssue(
                        mark: .none, path: "body", message: "is \(node.typeDescription)", expected: "a JSON object",
                        kind: .invalidType)
                ]))
        }
        let entries = reader.mapping(node, "", allowed: RequestRules.requestKeys) ?? []
        var request = ExecutionRequest(goal: "")
        var hasGoal = false
        for (key, _, value) in entries {
            switch key {
            case "goal":
                hasGoal = true
                request.goal = reader.goal(value, key) ?? ""
            case "max_depth":
                if value.scalar?.value != .null { request.maxDepth = reader.maxDepth(value, key) }
            case "config_profile":
                if value.scalar?.value != .null { request.configProfile = reader.profile(value, key) }
            case "config_overrides":
                if value.scalar?.value != .null { request.configOverrides = reader.overrides(value, key) ?? ConfigOverrides() }
            default:
                if value.scalar?.value != .null { request.metadata = reader.metadata(value, key) ?? [:] }
            }
        }
        if !hasGoal {
            reader.issues.insert(
                ValidationIssue(mark: .none, path: "goal", message: "is required", kind: .missingRequiredField), at: 0)
        }
        return reader.issues.isEmpty ? .success(request) : .failure(RequestValidationError(issues: reader.issues))
    }
}

extension YAMLNode {
    /// Converts a JSON value into a node tree (without source positions).
    public init(json: JSONValue) {
        switch json {
        case .null: self.init(.scalar(YAMLScalar(value: .null)))
        case .bool(let b): self.init(.scalar(YAMLScalar(value: .bool(b))))
        case .int(let i): self.init(.scalar(YAMLScalar(value: .int(i))))
        case .double(let d): self.init(.scalar(YAMLScalar(value: .float(d))))
        case .string(let s): self.init(.scalar(YAMLScalar(value: .string(s))))
        case .array(let items): self.init(.sequence(items.map(YAMLNode.init(json:))))
        case .object(let object):
            self.init(
                .mapping(
                    object.sorted { $0.key < $1.key }.map { key, value in
                        YAMLPair(key: YAMLNode(.scalar(YAMLScalar(value: .string(key)))), value: YAMLNode(json: value))
                    }))
        }
    }
}

/// A request body that broke one or more rules.
public struct RequestValidationError: Error, Sendable, Hashable {
    /// Every rule broken; the first is the API's `message`.
    public var issues: [ValidationIssue]
}
