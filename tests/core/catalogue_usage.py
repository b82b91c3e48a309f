"""Which catalogue keys the code uses, found by reading the code (no import, no run).

A key is used when it appears as a string literal, when an f-string or a
concatenation in the code can produce it (`f"validators.{code}.message"`), or
when a module's own shorthand adds a prefix (`def t(key): return
text(f"consolidation.{key}")`, then `t("cli.files")`). A hint is used when its
message is: `Issue.hint_key` derives `<x>.hint` from `<x>.message`.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable
from pathlib import Path

PART = r"[A-Za-z0-9_\-]+"


def _pattern(node: ast.AST) -> str | None:
    """A regex for the strings an expression can produce (None when it cannot tell)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return re.escape(node.value)
    if isinstance(node, ast.JoinedStr):
        out = []
        for part in node.values:
            if isinstance(part, ast.Constant):
                out.append(re.escape(str(part.value)))
            else:
                out.append(PART)
        return "".join(out)
    if isinstance(node, ast.IfExp):
        body, orelse = _pattern(node.body), _pattern(node.orelse)
        return f"(?:{body}|{orelse})" if body and orelse else None
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _pattern(node.left), _pattern(node.right)
        return (left or PART) + (right or PART)
    return None


def _shorthands(tree: ast.AST) -> dict[str, str]:
    """Functions like `def t(key, **v): return text(f"consolidation.{key}", **v)`: name -> prefix."""
    out: dict[str, str] = {}
    for node in ast.walk(tree):
        if not isinstance(node, ast.FunctionDef) or not node.args.args:
            continue
        param = node.args.args[0].arg
        for sub in ast.walk(node):
            if isinstance(sub, ast.Call) and sub.args and isinstance(sub.args[0], ast.JoinedStr):
                parts = sub.args[0].values
                if (len(parts) == 2 and isinstance(parts[0], ast.Constant)
                        and isinstance(parts[1], ast.FormattedValue)
                        and isinstance(parts[1].value, ast.Name) and parts[1].value.id == param):
                    out[node.name] = str(parts[0].value)
    return out


_TEMPLATE_STRING = re.compile(r"""["']([a-z][a-z0-9_]*(?:\.[A-Za-z0-9_\-]+)+\.?)["'](\s*~)?""")


def _template_patterns(source: str) -> set[str]:
    """Keys in Jinja templates: `t("portal.x")`, and `t("portal.status." ~ value)` as a prefix."""
    out = set()
    for m in _TEMPLATE_STRING.finditer(source):
        key, joined = m.group(1), m.group(2)
        out.add(re.escape(key) + (PART if joined or key.endswith(".") else ""))
    return out


def used_patterns(files: Iterable[Path]) -> list[re.Pattern[str]]:
    patterns: set[str] = set()
    for path in files:
        if path.suffix != ".py":
            patterns |= _template_patterns(path.read_text(encoding="utf-8"))
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        shorthands = _shorthands(tree)
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in shorthands:
                if node.args:
                    inner = _pattern(node.args[0])
                    if inner:
                        patterns.add(re.escape(shorthands[node.func.id]) + inner)
            pat = _pattern(node) if isinstance(node, ast.Constant | ast.JoinedStr | ast.BinOp) else None
            if pat and "." in pat:
                patterns.add(pat)
    return [re.compile(p) for p in patterns]


def unused_keys(keys: Iterable[str], files: Iterable[Path]) -> list[str]:
    keys = list(keys)
    patterns = used_patterns(files)
    used = {k for k in keys if any(p.fullmatch(k) for p in patterns)}
    used |= {k for k in keys if k.endswith(".hint") and k[: -len("hint")] + "message" in used}
    return sorted(set(keys) - used)
