"""No eval, exec, pickle or unsafe torch.load anywhere in the package: user text is never code."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "paramsched"


def calls(tree: ast.AST) -> list[ast.Call]:
    return [node for node in ast.walk(tree) if isinstance(node, ast.Call)]


def name_of(call: ast.Call) -> str:
    function = call.func
    parts = []
    while isinstance(function, ast.Attribute):
        parts.append(function.attr)
        function = function.value
    if isinstance(function, ast.Name):
        parts.append(function.id)
    return ".".join(reversed(parts))


def test_package_source_has_no_code_execution_or_unpickling() -> None:
    forbidden = {"eval", "exec", "compile", "pickle.load", "pickle.loads", "marshal.loads", "__import__"}
    problems = []
    files = sorted(PACKAGE.rglob("*.py"))
    assert files
    for path in files:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for call in calls(tree):
            name = name_of(call)
            if name in forbidden:
                problems.append(f"{path.name}:{call.lineno}: {name}")
            if name.endswith("torch.load"):
                keywords = {k.arg: k.value for k in call.keywords}
                flag = keywords.get("weights_only")
                if not (isinstance(flag, ast.Constant) and flag.value is True):
                    problems.append(f"{path.name}:{call.lineno}: torch.load without weights_only=True")
    assert problems == []


def test_the_scan_catches_what_it_looks_for(tmp_path: Path) -> None:
    tree = ast.parse("eval(x)\ntorch.load(f)\n")
    names = [name_of(call) for call in calls(tree)]
    assert names == ["eval", "torch.load"]
