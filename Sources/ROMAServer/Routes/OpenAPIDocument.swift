/// The OpenAPI 3.1 document of the API, served at `GET /openapi.yaml`.
///
/// A copy of `openapi.yaml` at the repository root; a test keeps the two identical.
enum OpenAPIDocument {
    static let yaml = #"""
        openapi: 3.1.0
        info:
          title: ROMA API (roma serve)
          version: 1.0.0
          summary: Recursive decomposition executions over the local engine.
          description: |
            The ROMA API as implemented by `roma serve`. Every endpoint under `/api/v1` needs an
            `X-API-Key`; each authenticated request counts once against the key's daily limit, and
            every response carries `X-RateLimit-Limit`, `X-RateLimit-Remaining`, `X-RateLimit-Reset`
            (epoch seconds of the next UTC midnight) and `X-Request-ID`. Errors use one envelope:
            `{"error": {"code", "message", "details"}, "request_id"}`. Responses are gzip-compressed
            when the request sends `Accept-Encoding: gzip` and the body is at least 512 bytes.
          license:
            name: MIT
        servers:
          - url: http://127.0.0.1:8080
        security:
          - apiKey: []
        paths:
          /api/v1/executions:
            post:
              operationId: createExecution
              summary: Create an execution
              description: |
                Validates the request, stores the execution as `running` and starts it in the
                background. With `X-Idempotency-Key`, a repeat of the same key (per API key) within
                24 hours returns the original response and starts nothing. `metadata.webhook_url`
                (http or https) receives a POST when the execution reaches a terminal status.
              parameters:
                - $ref: '#/components/parameters/IdempotencyKey'
              requestBody:
                required: true
                content:
                  application/json:
                    schema:
                      $ref: '#/components/schemas/ExecutionRequest'
              responses:
                '202':
                  description: Execution created (or the original response of an idempotent repeat).
                  headers:
                    X-RateLimit-Limit:
                      $ref: '#/components/headers/RateLimitLimit'
                    X-RateLimit-Remaining:
                      $ref: '#/components/headers/RateLimitRemaining'
                    X-RateLimit-Reset:
                      $ref: '#/components/headers/RateLimitReset'
                    X-Request-ID:
                      $ref: '#/components/headers/RequestID'
                  content:
                    application/json:
                      schema:
                        $ref: '#/components/schemas/ExecutionSummary'
                '400':
                  $ref: '#/components/responses/InvalidRequest'
                '401':
                  $ref: '#/components/responses/Unauthorized'
                '413':
                  $ref: '#/components/responses/PayloadTooLarge'
                '429':
                  $ref: '#/components/responses/RateLimited'
                '500':
                  $ref: '#/components/responses/InternalError'
            get:
              operationId: listExecutions
              summary: List the key's executions
              parameters:
                - name: limit
                  in: query
                  schema: {type: integer, minimum: 1, maximum: 100, default: 20}
                - name: offset
                  in: query
                  schema: {type: integer, minimum: 0, default: 0}
                - name: status
                  in: query
                  schema:
                    $ref: '#/components/schemas/ExecutionStatus'
                - name: profile
                  in: query
                  schema:
                    $ref: '#/components/schemas/ConfigProfile'
                - name: created_after
                  in: query
                  description: Exclusive lower bound on created_at (ISO 8601 date or date-time).
                  schema: {type: string}
                - name: created_before
                  in: query
                  description: Exclusive upper bound on created_at (ISO 8601 date or date-time).
                  schema: {type: string}
                - name: sort
                  in: query
                  schema: {type: string, enum: [created_at, updated_at, status], default: created_at}
                - name: order
                  in: query
                  schema: {type: string, enum: [asc, desc], default: desc}
              responses:
                '200':
                  description: One page of executions.
                  content:
                    application/json:
                      schema:
                        $ref: '#/components/schemas/ExecutionPage'
                '400':
                  $ref: '#/components/responses/InvalidRequest'
                '401':
                  $ref: '#/components/responses/Unauthorized'
                '429':
                  $ref: '#/components/responses/RateLimited'
          /api/v1/executions/{execution_id}:
            get:
              operationId: getExecution
              summary: Execution details, with the DAG
              parameters:
                - $ref: '#/components/parameters/ExecutionID'
              responses:
                '200':
                  description: The execution.
                  content:
                    application/json:
                      schema:
                        $ref: '#/components/schemas/ExecutionDetails'
                '401':
                  $ref: '#/components/responses/Unauthorized'
                '404':
                  $ref: '#/components/responses/NotFound'
                '429':
                  $ref: '#/components/responses/RateLimited'
          /api/v1/executions/{execution_id}/status:
            get:
              operationId: getExecutionStatus
              summary: Poll an execution's status
              parameters:
                - $ref: '#/components/parameters/ExecutionID'
              responses:
                '200':
                  description: The status, shaped by its value (running, completed, failed, cancelled).
                  content:
                    application/json:
                      schema:
                        $ref: '#/components/schemas/ExecutionStatusResponse'
                '401':
                  $ref: '#/components/responses/Unauthorized'
                '404':
                  $ref: '#/components/responses/NotFound'
                '429':
                  $ref: '#/components/responses/RateLimited'
          /api/v1/executions/{execution_id}/cancel:
            post:
              operationId: cancelExecution
              summary: Cancel a running execution
              parameters:
                - $ref: '#/components/parameters/ExecutionID'
              responses:
                '200':
                  description: The execution is now cancelled.
                  content:
                    application/json:
                      schema:
                        $ref: '#/components/schemas/CancelResponse'
                '400':
                  description: The execution has already finished (code `invalid_operation`).
                  content:
                    application/json:
                      schema:
                        $ref: '#/components/schemas/ErrorEnvelope'
                '401':
                  $ref: '#/components/responses/Unauthorized'
                '404':
                  $ref: '#/components/responses/NotFound'
                '429':
                  $ref: '#/components/responses/RateLimited'
          /api/v1/executions/{execution_id}/dag:
            get:
              operationId: getExecutionDAG
              summary: The execution's task DAG
              description: |
                Once the engine has returned, the full DAG (every node, `subtask` and `depends_on`
                edges). While running, the nodes started so far with their `subtask` edges.
              parameters:
                - $ref: '#/components/parameters/ExecutionID'
              responses:
                '200':
                  description: The DAG.
                  content:
                    application/json:
                      schema:
                        $ref: '#/components/schemas/DAGResponse'
                '401':
                  $ref: '#/components/responses/Unauthorized'
                '404':
                  $ref: '#/components/responses/NotFound'
                '429':
                  $ref: '#/components/responses/RateLimited'
          /openapi.yaml:
            get:
              operationId: getOpenAPIDocument
              summary: This document
              security: []
              responses:
                '200':
                  description: The OpenAPI document.
                  content:
                    application/yaml:
                      schema: {type: string}
        components:
          securitySchemes:
            apiKey:
              type: apiKey
              in: header
              name: X-API-Key
          parameters:
            ExecutionID:
              name: execution_id
              in: path
              required: true
              schema: {type: string, pattern: '^exec_[a-z0-9]{16}$'}
            IdempotencyKey:
              name: X-Idempotency-Key
              in: header
              required: false
              description: 1-255 visible ASCII characters, scoped to the API key, remembered 24 hours.
              schema: {type: string, minLength: 1, maxLength: 255}
          headers:
            RateLimitLimit:
              description: Requests allowed per UTC day for this key.
              schema: {type: integer}
            RateLimitRemaining:
              description: Requests left today.
              schema: {type: integer}
            RateLimitReset:
              description: Epoch seconds of the next UTC midnight.
              schema: {type: integer}
            RequestID:
              description: req_ + 16 characters; also in every error body.
              schema: {type: string}
          responses:
            InvalidRequest:
              description: Invalid body, parameter or header (code `invalid_request`, details `{field, issue}`).
              content:
                application/json:
                  schema:
                    $ref: '#/components/schemas/ErrorEnvelope'
            PayloadTooLarge:
              description: Body over 1 MiB (code `invalid_request`, details `{field, issue, limit_bytes}`).
              content:
                application/json:
                  schema:
                    $ref: '#/components/schemas/ErrorEnvelope'
            Unauthorized:
              description: Missing, unknown or revoked API key (code `unauthorized`).
              content:
                application/json:
                  schema:
                    $ref: '#/components/schemas/ErrorEnvelope'
            NotFound:
              description: No such execution for this key (code `not_found`).
              content:
                application/json:
                  schema:
                    $ref: '#/components/schemas/ErrorEnvelope'
            RateLimited:
              description: |
                Code `rate_limit_exceeded`: the daily limit (details `{limit, remaining, reset_at}`)
                or, on create, the concurrent-execution cap (details `{limit, running}`).
              content:
                application/json:
                  schema:
                    $ref: '#/components/schemas/ErrorEnvelope'
            InternalError:
              description: Unexpected failure (code `internal_error`) or storage unavailable (`service_unavailable`, 503).
              content:
                application/json:
                  schema:
                    $ref: '#/components/schemas/ErrorEnvelope'
          schemas:
            ExecutionStatus:
              type: string
              enum: [running, completed, failed, cancelled]
            ConfigProfile:
              type: string
              enum: [general, high_quality, fast, crypto_agent]
            ExecutionRequest:
              type: object
              required: [goal]
              additionalProperties: false
              properties:
                goal: {type: string, minLength: 1, maxLength: 10000, description: Not blank.}
                max_depth: {type: integer, minimum: 1, maximum: 10, description: Default is the profile's depth.}
                config_profile:
                  $ref: '#/components/schemas/ConfigProfile'
                config_overrides:
                  type: object
                  additionalProperties: false
                  properties:
                    temperature: {type: number, minimum: 0, maximum: 1}
                    max_tokens: {type: integer, minimum: 100, maximum: 16000}
                    model: {type: string}
                metadata:
                  type: object
                  maxProperties: 10
                  description: |
                    String pairs (keys 1-50, values 1-500 characters). `webhook_url` (http/https)
                    receives the terminal status; `webhook_token` is echoed to it and never returned.
                  additionalProperties: {type: string, minLength: 1, maxLength: 500}
            ExecutionSummary:
              type: object
              required: [execution_id, status, initial_goal, config_profile, max_depth, created_at, updated_at]
              properties:
                execution_id: {type: string}
                status:
                  $ref: '#/components/schemas/ExecutionStatus'
                initial_goal: {type: string}
                config_profile:
                  $ref: '#/components/schemas/ConfigProfile'
                max_depth: {type: integer}
                created_at: {type: string, format: date-time}
                updated_at: {type: string, format: date-time}
            ExecutionListItem:
              allOf:
                - $ref: '#/components/schemas/ExecutionSummary'
                - type: object
                  properties:
                    completed_at: {type: string, format: date-time}
                    failed_at: {type: string, format: date-time}
                    cancelled_at: {type: string, format: date-time}
            ExecutionPage:
              type: object
              required: [data, pagination]
              properties:
                data:
                  type: array
                  items:
                    $ref: '#/components/schemas/ExecutionListItem'
                pagination:
                  $ref: '#/components/schemas/Pagination'
            Pagination:
              type: object
              required: [total, limit, offset, has_more]
              properties:
                total: {type: integer}
                limit: {type: integer}
                offset: {type: integer}
                has_more: {type: boolean}
            Metadata:
              type: object
              properties:
                execution_time: {type: number}
                tokens_used: {type: integer}
                agent_calls: {type: integer}
                user_metadata:
                  type: object
                  additionalProperties: {type: string}
            ExecutionDetails:
              type: object
              required: [execution_id, status, initial_goal, config_profile, max_depth, metadata, created_at, updated_at]
              properties:
                execution_id: {type: string}
                status:
                  $ref: '#/components/schemas/ExecutionStatus'
                initial_goal: {type: string}
                result: {type: string}
                config_profile:
                  $ref: '#/components/schemas/ConfigProfile'
                max_depth: {type: integer}
                dag:
                  $ref: '#/components/schemas/DAG'
                metadata:
                  $ref: '#/components/schemas/Metadata'
                error:
                  $ref: '#/components/schemas/Error'
                created_at: {type: string, format: date-time}
                updated_at: {type: string, format: date-time}
                completed_at: {type: string, format: date-time}
                failed_at: {type: string, format: date-time}
                cancelled_at: {type: string, format: date-time}
            ExecutionStatusResponse:
              type: object
              required: [execution_id, status, progress, updated_at]
              properties:
                execution_id: {type: string}
                status:
                  $ref: '#/components/schemas/ExecutionStatus'
                progress: {type: integer, minimum: 0, maximum: 100}
                current_step: {type: string, description: Only while running.}
                result: {type: string, description: Only when completed.}
                error:
                  $ref: '#/components/schemas/Error'
                metadata:
                  $ref: '#/components/schemas/Metadata'
                updated_at: {type: string, format: date-time}
                completed_at: {type: string, format: date-time}
                failed_at: {type: string, format: date-time}
                cancelled_at: {type: string, format: date-time}
            CancelResponse:
              type: object
              required: [execution_id, status, cancelled_at]
              properties:
                execution_id: {type: string}
                status: {type: string, const: cancelled}
                cancelled_at: {type: string, format: date-time}
            DAGResponse:
              type: object
              required: [execution_id, dag]
              properties:
                execution_id: {type: string}
                dag:
                  $ref: '#/components/schemas/DAG'
            DAG:
              type: object
              required: [nodes, edges, stats]
              properties:
                nodes:
                  type: array
                  items:
                    $ref: '#/components/schemas/DAGNode'
                edges:
                  type: array
                  items:
                    $ref: '#/components/schemas/DAGEdge'
                stats:
                  type: object
                  required: [total_nodes, completed_nodes, failed_nodes, total_edges]
                  properties:
                    total_nodes: {type: integer}
                    completed_nodes: {type: integer}
                    failed_nodes: {type: integer}
                    total_edges: {type: integer}
            DAGNode:
              type: object
              required: [id, type, status, input, depth]
              properties:
                id: {type: string, description: 'Path id: node_0 is the root, node_0_2 its third subtask.'}
                type: {type: string, description: plan, execute, or pending while undecided.}
                task_type: {type: string}
                status: {type: string, enum: [pending, running, completed, failed, cancelled]}
                input: {type: string}
                output: {type: string}
                depth: {type: integer}
                parent: {type: string}
                dependencies:
                  type: array
                  items: {type: string}
                started_at: {type: string, format: date-time}
                completed_at: {type: string, format: date-time}
                error: {type: string}
                llm_calls: {type: integer}
                tokens_used: {type: integer}
            DAGEdge:
              type: object
              required: [from, to, type]
              properties:
                from: {type: string}
                to: {type: string}
                type: {type: string, enum: [subtask, depends_on]}
            Error:
              type: object
              required: [code, message]
              properties:
                code:
                  type: string
                  enum:
                    - invalid_request
                    - unauthorized
                    - forbidden
                    - not_found
                    - rate_limit_exceeded
                    - invalid_operation
                    - execution_error
                    - cancelled
                    - internal_error
                    - service_unavailable
                message: {type: string}
                details: {}
            ErrorEnvelope:
              type: object
              required: [error, request_id]
              properties:
                error:
                  $ref: '#/components/schemas/Error'
                request_id: {type: string}
            WebhookPayload:
              type: object
              description: POSTed to metadata.webhook_url (also with header X-Webhook-Token) on a terminal status.
              required: [execution_id, status, result, metadata]
              properties:
                execution_id: {type: string}
                status:
                  $ref: '#/components/schemas/ExecutionStatus'
                result: {type: [string, 'null']}
                error:
                  $ref: '#/components/schemas/Error'
                metadata:
                  type: object
                  properties:
                    webhook_token: {type: string}

        """#
}
