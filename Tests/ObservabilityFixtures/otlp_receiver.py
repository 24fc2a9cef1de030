"""A loopback OTLP/HTTP trace receiver for the tracing tests.

Listens on 127.0.0.1 (port 0: the kernel picks), prints the port and closes its output, decodes each
POST /v1/traces body (protobuf `ExportTraceServiceRequest`, gzip or not) and appends every span as
one JSON line to the file given as its argument: trace and span ids in hex, parent id, name, kind,
attributes, status, and the resource's service.name. Runs until it is terminated.
"""

import gzip
import json
import signal
import sys
from http.server import BaseHTTPRequestHandler, HTTPServer

from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)

OUT = sys.argv[1]


def value(any_value):
    kind = any_value.WhichOneof("value")
    return getattr(any_value, kind) if kind else None


class Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        if self.headers.get("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        if self.path != "/v1/traces":
            self.send_response(404)
            self.end_headers()
            return
        request = ExportTraceServiceRequest()
        request.ParseFromString(body)
        with open(OUT, "a") as out:
            for resource_spans in request.resource_spans:
                resource = {a.key: value(a.value) for a in resource_spans.resource.attributes}
                for scope_spans in resource_spans.scope_spans:
                    for span in scope_spans.spans:
                        out.write(
                            json.dumps(
                                {
                                    "trace_id": span.trace_id.hex(),
                                    "span_id": span.span_id.hex(),
                                    "parent_span_id": span.parent_span_id.hex(),
                                    "name": span.name,
                                    "kind": span.kind,
                                    "attributes": {a.key: value(a.value) for a in span.attributes},
                                    "status_code": span.status.code,
                                    "status_message": span.status.message,
                                    "service_name": resource.get("service.name"),
                                    "content_type": self.headers.get("Content-Type"),
                                }
                            )
                            + "\n"
                        )
        reply = ExportTraceServiceResponse().SerializeToString()
        self.send_response(200)
        self.send_header("Content-Type", "application/x-protobuf")
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)

    def log_message(self, *args):
        pass


# The test stops it with SIGTERM; a parent may have left that signal blocked or ignored.
signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGTERM])
signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
server = HTTPServer(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
# The port is all there is to read; the test reads one line.
server.serve_forever()
