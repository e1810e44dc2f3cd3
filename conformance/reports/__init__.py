"""Run reports: JUnit XML for an airline's CI, a self-contained HTML page for people, JSON as evidence."""
