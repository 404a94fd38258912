"""Grader-side checks of chapter 5."""

CHECKS = []
