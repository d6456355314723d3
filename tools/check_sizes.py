"""House limits on size: functions under ~60 lines, at most 5 positional parameters, modules
under ~300 lines of logic (docstrings, comments and blank lines not counted).

``python tools/check_sizes.py`` lists the offenders; ``tests/architecture/test_sizes.py`` fails
on any, so the limits hold in CI.
"""

from __future__ import annotations

import ast
import io
import tokenize
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCES = sorted(
    p for pkg in ("foundation", "catalog", "recommender") for p in (ROOT / pkg).rglob("*.py")
) + [ROOT / "app.py", *sorted((ROOT / "pages").glob("*.py"))]
MAX_FUNCTION_LINES = 60
MAX_POSITIONAL = 5
MAX_MODULE_LOGIC_LINES = 300


def _docstring_lines(tree: ast.AST) -> set[int]:
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
                    and isinstance(body[0].value.value, str):
                lines.update(range(body[0].lineno, (body[0].end_lineno or body[0].lineno) + 1))
    return lines


def logic_lines(source: str) -> set[int]:
    """Line numbers that hold code: no blank, comment-only or docstring lines."""
    tree = ast.parse(source)
    doc = _docstring_lines(tree)
    code: set[int] = set()
    for tok in tokenize.generate_tokens(io.StringIO(source).readline):
        if tok.type in (tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT,
                        tokenize.DEDENT, tokenize.ENDMARKER):
            continue
        code.update(range(tok.start[0], tok.end[0] + 1))
    return code - doc


def _functions(tree: ast.AST) -> list[ast.FunctionDef | ast.AsyncFunctionDef]:
    return [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]


def _is_method(fn: ast.FunctionDef | ast.AsyncFunctionDef, tree: ast.AST) -> bool:
    return any(isinstance(n, ast.ClassDef) and fn in n.body for n in ast.walk(tree))


def offenders() -> dict[str, list[str]]:
    out: dict[str, list[str]] = {"functions": [], "params": [], "modules": []}
    for path in SOURCES:
        source = path.read_text(encoding="utf-8")
        rel = path.relative_to(ROOT)
        code = logic_lines(source)
        if len(code) > MAX_MODULE_LOGIC_LINES:
            out["modules"].append(f"{rel}: {len(code)} lines of logic")
        tree = ast.parse(source)
        for fn in _functions(tree):
            span = set(range(fn.lineno, (fn.end_lineno or fn.lineno) + 1))
            # Nested functions count in their parent too: the parent is what a reader reads.
            n = len(span & code)
            if n > MAX_FUNCTION_LINES:
                out["functions"].append(f"{rel}:{fn.lineno} {fn.name}: {n} lines")
            positional = fn.args.posonlyargs + fn.args.args
            # Only a method's first parameter is exempt (a parameter merely named ``cls``
            # elsewhere, e.g. an instance class, counts).
            if positional and positional[0].arg in ("self", "cls") and _is_method(fn, tree):
                positional = positional[1:]
            if len(positional) > MAX_POSITIONAL:
                out["params"].append(f"{rel}:{fn.lineno} {fn.name}: {len(positional)} positional")
    return out


if __name__ == "__main__":
    for kind, rows in offenders().items():
        print(f"{kind}: {len(rows)}")
        for row in rows:
            print("  ", row)
