"""Reference data shipped with the validators (DESIGN.md §6.11), as literal tables."""
