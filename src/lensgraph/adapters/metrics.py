"""Prometheus metrics of this process; with several uvicorn workers, ``PROMETHEUS_MULTIPROC_DIR`` joins them."""

from __future__ import annotations

import os
from functools import lru_cache
from typing import Any

from prometheus_client import REGISTRY, CollectorRegistry, Counter, Histogram, disable_created_metrics, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector

# A "_created" timestamp beside every series doubles the page and tells an operator nothing.
disable_created_metrics()

HTTP_REQUESTS = Counter(
    "lensgraph_http_requests", "HTTP requests answered, by route template and status.", ["method", "route", "status"]
)
HTTP_SECONDS = Histogram(
    "lensgraph_http_request_duration_seconds",
    "Time to answer an HTTP request, by route template.",
    ["method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
GRAPHQL_OPERATIONS = Counter(
    "lensgraph_graphql_operations",
    "GraphQL operations run, by type and outcome: ok, error (answered with a coded error), internal.",
    ["operation_type", "outcome"],
)
COMPILED_OPERATIONS = Counter(
    "lensgraph_compiled_operations",
    "Operations by how they were answered: compiled (one SQL statement per root field) or resolvers.",
    ["path"],
)


@lru_cache(maxsize=1024)
def labelled(metric: Any, *values: str) -> Any:
    """``metric.labels(*values)``, kept: the client locks and checks the label values on every call, and the hot
    path asks for the same few children on every request."""
    return metric.labels(*values)


RATE_LIMITED = Counter("lensgraph_rate_limited_requests", "Requests refused for going over the caller's rate.")


def exposition(gauges: list[GaugeMetricFamily]) -> bytes:
    """This process's counters (or every worker's, in multiprocess mode), then ``gauges`` read for this scrape."""
    if "PROMETHEUS_MULTIPROC_DIR" in os.environ:
        registry = CollectorRegistry()
        MultiProcessCollector(registry)
    else:
        registry = REGISTRY
    scrape = CollectorRegistry()
    for gauge in gauges:
        scrape.register(_Fixed(gauge))
    return generate_latest(registry) + generate_latest(scrape)


class _Fixed:
    def __init__(self, metric: GaugeMetricFamily) -> None:
        self.metric = metric

    def collect(self) -> list[GaugeMetricFamily]:
        return [self.metric]
