"""Timings printed by ``make bench`` (never asserted in unit tests)."""
