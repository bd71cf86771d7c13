"""The README's key tables, generated from the schemas: ``python -m calt.cli.docs README.md`` rewrites them.

A table sits between ``<!-- keys:NAME -->`` and ``<!-- /keys:NAME -->``; tests/config/test_schemas.py fails when the
README and the schemas disagree.
"""

from __future__ import annotations

import dataclasses
import re
import sys
import typing
from pathlib import Path

from calt.config.blocks import DataConfig, DatasetConfig, LexerConfig, NumberPolicyConfig, TrainConfig, VocabBlock, WandbConfig
from calt.config.fields import describe, fields_of

MARKER = re.compile(r"(<!-- keys:(?P<name>[\w.]+) -->\n)(?P<body>.*?)(<!-- /keys:(?P=name) -->)", re.S)


def block_schemas() -> dict[str, type]:
    """Table name → schema; model blocks come from the registered model types."""
    tables = {"data": DataConfig, "train": TrainConfig, "wandb": WandbConfig, "dataset": DatasetConfig,
              "lexer": LexerConfig, "lexer.vocab": VocabBlock, "lexer.number_policy": NumberPolicyConfig}
    from calt.models.base import default_registry  # the models register their own block schemas

    for model_type, schema in default_registry().block_schemas().items():
        tables.setdefault(f"model.{schema.__name__}", schema)
    return tables


def markdown_table(schema: type) -> str:
    """``| key | type | default | meaning |`` rows of a schema (aliases named in the meaning)."""
    hints = typing.get_type_hints(schema)
    rows = ["| key | type | default | meaning |", "|---|---|---|---|"]
    for f in fields_of(schema):
        default = "required" if f.metadata.get("required") else _default(f)
        meaning = f.metadata.get("help", "")
        if f.metadata.get("choices"):
            meaning += f"; one of {', '.join(f'`{c}`' for c in f.metadata['choices'])}"
        if f.metadata.get("bounds_text"):
            meaning += f"; in {f.metadata['bounds_text']}"
        if f.metadata.get("aliases"):
            meaning += f" (also spelled {', '.join(f'`{a}`' for a in f.metadata['aliases'])})"
        rows.append(f"| `{f.name}` | {describe(hints[f.name])} | {default} | {meaning.replace('|', '/')} |")
    return "\n".join(rows) + "\n"


def _default(f: dataclasses.Field) -> str:
    value = f.default_factory() if f.default_factory is not dataclasses.MISSING else f.default
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    return f"`{value}`"


def rewrite(text: str) -> str:
    """``text`` with every key table regenerated."""
    tables = block_schemas()

    def replace(match: re.Match) -> str:
        name = match.group("name")
        if name not in tables:
            raise KeyError(f"README table {name!r} names no schema; known: {', '.join(tables)}")
        return match.group(1) + markdown_table(tables[name]) + match.group(4)

    return MARKER.sub(replace, text)


if __name__ == "__main__":
    path = Path(sys.argv[1] if len(sys.argv) > 1 else "README.md")
    path.write_text(rewrite(path.read_text(encoding="utf-8")), encoding="utf-8")
    print(f"rewrote the key tables of {path}")
