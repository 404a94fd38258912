"""Mutants and alternatives of chapter 4."""

from .base import Alternative, Mutant

MUTANTS: list[Mutant] = []
ALTERNATIVES: list[Alternative] = []
