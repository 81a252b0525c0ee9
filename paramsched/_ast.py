"""Transitional alias of paramsched.language (removed once nothing imports it)."""

from paramsched._limits import MAX_DEPTH, MAX_EVENTS
from paramsched.language.mappings import ScheduleModel as Schedule
from paramsched.language.mappings import json_schema, load
from paramsched.language.nodes import *  # noqa: F403
from paramsched.language.nodes import MODELS, AnyNode, check_root
from paramsched.language.nodes import Node as _Node

Node = AnyNode
MODEL_BY_KIND = {model.model_fields["kind"].default: model for model in MODELS}
KINDS = tuple(MODEL_BY_KIND)
__all__ = ["KINDS", "MAX_DEPTH", "MAX_EVENTS", "MODEL_BY_KIND", "Node", "Schedule", "_Node", "check_root", "json_schema", "load"]
