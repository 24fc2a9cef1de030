#!/usr/bin/env python3
"""Replicas of `roma serve` on one PostgreSQL database, as separate processes (issue 16).

  replica_test.py kill  --roma BIN --db URL   300 executions over 3 replicas, one SIGKILLed mid-run
  replica_test.py bench --roma BIN --db URL   create+complete throughput, 1 replica vs 3

A slow mock OpenAI-compatible model runs in this process on loopback (each replica gets its own
base URL path, so the mock knows who asked); it answers like the offline model (plans at the
root, executes below) and records every call: its request hash, the replica, start and end.
"""
import argparse
import hashlib
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Mock:
    def __init__(self, latency):
        self.latency = latency
        self.lock = threading.Lock()
        self.calls = []  # (hash, replica, started, ended)

    def answer(self, body):
        messages = body.get("messages", [])
        system = next((m["content"] for m in messages if m["role"] == "system"), "")
        user = next((m["content"] for m in messages if m["role"] == "user"), "")
        fields = {}
        for line in user.split("\n"):
            if ":" in line:
                key, value = line.split(":", 1)
                fields.setdefault(key, value.strip())
        task = fields.get("Current task", user[:80])
        depth = int((fields.get("Depth", "0").split(" ") or ["0"])[0] or 0)
        if system.startswith("[roma:atomizer]"):
            decision = "PLAN" if depth == 0 else "EXECUTE"
            return json.dumps({"decision": decision, "reason": "[synthetic] mock"})
        if system.startswith("[roma:planner]"):
            topic = task[:60].replace('"', "'")
            return json.dumps({"subtasks": [
                {"goal": "Gather background facts on " + topic, "task_type": "RETRIEVE", "dependencies": []},
                {"goal": "Identify the key factors in " + topic, "task_type": "THINK", "dependencies": []},
                {"goal": "Write a synthesis of " + topic, "task_type": "WRITE", "dependencies": [0, 1]},
            ]})
        if system.startswith("[roma:aggregator]"):
            return "[synthetic] Combined answer to: " + task
        return "[synthetic] result for: " + task

    def serve(self, port):
        mock = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_POST(self):
                started = time.time()
                raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                replica = self.path.split("/")[1]
                body = json.loads(raw)
                digest = hashlib.sha256(json.dumps(body["messages"], sort_keys=True).encode()).hexdigest()
                time.sleep(mock.latency)
                content = mock.answer(body)
                payload = json.dumps({
                    "id": "mock", "object": "chat.completion", "model": body.get("model", "mock"),
                    "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}],
                    "usage": {"prompt_tokens": 10, "completion_tokens": 10, "total_tokens": 20},
                }).encode()
                try:
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                    self.wfile.flush()
                    ended = time.time()
                except OSError:
                    ended = None  # the replica died before it got the answer
                with mock.lock:
                    mock.calls.append((digest, replica, started, ended))

        server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        server.daemon_threads = True
        server.handle_error = lambda request, address: None  # a killed replica resets its connections
        threading.Thread(target=server.serve_forever, daemon=True).start()
        return server


