"""Grader-side checks of chapter 2."""

CHECKS = []
