"""Mutants and alternatives of chapter 2."""

from .base import Alternative, Mutant

MUTANTS: list[Mutant] = []
ALTERNATIVES: list[Alternative] = []