def request(port, method, path, key=None, body=None, headers=None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    all_headers = {"Content-Type": "application/json"}
    if key:
        all_headers["X-API-Key"] = key
    all_headers.update(headers or {})
    connection.request(method, path, body=json.dumps(body) if body is not None else None, headers=all_headers)
    response = connection.getresponse()
    data = response.read()
    connection.close()
    return response.status, data


def psql(db, sql):
    out = subprocess.run(["psql", db, "-At", "-c", sql], check=True, capture_output=True, text=True).stdout
    return out.strip()


class Replicas:
    def __init__(self, roma, db, mock_port, count, lease, logs):
        self.procs, self.ports, self.logs = [], [], []
        env = dict(os.environ, OPENAI_API_KEY="mock", LOG_LEVEL="info", SWIFT_BACKTRACE="enable=no")
        for index in range(count):
            port = free_port()
            log = open(os.path.join(logs, f"replica-{index}.log"), "w")
            proc = subprocess.Popen(
                [roma, "serve", "--db", db, "--port", str(port), "--provider", "openai",
                 "--base-url", f"http://127.0.0.1:{mock_port}/r{index}/v1", "--max-concurrent", "100000",
                 "--daily-limit", "1000000", "--max-calls", "64", "--lease-seconds", str(lease)],
                stdout=log, stderr=subprocess.STDOUT, env=env)
            self.procs.append(proc)
            self.ports.append(port)
            self.logs.append(log.name)
        for port in self.ports:
            deadline = time.time() + 60
            while True:
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    break
                except OSError:
                    if time.time() > deadline:
                        raise SystemExit(f"replica on port {port} did not start")
                    time.sleep(0.1)

    def stop(self):
        for proc in self.procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in self.procs:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()


def fresh_key(roma, db):
    psql(db, "DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public;")
    out = subprocess.run([roma, "serve", "keys", "create", "--db", db], check=True, capture_output=True, text=True)
    return out.stdout.strip()


def create_all(replicas, key, count, goal):
    ids, lock = [], threading.Lock()

    def worker(indices):
        for i in indices:
            port = replicas.ports[i % len(replicas.ports)]
            status, data = request(port, "POST", "/api/v1/executions", key,
                                   {"goal": f"{goal} #{i}", "max_depth": 1})
            if status != 202:
                raise SystemExit(f"create {i} got {status}: {data[:200]!r}")
            with lock:
                ids.append(json.loads(data)["execution_id"])

    threads = [threading.Thread(target=worker, args=(range(t, count, 8),)) for t in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return ids


def wait_completed(db, count, timeout):
    deadline = time.time() + timeout
    while time.time() < deadline:
        done = int(psql(db, "SELECT count(*) FROM executions WHERE status <> 'running'"))
        if done >= count:
            return True
        time.sleep(0.2)
    return False


def kill_test(args):
    mock = Mock(args.latency)
    mock_port = free_port()
    mock.serve(mock_port)
    key = fresh_key(args.roma, args.db)
    replicas = Replicas(args.roma, args.db, mock_port, 3, args.lease, args.logs)
    failures = []
    try:
        started = time.time()
        ids = create_all(replicas, key, args.executions, "Compare storage engines")
        # Kill replica 1 once a third of the executions are done, with calls in flight.
        while int(psql(args.db, "SELECT count(*) FROM executions WHERE status = 'completed'")) < args.executions // 3:
            time.sleep(0.05)
        kill_time = time.time()
        replicas.procs[1].send_signal(signal.SIGKILL)
        replicas.procs[1].wait()
        print(f"replica-test: SIGKILLed replica 1 at {kill_time - started:.1f}s")
        if not wait_completed(args.db, args.executions, 300):
            failures.append("not every execution finished within 300 s")
        elapsed = time.time() - started
    finally:
        replicas.stop()
    statuses = psql(args.db, "SELECT status, count(*) FROM executions GROUP BY status ORDER BY 1")
    print("replica-test: statuses:", statuses.replace("\n", ", "))
    completed = int(psql(args.db, "SELECT count(*) FROM executions WHERE status = 'completed'"))
    if completed != args.executions or len(ids) != args.executions:
        failures.append(f"{completed} of {args.executions} completed")
    taken = int(psql(args.db, "SELECT count(*) FROM executions WHERE restarts > 0"))
    # Exactly once: each execution's outcome is written (and logged) by one replica only.
    finishes = {}
    for log in replicas.logs:
        for line in open(log, errors="replace"):
            if "execution finished" in line and "execution_id=" in line:
                eid = line.split("execution_id=")[1].split()[0].strip(",]")
                finishes[eid] = finishes.get(eid, 0) + 1
    twice = [e for e, n in finishes.items() if n > 1]
    missing = [e for e in ids if e not in finishes]
    if twice:
        failures.append(f"{len(twice)} executions finished more than once")
    if missing:
        failures.append(f"{len(missing)} executions have no 'execution finished' line")
    # No answered call paid twice: a repeated request is allowed only when its first answer
    # never reached the killed replica's journal (in flight at the kill).
    seen = {}
    for digest, replica, t0, t1 in sorted(mock.calls, key=lambda c: c[2]):
        seen.setdefault(digest, []).append((replica, t0, t1))
    repeated = {d: c for d, c in seen.items() if len(c) > 1}
    in_flight = [d for d, c in repeated.items() if c[0][0] == "r1" and (c[0][2] is None or c[0][2] >= kill_time - 0.05)]
    paid_twice = [d for d in repeated if d not in in_flight]
    print(f"replica-test: {len(mock.calls)} model calls, {len(seen)} distinct; {taken} executions taken over; "
          f"{len(in_flight)} calls repeated because they were in flight on the killed replica; "
          f"{len(paid_twice)} finished calls made twice; {elapsed:.1f}s")
    if paid_twice:
        failures.append(f"{len(paid_twice)} finished model calls were made twice")
    if taken == 0:
        failures.append("no execution was taken over (the kill came too late?)")
    if failures:
        print("replica-test: FAILED: " + "; ".join(failures))
        sys.exit(1)
    print("replica-test: ok: every execution completed exactly once; no finished call was paid twice")


def bench(args):
    mock = Mock(args.latency)
    mock_port = free_port()
    mock.serve(mock_port)
    results = {}
    for count in (1, 3):
        key = fresh_key(args.roma, args.db)
        replicas = Replicas(args.roma, args.db, mock_port, count, args.lease, args.logs)
        try:
            started = time.time()
            create_all(replicas, key, args.executions, "Benchmark goal")
            ok = wait_completed(args.db, args.executions, 600)
            elapsed = time.time() - started
        finally:
            replicas.stop()
        results[count] = args.executions / elapsed
        print(f"replica-bench: {count} replica(s): {args.executions} executions created and completed in {elapsed:.1f}s "
              f"= {results[count]:.1f}/s{'' if ok else ' (TIMED OUT)'}")
    print(f"replica-bench: 3 replicas vs 1: x{results[3] / results[1]:.2f}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["kill", "bench"])
    parser.add_argument("--roma", required=True)
    parser.add_argument("--db", required=True)
    parser.add_argument("--executions", type=int, default=300)
    parser.add_argument("--latency", type=float, default=0.2, help="seconds the mock model takes per call")
    parser.add_argument("--lease", type=float, default=3)
    parser.add_argument("--logs", default=".")
    args = parser.parse_args()
    kill_test(args) if args.mode == "kill" else bench(args)


if __name__ == "__main__":
    main()
