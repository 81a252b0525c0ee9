"""The committed JSON Schema (tests/golden/schema.json) is the one the AST produces.

Regenerate it after changing the AST: `python -m paramsched.language.mappings > tests/golden/schema.json`.
"""

from __future__ import annotations

import json
from pathlib import Path

from paramsched.language import MODELS, json_schema

SCHEMA = Path(__file__).parent / "golden" / "schema.json"


def test_committed_schema_is_current() -> None:
    committed = json.loads(SCHEMA.read_text(encoding="utf-8"))
    assert json_schema() == committed, "regenerate: python -m paramsched.language.mappings > tests/golden/schema.json"


def test_schema_covers_every_kind() -> None:
    schema = json_schema()
    mapping = schema["discriminator"]["mapping"]
    assert sorted(mapping) == sorted(model.model_fields["kind"].default for model in MODELS)
