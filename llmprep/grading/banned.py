"""Handwriting rules: find forbidden APIs in a submission's AST before it runs.

Rules are written as
- a dotted path, `torch.nn.functional.softmax`: matched after resolving the file's import aliases
  (`import torch.nn.functional as F` makes `F.softmax` that path), also when referenced without a call;
- `.name`: any attribute access `x.name` (tensor methods such as `.softmax`, list `.sort`);
- a bare name, `sorted`: the builtin;
- `import:mod`: importing the module `mod` at all.
"""

from __future__ import annotations

import ast


def _dotted(node: ast.AST) -> str | None:
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return None


def scan(source: str, rules: tuple[str, ...]) -> list[dict[str, str]]:
    """Problems as verdict checks (status `banned` or `error`); empty when the source follows the rules."""
    try:
        tree = ast.parse(source)
    except SyntaxError as exc:
        line = f"line {exc.lineno}: " if exc.lineno else ""
        return [{"name": "syntax", "status": "error", "message": f"{line}{exc.msg}", "hint": ""}]
    aliases: dict[str, str] = {}
    found: list[tuple[int, str]] = []
    modules = {r.removeprefix("import:") for r in rules if r.startswith("import:")}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                aliases[alias.asname or alias.name.split(".")[0]] = (
                    alias.name if alias.asname else alias.name.split(".")[0]
                )
                if alias.name.split(".")[0] in modules:
                    found.append((node.lineno, f"import {alias.name}"))
        elif isinstance(node, ast.ImportFrom) and node.module:
            for alias in node.names:
                aliases[alias.asname or alias.name] = f"{node.module}.{alias.name}"
            if node.module.split(".")[0] in modules:
                found.append((node.lineno, f"from {node.module} import ..."))
    paths = {r for r in rules if "." in r and not r.startswith(".") and not r.startswith("import:")}
    methods = {r[1:] for r in rules if r.startswith(".")}
    builtins = {r for r in rules if "." not in r and ":" not in r}
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute | ast.Name) and isinstance(getattr(node, "ctx", None), ast.Load):
            dotted = _dotted(node)
            if dotted is None and isinstance(node, ast.Attribute) and node.attr in methods:
                found.append((node.lineno, f".{node.attr}"))
                continue
            if dotted is None:
                continue
            head, _, rest = dotted.partition(".")
            resolved = aliases.get(head, head) + (f".{rest}" if rest else "")
            if resolved in paths:
                found.append((node.lineno, dotted))
            elif isinstance(node, ast.Attribute) and node.attr in methods and resolved not in paths:
                found.append((node.lineno, f".{node.attr}"))
            elif isinstance(node, ast.Name) and node.id in builtins and node.id not in aliases:
                found.append((node.lineno, node.id))
    unique = sorted(set(found))
    return [
        {
            "name": "handwriting rules",
            "status": "banned",
            "message": f"line {line}: `{what}` is not allowed on this card: write it by hand",
            "hint": "",
        }
        for line, what in unique
    ]
