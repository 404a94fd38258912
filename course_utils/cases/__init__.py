"""Registry of hidden-test recipes, one module per chapter.

``RECIPES`` maps a recipe name (e.g. ``"conv2d-backward"``) to its
:class:`~course_utils.cases.base.Recipe`.
"""

from __future__ import annotations

from . import ch1, ch2, ch3, ch4, ch5, ch7
from .base import Case, Recipe

__all__ = ["Case", "Recipe", "RECIPES", "get_recipe"]


def _collect() -> dict[str, Recipe]:
    recipes: dict[str, Recipe] = {}
    for module in (ch1, ch2, ch3, ch4, ch5, ch7):
        for recipe in module.RECIPES:
            if recipe.name in recipes:
                raise ValueError(f"two recipes are named {recipe.name!r}")
            recipes[recipe.name] = recipe
    return recipes


RECIPES: dict[str, Recipe] = _collect()


def get_recipe(name: str) -> Recipe:
    """The recipe called ``name``, or a KeyError that lists the known names."""
    try:
        return RECIPES[name]
    except KeyError:
        raise KeyError(f"unknown recipe {name!r}; known: {sorted(RECIPES)}") from None
