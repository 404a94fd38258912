"""Registry of hidden-test recipes, one module per chapter.

Every module of this package named ``ch<N>`` (``ch1.py``, ``ch2.py``, ...) is a chapter's
recipes module and lists them in ``RECIPES``; a new chapter's module is found by its
name, with no edit here. ``RECIPES`` maps a recipe name (e.g. ``"conv2d-backward"``) to
its :class:`~course_utils.cases.base.Recipe`.
"""

from __future__ import annotations

import importlib
import pkgutil
import re

from .base import Case, Recipe

__all__ = ["Case", "Recipe", "RECIPES", "CHAPTER_MODULES", "get_recipe"]

_CHAPTER_MODULE = re.compile(r"ch\d+")


def _chapter_modules() -> tuple[str, ...]:
    """The import paths of this package's chapter modules, in chapter order."""
    names = [info.name for info in pkgutil.iter_modules(__path__)
             if _CHAPTER_MODULE.fullmatch(info.name)]
    return tuple(f"{__name__}.{name}" for name in sorted(names, key=lambda n: int(n[2:])))


#: Import paths of the chapter modules found in this package.
CHAPTER_MODULES: tuple[str, ...] = _chapter_modules()


def _collect() -> dict[str, Recipe]:
    recipes: dict[str, Recipe] = {}
    for module_name in CHAPTER_MODULES:
        for recipe in importlib.import_module(module_name).RECIPES:
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
