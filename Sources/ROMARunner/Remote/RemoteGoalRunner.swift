import AsyncHTTPClient
import Foundation
import ROMAClient
import ROMACore
import ROMAEngine

/// Runs one goal on a ROMA API: create (idempotently), poll, fetch, write — or re-attach to an
/// execution an earlier run submitted.
struct RemoteGoalRunner: Sendable {
    let client: ROMAAPIClient
    let settings: RemoteSettings
    let sleeper: any Sleeper
    let quota: RemoteQuota

    /// Why a remote goal stopped before its result was written.
    enum Stop: Error {
        /// The daily request limit is used up; try again after the reset.
        case deferred(String)
        case failed(String, temporary: Bool)
    }

    func run(_ job: BatchRunner.Job, events: @escaping @Sendable (BatchEvent) -> Void) async -> GoalOutcome {
        let manifest = job.manifest.name
        let id = job.goal.id
        let contentHash = SHA256.hex(bytes: job.requestBytes)
        var outcome = GoalOutcome(manifest: manifest, goal: id, status: .failed)
        var executionID: String?
        let started = ContinuousClock.now
        do {
            let (attachedID, attached) = try await attachOrSubmit(job, contentHash: contentHash)
            executionID = attachedID
            events(.submitted(manifest: manifest, goal: id, executionID: attachedID, attached: attached))
            outcome.executionID = attachedID
            let status = try await poll(attachedID)
            let details = try await retrying { try await client.details(attachedID).value }
            let dag = try await retrying { try await client.dag(attachedID).value }
            var complete = details
            complete.dag = dag.dag
            try job.tree.writeGoal(id, files: try GoalArtifacts.files(request: job.request, details: complete, calls: nil))
            if status == .completed { job.tree.removeSubmission(id) }
            outcome.status = GoalOutcome.Status(rawValue: status.rawValue) ?? .failed
            outcome.written = true
            outcome.tokens = details.metadata.tokensUsed ?? 0
            outcome.seconds = details.metadata.executionTime ?? 0
            outcome.nodes = dag.dag.nodes.count
            outcome.error = details.error?.message
        } catch let error as ResultsTreeError {
            outcome.error = "cannot write the results of '\(id)': \(error)"
            outcome.writeFailure = error
        } catch Stop.deferred(let why) {
            outcome.status = .deferred
            outcome.error = why
            outcome.temporary = true
        } catch Stop.failed(let why, let temporary) {
            outcome.error = why
            outcome.temporary = temporary
        } catch {
            if Task.isCancelled || error is CancellationError {
                outcome.status = .cancelled
                if let executionID { await cancelOnServer(executionID) }
                outcome.error =
                    executionID.map { "cancelled; the remote execution \($0) was cancelled on the server" }
                    ?? "cancelled before an execution was created on the server"
            } else {
                outcome.error = "\(error)"
            }
        }
        // A goal whose result was written took its execution's time on the server; any other
        // the time spent trying (it used to say "failed in 0.0 s" after minutes of retries).
        if !outcome.written { outcome.seconds = (ContinuousClock.now - started) / .seconds(1) }
        events(.goalFinished(outcome))
        return outcome
    }

    /// The execution to follow: the one an earlier run submitted, or a new one.
    private func attachOrSubmit(_ job: BatchRunner.Job, contentHash: String) async throws -> (String, Bool) {
        var attempt = 1
        if let previous = job.tree.submission(job.goal.id), previous.contentHash == contentHash, previous.baseUrl == client.baseURL {
            // Re-attach unless the earlier execution ended without a result.
            if let status = try? await retrying({ try await client.status(previous.executionId).value.status }),
                status == .running || status == .completed
            {
                return (previous.executionId, true)
            }
            attempt = previous.attempt + 1
        }
        guard await !quota.isExhausted else { throw Stop.deferred("the daily request limit is used up; not submitted") }
        let key = Submission.idempotencyKey(manifest: job.manifest.name, goal: job.goal.id, contentHash: contentHash, attempt: attempt)
        let created = try await retrying(concurrencyWaits: true) {
            try await client.create(job.request.apiRequest, idempotencyKey: key).value
        }
        try job.tree.record(
            Submission(
                executionId: created.executionId, contentHash: contentHash, idempotencyKey: key, attempt: attempt, baseUrl: client.baseURL),
            for: job.goal.id)
        return (created.executionId, false)
    }

    /// Polls until the execution is terminal: 1 s growing by half up to 30 s. When the daily
    /// quota is used up the next poll's 429 defers the goal (it is re-attached next run).
    private func poll(_ id: String) async throws -> ExecutionStatus {
        var delay = settings.pollInitial
        while true {
            let response = try await retrying { try await client.status(id) }
            if response.value.status.isTerminal { return response.value.status }
            if response.rateLimit.remaining == 0 {
                await quota.exhaust()
                throw Stop.deferred("daily request limit reached while polling \(id); the next run re-attaches to it")
            }
            try await sleeper.sleep(for: delay)
            delay = min(settings.pollMax, delay * settings.pollGrowth)
        }
    }

    /// Retries dropped connections and 5xx with backoff; maps 429s to waits or deferral.
    private func retrying<T>(concurrencyWaits: Bool = false, _ body: () async throws -> T) async throws -> T {
        var attempt = 0
        var delay = settings.pollInitial
        while true {
            try Task.checkCancellation()
            do {
                return try await body()
            } catch let error as APIClientError where error.kind == .cancelled {
                throw CancellationError()
            } catch let error as APIClientError where error.isDailyLimit {
                await quota.exhaust()
                throw Stop.deferred(
                    "daily request limit reached (\(error.message)); resets at \(error.rateLimit?.reset.map { Timestamp.string(Date(timeIntervalSince1970: Double($0))) } ?? "the next window")"
                )
            } catch let error as APIClientError
                where (error.isRetryable || (error.kind == .rateLimited && concurrencyWaits)) && attempt < settings.maxRetries
            {
                attempt += 1
                let wait = error.retryAfter.map { Duration.milliseconds(Int64($0 * 1000)) } ?? delay
                try await sleeper.sleep(for: min(wait, settings.pollMax))
                delay = min(settings.pollMax, delay * 2)
            } catch let error as APIClientError {
                let gaveUp = attempt > 0 ? " (gave up after \(attempt + 1) attempts)" : ""
                throw Stop.failed("\(error)\(gaveUp)", temporary: error.isRetryable || error.kind == .rateLimited)
            }
        }
    }

    /// Cancels an execution on the server, even though this task is already cancelled (the
    /// client's `cancel` is not cut short by task cancellation).
    private func cancelOnServer(_ id: String) async {
        _ = try? await client.cancel(id)
    }
}

/// Shared by a run's remote goals: once the daily limit is hit, nothing more is submitted.
actor RemoteQuota {
    private(set) var isExhausted = false
    func exhaust() { isExhausted = true }
}
