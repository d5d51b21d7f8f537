"""Tab-separated cells by one rule (the CSVW dialect of :mod:`igfkg.release.tables`): a cell
that holds a tab, a line break or a double quote is put in double quotes with its double quotes
doubled, as in CSV; several values in one cell are joined with ``|``, each with ``\\`` written
``\\\\`` and ``|`` written ``\\|``.

>>> join_values(["a|b", "c"])
'a\\\\|b|c'
>>> split_values(join_values(["a|b", "back\\\\slash", ""])) == ["a|b", "back\\\\slash", ""]
True
>>> cell('say "hi"\\tthere')
'"say ""hi""\\tthere"'
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["cell", "join_values", "row", "split_values"]


def cell(value: str) -> str:
    """A cell as written: quoted (CSV style) if it holds a tab, line break or double quote."""
    if any(c in value for c in '\t\n\r"'):
        return '"' + value.replace('"', '""') + '"'
    return value


def join_values(values: Iterable[str]) -> str:
    """Several values in one cell: each with ``\\`` and ``|`` escaped, joined with ``|``."""
    return "|".join(v.replace("\\", "\\\\").replace("|", "\\|") for v in values)


def split_values(text: str) -> list[str]:
    """The values of a multi-valued cell (the inverse of :func:`join_values`); none if empty."""
    if text == "":
        return []
    values, current, chars = [], [], iter(text)
    for char in chars:
        if char == "\\":
            current.append(next(chars, ""))
        elif char == "|":
            values.append("".join(current))
            current = []
        else:
            current.append(char)
    values.append("".join(current))
    return values


def row(values: Iterable[str]) -> str:
    """One line of cells (without its line end)."""
    return "\t".join(cell(v) for v in values)
