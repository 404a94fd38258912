"""Hidden-test recipes of chapter 3."""

RECIPES = []
