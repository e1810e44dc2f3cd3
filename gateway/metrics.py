"""Prometheus metrics, one registry per running gateway (tests run several in one process)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.received = Counter("paxgate_messages_received", "Submissions stored durably", ["account", "channel"],
                                registry=self.registry)
        self.processed = Counter("paxgate_messages_processed", "Submissions validated and acknowledged, by verdict",
                                 ["account", "format", "verdict"], registry=self.registry)
        self.replayed = Counter("paxgate_messages_replayed", "Same bytes again from the same account (answered from the store)",
                                ["account"], registry=self.registry)
        self.duplicates = Counter("paxgate_messages_duplicate", "Duplicate interchanges or content, not forwarded again",
                                  ["account", "kind"], registry=self.registry)
        self.refused = Counter("paxgate_submissions_refused", "Submissions refused before storing, by reason",
                               ["channel", "reason"], registry=self.registry)
        self.validation_seconds = Histogram("paxgate_validation_seconds", "Time in the validation pool per submission",
                                            buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5),
                                            registry=self.registry)
        self.ack_seconds = Histogram("paxgate_acknowledgement_seconds", "From receipt to acknowledgement ready",
                                     buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5), registry=self.registry)
        self.outbox = Gauge("paxgate_outbox_depth", "Outbox rows by state", ["state"], registry=self.registry)
        self.sink_errors = Counter("paxgate_sink_errors", "Failed delivery attempts by sink", ["sink", "retryable"],
                                   registry=self.registry)
        self.incomplete = Counter("paxgate_assembly_incomplete", "Multi-part units forwarded incomplete (timer fired)",
                                  ["account"], registry=self.registry)
        self.iapi = Counter("paxgate_iapi_decisions", "Interactive API requests answered, by who decided",
                            ["source"], registry=self.registry)
        self.delivered = Counter("paxgate_deliveries", "Units delivered by sink", ["sink"], registry=self.registry)
        self.screened = Counter("paxgate_travellers_screened", "Travellers screened against the watchlists, by result",
                                ["result"], registry=self.registry)
