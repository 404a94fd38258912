"""Attack submissions for ``tests/test_attacks.py`` (data, not tests)."""
