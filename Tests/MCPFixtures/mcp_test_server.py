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
def has_env(name: str) -> str:
    """Says whether an environment variable reached the server (never its value)."""
    return "set" if os.environ.get(name) else "unset"


if __name__ == "__main__":
    server.run("stdio")
