"""Hidden-test recipes of chapter 2."""

RECIPES = []
