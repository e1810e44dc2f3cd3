"""Forwarding (DESIGN.md §2 step 8): the outbox dispatcher and the sinks it delivers to.

Delivery is at-least-once to every sink; each delivery carries an idempotency key (receipt id +
part), so a sink that honours the key sees every unit exactly once.
"""
