"""The two-factor fixtures of tests/accounts, for the two-factor pages in Japanese."""

from tests.accounts.conftest import author, clock, twofactor

__all__ = ["author", "clock", "twofactor"]
