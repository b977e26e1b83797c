"""Prometheus metrics. Defined once per process, shared by every app instance in it.

With several worker processes (`pantau serve --workers N`), prometheus_client's multiprocess
mode adds them up at every scrape (app.ops.collector): the gauges say how (`multiprocess_mode`).
"""

from prometheus_client import Counter, Gauge, Histogram

REQUESTS = Counter(
    "pantau_http_requests_total", "HTTP requests answered.", ["method", "route", "status"]
)
LATENCY = Histogram(
    "pantau_http_request_seconds", "Time to answer an HTTP request.", ["method", "route"]
)
POLLS = Counter("pantau_poll_total", "Conditional GETs, by outcome (hit = 304).", ["outcome"])
POLL_CACHE = Counter(
    "pantau_poll_cache_total",
    "GETs of polled collections not answered 304, by whether a kept answer served them.",
    ["outcome"],
)
SSE_CLIENTS = Gauge(
    "pantau_sse_clients", "Clients connected to /events.", multiprocess_mode="livesum"
)
FEED_LAG = Gauge(
    "pantau_feed_lag_seconds",
    "Age of the newest change when it was sent to clients.",
    multiprocess_mode="livemax",
)
REMINDERS = Counter("pantau_reminders_total", "Reminders by outcome.", ["outcome"])
WEBHOOK_DELIVERIES = Counter(
    "pantau_webhook_deliveries_total", "Webhook deliveries by outcome.", ["outcome"]
)
BAD_ROWS = Counter(
    "pantau_bad_rows_total",
    "Rows holding a value out of the accepted range, by the shared function that met them: "
    "calendar and reminders skip the row, export writes the value as text; each is logged.",
    ["function", "reason"],
)
