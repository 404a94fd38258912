"""Mutants and alternatives of chapter 5."""

from .base import Alternative, Mutant

MUTANTS: list[Mutant] = []
ALTERNATIVES: list[Alternative] = []
