"""The operator listener (DESIGN.md §6.6): health, readiness, metrics and the admin API."""
