"""Grader-side checks of chapter 4."""

CHECKS = []
