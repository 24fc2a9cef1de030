"""Parses Prometheus text from stdin with prometheus_client's own parser and prints the samples
as JSON: a list of {"family", "type", "name", "labels", "value"}. Fails on text it cannot parse."""

import json
import sys

from prometheus_client.parser import text_string_to_metric_families

samples = []
for family in text_string_to_metric_families(sys.stdin.read()):
    for sample in family.samples:
        samples.append(
            {"family": family.name, "type": family.type, "name": sample.name, "labels": sample.labels, "value": sample.value}
        )
print(json.dumps(samples))
