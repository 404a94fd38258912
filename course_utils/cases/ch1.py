"""Hidden-test recipes of chapter 1."""

RECIPES = []
