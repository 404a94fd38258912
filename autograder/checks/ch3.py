"""Grader-side checks of chapter 3."""

CHECKS = []
