"""Hidden-test recipes of chapter 5."""

RECIPES = []
