"""Findings the engine produces itself, documented like every other rule."""

from stk_lint.rule import EngineRule


class SyntaxErrorRule(EngineRule):
    code = "STK001"
    name = "syntax-error"
    summary = "A Python file that does not parse."
    why = (
        "stk-lint cannot check a file it cannot parse, and neither can Python import it. "
        "The finding points at the first error; the run goes on with the other files."
    )
    limits = (
        "CPython's parser decides whether a file is valid Python. A file CPython accepts but "
        "libcst (the parser the rules use) cannot parse is reported only when some enabled "
        "rule could fire on it: stk-lint does not parse files no rule needs (see "
        "`Rule.requires`), and such a file has nothing to check. Nesting deep enough to "
        "overflow a parser is reported as this finding too, without the tree."
    )
    bad = "async def index(:\n    return await render_template('index.html')\n"
    good = "async def index():\n    return await render_template('index.html')\n"


class UnreadableFile(EngineRule):
    code = "STK003"
    name = "unreadable-file"
    summary = "A file that cannot be read or decoded: binary, not valid UTF-8, or an I/O error."
    why = (
        "Python sources and templates in an stk project are UTF-8 text. A file that cannot be "
        "read is reported instead of being silently skipped, so nothing escapes the check."
    )
    bad = "x = 1\x00\n"
    good = "x = 1\n"
