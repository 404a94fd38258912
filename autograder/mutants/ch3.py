"""Mutants and alternatives of chapter 3."""

from .base import Alternative, Mutant

MUTANTS: list[Mutant] = []
ALTERNATIVES: list[Alternative] = []
