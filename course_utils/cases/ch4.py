"""Hidden-test recipes of chapter 4."""

RECIPES = []
