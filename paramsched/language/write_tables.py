"""Rewrite grammar/schedule.tables.json from grammar/schedule.lark: `python -m paramsched.language.write_tables`.

Run it after every change to the grammar; tests/test_grammar_tables.py checks that the shipped tables
are the current grammar's.
"""

from __future__ import annotations

from .grammar import source_tables_path, tables_json


def main() -> None:
    path = source_tables_path()
    path.write_text(tables_json(), encoding="utf-8")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
