"""Per-account submission rates: a token bucket each, so one carrier's flood cannot starve the rest."""

from __future__ import annotations

import time


class RateLimiter:
    def __init__(self, per_minute: int, burst: int) -> None:
        self.rate = per_minute / 60.0
        self.burst = max(burst, 1)
        self._buckets: dict[str, tuple[float, float]] = {}  # account → (tokens, last refill)

    def allow(self, account: str) -> float | None:
        """None when the submission may go ahead, else the seconds until it may."""
        if self.rate <= 0:
            return None
        now = time.monotonic()
        tokens, last = self._buckets.get(account, (float(self.burst), now))
        tokens = min(float(self.burst), tokens + (now - last) * self.rate)
        if tokens >= 1.0:
            self._buckets[account] = (tokens - 1.0, now)
            return None
        self._buckets[account] = (tokens, now)
        return (1.0 - tokens) / self.rate
