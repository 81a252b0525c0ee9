"""`ScheduleSpec`: a schedule as a field of a pydantic model, a pydantic dataclass or pydantic-settings.

    class Train(pydantic.BaseModel):
        lr: ps.ScheduleSpec                      # text, a number, a mapping (the AST as data) or a node
        momentum: ps.ScheduleSpec = ps.parse("0.9")

    cfg = Train.model_validate({"lr": "warmup(500) then cosine(0.1 -> 0, 10k)"})
    cfg.lr                                       # the node (a ps.Node): ps.compile(cfg.lr, optimizer)
    cfg.model_dump()                             # {"lr": "warmup(500) then cosine(0.1 -> 0, 10k)", ...}

Why an annotated type and not a model: the field holds the language's own node, so the config hands
`ps.compile`, `ps.TorchScheduler` or `ps.simulate` exactly what `ps.parse` would, and the schedule is
checked when the config loads (a bad schedule is a pydantic `ValidationError` whose message is the
ScheduleError's, caret block included; `error.errors()[0]["ctx"]["error"]` is the ScheduleError itself).

- Input: what every entry point takes (`ps.parse` for text, `ps.load` for a mapping, a number is a
  constant), plus JSON text of the mapping form (a string starting with `{`), so an environment variable
  may hold either the text or the AST as JSON.
- Output: the canonical text (`str(node)`), in JSON mode and in Python mode alike: a dumped config reads
  back to an equal node (`parse(unparse(n)) == n`) and writes to YAML as a plain scalar (the AST as data
  would hold tuples, which `yaml.safe_dump` refuses).
- JSON Schema: in validation mode, text, a number, or the mapping form (the language's own schema, its
  node definitions under `$defs`); in serialization mode, text.

The runtime annotation is `Annotated[Any, ...]` (type checkers see `Annotated[Node, ...]`): pydantic-settings
JSON-decodes an environment variable whose field type is a model and refuses one that is not JSON, which
would reject every schedule text; and OmegaConf's structured configs accept `Any` fields, so one dataclass
can be both a Hydra structured config and a pydantic-validated one.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, PydanticCustomError, core_schema

from .language import AnyNode, Node, load, to_node, unparse

__all__ = ["ScheduleSpec", "ScheduleSpecType"]

_EXAMPLE_TEXT = "warmup(500) then cosine(0.1 -> 0.0001, 10k)"


class ScheduleSpecType:
    """The pydantic hooks of `ScheduleSpec` (the metadata inside its `Annotated`)."""

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> CoreSchema:
        # The node union's own schema is used for the JSON Schema only; validation goes through
        # `to_node`, so a schedule is checked by the same code, with the same message, as everywhere else.
        mapping_form = handler.generate_schema(AnyNode)
        accepted = core_schema.union_schema([core_schema.str_schema(), core_schema.float_schema(), mapping_form])
        return core_schema.no_info_plain_validator_function(
            validate_schedule,
            json_schema_input_schema=accepted,
            serialization=core_schema.plain_serializer_function_ser_schema(
                unparse, return_schema=core_schema.str_schema()
            ),
        )

    def __get_pydantic_json_schema__(self, schema: CoreSchema, handler: GetJsonSchemaHandler) -> JsonSchemaValue:
        json_schema = handler(schema)
        json_schema = handler.resolve_ref_schema(json_schema)
        if "anyOf" in json_schema:  # validation mode: say which member is which
            text, number, mapping = json_schema["anyOf"]
            text["description"] = "a schedule in the paramsched language"
            number["description"] = "a constant schedule"
            mapping.setdefault("description", "a schedule as nested mappings (the AST)")
            json_schema.setdefault("examples", [_EXAMPLE_TEXT, 0.1])
        else:  # serialization mode: what a dump holds
            json_schema["description"] = "a schedule in the paramsched language (canonical text)"
            json_schema.setdefault("examples", [_EXAMPLE_TEXT])
        return json_schema

    def __repr__(self) -> str:
        return "ScheduleSpecType()"


def validate_schedule(value: Any) -> Node:
    """Text, JSON text of the mapping form, a number, a mapping or a node, as a validated root node.

    A ScheduleError (a ValueError) becomes pydantic's "value_error" with the ScheduleError's message;
    anything that is no schedule at all is a "schedule_type" error naming what was given."""
    if isinstance(value, bool) or not isinstance(value, (str, int, float, Mapping, Node)):
        raise PydanticCustomError(
            "schedule_type",
            "a schedule is text, a number, a mapping or a node, not {given}",
            {"given": type(value).__name__},
        )
    if isinstance(value, str) and value.lstrip().startswith("{"):
        return load(value)  # the mapping form as JSON text (an environment variable, say)
    return to_node(value)


if TYPE_CHECKING:
    ScheduleSpec = Annotated[Node, ScheduleSpecType()]
else:
    ScheduleSpec = Annotated[Any, ScheduleSpecType()]
