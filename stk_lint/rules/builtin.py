"""Findings the engine produces itself, documented like every other rule."""

from stk_lint.rule import EngineRule, Invalid, Option


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
        "libcst (the parser the rules use) cannot parse (thousands of implicitly "
        "concatenated strings, for one) is reported as `valid Python that libcst cannot "
        "parse: ...`, and only when some enabled rule could fire on it: stk-lint does not "
        "parse files no rule needs (see `Rule.requires`), and such a file has nothing to "
        "check. Nesting deep enough to overflow a parser is reported as this finding too, "
        "without the tree."
    )
    bad = "async def index(:\n    return await render_template('index.html')\n"
    good = "async def index():\n    return await render_template('index.html')\n"


class UnreadableFile(EngineRule):
    code = "STK003"
    name = "unreadable-file"
    summary = (
        "A file that cannot be read or decoded (binary, not valid UTF-8, an I/O error), "
        "or too large to check."
    )
    options = {
        "max-file-size-kb": Option(
            default=1024,
            help="Files larger than this many KiB are reported instead of parsed (the Python "
            "parser needs about 1 GB of memory and several seconds per MB of dense code).",
        )
    }
    why = (
        "Python sources and templates in an stk project are UTF-8 text. A file that cannot be "
        "read is reported instead of being silently skipped, so nothing escapes the check."
    )
    bad = "x = 1\x00\n"
    good = "x = 1\n"


class UnusedSuppression(EngineRule):
    code = "STK900"
    name = "unused-suppression"
    summary = "A `# noqa` or `# stk-lint: ignore[...]` comment that silenced nothing."
    why = (
        "A suppression outlives the code it was written for: after a fix or a refactor it "
        "silences nothing today and hides the next real finding on that line tomorrow. "
        "Removing stale ones keeps every remaining suppression meaningful."
    )
    bad = 'from quart import Blueprint\n\nbp = Blueprint("things", __name__)  # noqa\n'
    good = 'from quart import Blueprint\n\nbp = Blueprint("things", __name__)\n'
    default_enabled = False
    example_path = "app/views.py"
    limits = (
        "Only codes whose rules ran in this run are judged: codes of other tools (`E501`) "
        "and stk-lint rules that are not selected are left alone. A bare `# noqa` (or "
        "`# stk-lint: ignore`) is judged only when every stk-lint rule that checks the file "
        "ran, so `--select`, `--ignore` or a per-file ignore leaves it alone; it is judged "
        "on stk-lint's rules only, so one kept for another linter is reported too: write "
        "`# noqa: E501` for those. A code of stk-lint's that names no rule (`STK999`, a "
        "prefix such as `STK2`: suppressions match whole codes; in `stk-lint: ignore[...]` "
        "any code) and an empty `ignore[]` silence nothing in any run and are always "
        "reported. The fix takes out only the directive (or its unused codes) with the "
        "reason written after it; other comments on the line (`# type: ignore`, "
        "`# pragma: no cover`) stay as written."
    )
    fix = "safe"
    valid = (
        "x = 1  # noqa: E501\n",
        "import flask  # noqa: STK101  (a legacy module, kept on purpose)\n",
        "url = 'https://example.com/#noqa'\n",
    )
    invalid = (
        "x = 1  # stk-lint: ignore\n",
        Invalid("# noqa\nx = 1\n", expected_fix="x = 1\n"),
        "x = 1  # NOQA\n",
        Invalid(
            "x = 1  # type: ignore  # noqa: STK999\n",
            expected_fix="x = 1  # type: ignore\n",
        ),
        "x = 1  # stk-lint: ignore[]\n",
    )
