"""A small HCL document model and its writer, in ``terraform fmt``'s layout.

The layout follows Terraform's style conventions
(https://developer.hashicorp.com/terraform/language/style): two spaces per nesting level,
and the equals signs of consecutive single-line arguments at one level aligned.  A nested
block (or a blank line) ends such a run of arguments.  :func:`to_json` writes the same
document in Terraform's JSON syntax
(https://developer.hashicorp.com/terraform/language/syntax/json).
"""

from __future__ import annotations

import json
import re
from typing import Any


class Expr(str):
    """An HCL expression written as is (a reference, a function call)."""


class Block:
    """An HCL block: ``type "label" ... { body }``; ``body`` is a list of (key, value).

    A value that is a :class:`Block` is a nested block named by its key (its own ``btype``
    is ignored); a None value is left out.
    """

    def __init__(self, btype: str, *labels: str, body: list[tuple[str, Any]] | None = None):
        self.btype, self.labels, self.body = btype, labels, list(body or [])


def nested(*body: tuple[str, Any]) -> Block:
    """A nested block's body (its name is the key it is given under)."""
    return Block("", body=list(body))


def _key(k: str) -> str:
    return k if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", k) else json.dumps(k)


def _string(v: str) -> str:
    # HCL strings are JSON strings plus template escapes.
    return json.dumps(v).replace("${", "$${").replace("%{", "%%{")


def value(v: Any) -> str:
    """``v`` as a one-line HCL expression."""
    if isinstance(v, Expr):
        return str(v)
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int | float):
        return repr(v)
    if isinstance(v, str):
        return _string(v)
    if isinstance(v, list | tuple):
        return "[" + ", ".join(value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{_key(k)} = {value(x)}" for k, x in v.items()) + " }"
    raise TypeError(f"cannot write {type(v).__name__} as HCL")


def _lines(block: Block, name: str, indent: int) -> list[str]:
    pad = "  " * indent
    items = [(k, v) for k, v in block.body if v is not None]
    if not items:
        return [f"{pad}{name} {{}}"]
    out, run = [f"{pad}{name} {{"], []
    for k, v in [*items, ("", None)]:  # a sentinel ends the last run
        if v is not None and not isinstance(v, Block):
            run.append((k, v))
            continue
        width = max((len(a) for a, _ in run), default=0)
        out += [f"{pad}  {a.ljust(width)} = {value(x)}" for a, x in run]
        run = []
        if isinstance(v, Block):
            out += _lines(v, k, indent + 1)
    return out + [f"{pad}}}"]


def render(block: Block) -> str:
    """One top-level block as HCL text."""
    head = " ".join([block.btype, *(json.dumps(label) for label in block.labels)])
    return "\n".join(_lines(block, head, 0))


def document(blocks: list[Block], header: list[str]) -> str:
    """The blocks as one HCL file, ``header`` lines as comments on top."""
    comments = "".join(f"# {line}\n" for line in header)
    return comments + "\n" + "\n\n".join(render(b) for b in blocks) + "\n"


# --------------------------------------------------------------------------- Terraform JSON


def _json_value(v: Any) -> Any:
    """A value in JSON syntax: an expression becomes a ``${...}`` template string."""
    if isinstance(v, Expr):
        return "${" + str(v) + "}"
    if isinstance(v, str):
        return v.replace("${", "$${").replace("%{", "%%{")
    if isinstance(v, list | tuple):
        return [_json_value(x) for x in v]
    if isinstance(v, dict):
        return {k: _json_value(x) for k, x in v.items()}
    return v


def _json_body(block: Block, *, literal_type: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in block.body:
        if v is None:
            continue
        if isinstance(v, Block):
            # A repeated nested block is a JSON array of its bodies.
            body = _json_body(v)
            out[k] = [*out[k], body] if isinstance(out.get(k), list) else (
                [out[k], body] if k in out else body)
        elif literal_type and k == "type":
            out[k] = str(v)  # a variable's type is a type expression written as a string
        else:
            out[k] = _json_value(v)
    return out


def to_json(blocks: list[Block], comment: str) -> str:
    """The blocks in Terraform's JSON syntax; ``comment`` in the root ``//`` property."""
    root: dict[str, Any] = {"//": comment}
    for b in blocks:
        node = root.setdefault(b.btype, {})
        for label in b.labels[:-1]:
            node = node.setdefault(label, {})
        body = _json_body(b, literal_type=b.btype == "variable")
        if b.labels:
            node[b.labels[-1]] = body
        else:
            node.update(body)
    return json.dumps(root, indent=2) + "\n"
