"""Transitional alias of paramsched.language.unparse (removed once nothing imports it)."""

from paramsched.language.unparse import unparse

__all__ = ["unparse"]
