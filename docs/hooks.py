"""MkDocs hook: the builders' section of the API pages, written at build time from the builders themselves
(their signatures and docstrings come from each form's declaration, which static analysis cannot see)."""

from __future__ import annotations

import inspect
from typing import Any

MARKER = "<!-- builders -->"


def builders_markdown() -> str:
    import paramsched as ps
    from paramsched.language.builders import BUILDERS

    sections = []
    for name in BUILDERS:
        builder = getattr(ps, name)
        signature = str(inspect.signature(builder)).replace("'Node'", "Node")
        doc = inspect.getdoc(builder) or ""
        sections.append(f"### `ps.{name}`\n\n```python\nps.{name}{signature}\n```\n\n{doc}\n")
    return "\n".join(sections)


def on_page_markdown(markdown: str, **kwargs: Any) -> str:
    return markdown.replace(MARKER, builders_markdown()) if MARKER in markdown else markdown
