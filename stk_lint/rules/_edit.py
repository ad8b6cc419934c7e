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
    separator = _without_comment(
        next(
            (item.comma for item in result[:-1] if isinstance(item.comma, cst.Comma)),
            single or _SPACE,
        )
    )
    if index >= len(result):
        last = result[-1]
        trailing = last.comma if isinstance(last.comma, cst.Comma) else cst.MaybeSentinel.DEFAULT
        if isinstance(trailing, cst.Comma):
            # The line break before `)` moves to the new last item; the comment on the old
            # last item's line (and lines below it) stays with it.
            separator, after = _keep_comments(separator, trailing.whitespace_after)
            trailing = trailing.with_changes(whitespace_after=after)
        elif isinstance(last, cst.Arg) and isinstance(new, cst.Arg):
            # The space before `)` (a line break in a multi-line call) follows the last
            # argument: it moves to the new last one, its comment stays.
            separator, after = _keep_comments(separator, last.whitespace_after_arg)
            new = new.with_changes(whitespace_after_arg=after)
            last = last.with_changes(whitespace_after_arg=cst.SimpleWhitespace(""))
        result[-1] = last.with_changes(comma=separator)
        result.append(new.with_changes(comma=trailing))
        return result
    result.insert(index, new.with_changes(comma=separator))
    return result


def _without_comment(comma: cst.Comma) -> cst.Comma:
    """A separator copied from another item, less the comment on that item's line."""
    after = comma.whitespace_after
    if isinstance(after, cst.ParenthesizedWhitespace):
        after = after.with_changes(first_line=cst.TrailingWhitespace(), empty_lines=())
    return comma.with_changes(whitespace_after=after)


def _keep_comments(
    separator: cst.Comma, before_close: cst.BaseParenthesizableWhitespace
) -> tuple[cst.Comma, cst.BaseParenthesizableWhitespace]:
    """(the separator after the old last item, the whitespace before the closing
    bracket) when a new item is appended: the comment ending the old last item's line,
    and the comment lines below it, stay after that item."""
    line_break = separator.whitespace_after
    if not isinstance(before_close, cst.ParenthesizedWhitespace) or not isinstance(
        line_break, cst.ParenthesizedWhitespace
    ):
        return separator, before_close  # on one line: the comment stays on it anyway
    kept = line_break.with_changes(
        first_line=before_close.first_line, empty_lines=before_close.empty_lines
    )
    rest = before_close.with_changes(first_line=cst.TrailingWhitespace(), empty_lines=())
    return separator.with_changes(whitespace_after=kept), rest
