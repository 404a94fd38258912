"""Grader-side checks of chapter 1."""

CHECKS = []
