"""Small libcst helpers the rules' fixes share: inserting into comma-separated lists."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

import libcst as cst

Item = TypeVar("Item", cst.Arg, cst.ImportAlias)

_SPACE = cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))


def insert_item(
    items: Sequence[Item], index: int, new: Item, single: cst.Comma | None = None
) -> list[Item]:
    """`items` with `new` at `index`, commas arranged the way the list already writes them.

    Appending to a list with a trailing comma (a multi-line call) keeps the trailing
    comma on the new last item and gives the old last item the separator the others use.
    `single`: the separator to use when the list has one item, so none to copy (a
    multi-line call passes its own line break and indentation).
    """
    result = list(items)
    if not result:
        return [new.with_changes(comma=cst.MaybeSentinel.DEFAULT)]
    separator = next(
        (item.comma for item in result[:-1] if isinstance(item.comma, cst.Comma)),
        single or _SPACE,
    )
    if index >= len(result):
        last = result[-1]
        trailing = last.comma if isinstance(last.comma, cst.Comma) else cst.MaybeSentinel.DEFAULT
        if isinstance(last, cst.Arg) and isinstance(new, cst.Arg):
            # The space before `)` (a line break in a multi-line call) follows the last
            # argument: it moves to the new last one.
            new = new.with_changes(whitespace_after_arg=last.whitespace_after_arg)
            last = last.with_changes(whitespace_after_arg=cst.SimpleWhitespace(""))
        result[-1] = last.with_changes(comma=separator)
        result.append(new.with_changes(comma=trailing))
        return result
    result.insert(index, new.with_changes(comma=separator))
    return result
