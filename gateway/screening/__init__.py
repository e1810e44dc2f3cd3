"""Watchlist screening: every traveller against the loaded lists, with scores and explanations.

Screening informs, never decides. Entry points: :class:`~gateway.screening.screener.Screener`
(load, screen, reload atomically), :mod:`~gateway.screening.subjects` (travellers of a Manifest or
PnrPush, identity keys), :mod:`~gateway.screening.commands` (``paxgate watchlist``).
"""
