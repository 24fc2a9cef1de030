"""The tool tests' MCP server: tools that succeed, fail, time out, return 1 MB and die mid-call.

Run by the tests themselves over stdio (python mcp_test_server.py). Uses the `mcp` package
pinned in scripts/mcp-test-venv.
"""
import os
import sys

import anyio
from mcp.server.fastmcp import FastMCP

server = FastMCP("roma-test")


@server.tool()
def lookup(city: str) -> str:
    """Look up the weather of a city."""
    return f"weather in {city}: sunny, 21 C"


@server.tool()
def fail(reason: str = "no reason") -> str:
    """A tool that always fails."""
    raise ValueError(f"lookup failed: {reason}")


@server.tool()
async def slow(seconds: float = 30) -> str:
    """A tool that takes its time (without holding up the server's other calls)."""
    await anyio.sleep(seconds)
    return "finally"


@server.tool()
def big() -> str:
    """A tool that returns one megabyte."""
    return "x" * (1 << 20)


@server.tool()
def die() -> str:
    """A tool whose server dies mid-call."""
    sys.stdout.flush()
    os._exit(3)


@server.tool()
def noisy() -> str:
    """A tool whose server writes lines that are not JSON-RPC onto its stdout (as npm did inside
    mcp-server-fetch), and a lot onto its stderr, before it answers."""
    os.write(1, b"added 0 packages, and audited 1 package in 2s\n\nnot json {\n")
    os.write(2, b"x" * (1 << 20))
    return "quiet now"


@server.tool()
def has_env(name: str) -> str:
    """Says whether an environment variable reached the server (never its value)."""
    return "set" if os.environ.get(name) else "unset"


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--http":
        # Streamable HTTP on 127.0.0.1 (port 0: a free one), JSON responses (no SSE stream); refuses
        # requests without `Authorization: Bearer $ROMA_TEST_TOKEN`; prints "ready PORT" once it listens.
        import uvicorn

        server.settings.json_response = True
        server.settings.stateless_http = True
        app = server.streamable_http_app()
        expected = os.environ.get("ROMA_TEST_TOKEN", "")

        async def guarded(scope, receive, send):
            if scope["type"] == "http":
                headers = dict(scope.get("headers") or [])
                if headers.get(b"authorization", b"").decode() != f"Bearer {expected}":
                    await send({"type": "http.response.start", "status": 401, "headers": []})
                    await send({"type": "http.response.body", "body": b"unauthorized"})
                    return
            await app(scope, receive, send)

        config = uvicorn.Config(guarded, host="127.0.0.1", port=int(sys.argv[2]), log_level="warning", lifespan="on")
        uv = uvicorn.Server(config)

        async def main():
            import asyncio

            task = asyncio.create_task(uv.serve())
            while not uv.started:
                await asyncio.sleep(0.05)
            port = uv.servers[0].sockets[0].getsockname()[1]
            print(f"ready {port}", flush=True)
            await task

        anyio.run(main)
    else:
        server.run("stdio")
