"""Small libcst helpers the rules' fixes share: inserting into comma-separated lists."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

import libcst as cst

Item = TypeVar("Item", cst.Arg, cst.ImportAlias)

_SPACE = cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))


def insert_item(items: Sequence[Item], index: int, new: Item) -> list[Item]:
    """`items` with `new` at `index`, commas arranged the way the list already writes them.

    Appending to a list with a trailing comma (a multi-line call) keeps the trailing
    comma on the new last item and gives the old last item the separator the others use.
    """
    result = list(items)
    if not result:
        return [new.with_changes(comma=cst.MaybeSentinel.DEFAULT)]
    separator = next(
        (item.comma for item in result[:-1] if isinstance(item.comma, cst.Comma)), _SPACE
    )
    if index >= len(result):
        last = result[-1]
        trailing = last.comma if isinstance(last.comma, cst.Comma) else cst.MaybeSentinel.DEFAULT
        result[-1] = last.with_changes(comma=separator)
        result.append(new.with_changes(comma=trailing))
        return result
    result.insert(index, new.with_changes(comma=separator))
    return result
