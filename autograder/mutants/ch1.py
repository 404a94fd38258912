"""Mutants and alternatives of chapter 1."""

from .base import Alternative, Mutant

MUTANTS: list[Mutant] = []
ALTERNATIVES: list[Alternative] = []
