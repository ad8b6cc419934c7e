"""Property-based: stk-lint never crashes, and `--fix` output always re-parses and is stable."""

import re

import hypothesmith
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stk_lint.findings import Edit, Finding, Fix
from stk_lint.fixing import apply_fixes, fix_source, select_fixes
from stk_lint.pipeline import reparse_python
from stk_lint.registry import ALL_RULES
from stk_lint.testing import lint

BOUNDED = settings(deadline=None, max_examples=40, suppress_health_check=[HealthCheck.too_slow])

PYTHON_EXAMPLES = [
    example
    for rule in ALL_RULES
    if rule.example_path.endswith(".py")
    for example in (rule.bad, rule.good, *(case.code for case in rule.invalid_cases()), *rule.valid)
]


def fix_everything(source):
    return fix_source(source, lambda text: lint(text), reparse_python, unsafe=True)


@BOUNDED
@given(st.binary(max_size=400))
def test_any_bytes_give_findings_not_exceptions(data):
    for path in ("app/views.py", "app/templates/page.html", "app/static/app.js"):
        lint(data, path)


@BOUNDED
@given(
    st.text(alphabet=st.sampled_from("()[]{}:=,.'\"#\\\n\r\t\f ab1+-*@\x00\u2028"), max_size=200)
)
def test_python_punctuation_soup_never_crashes(text):
    for finding in lint(text):
        assert finding.line >= 1 and finding.column >= 1


@BOUNDED
@pytest.mark.filterwarnings("ignore::SyntaxWarning")  # hypothesmith compiles what it generates
@given(hypothesmith.from_grammar())
def test_grammatical_python_is_checked_and_fixes_reparse(source):
    outcome = fix_everything(source)
    assert outcome.error == ""
    if outcome.changed:
        assert reparse_python(outcome.source) is None


@st.composite
def stk_modules(draw):
    """Realistic modules: rule examples glued together, sometimes re-indented or CRLF."""
    parts = draw(st.lists(st.sampled_from(PYTHON_EXAMPLES), min_size=1, max_size=4))
    source = "\n".join(parts)
    if draw(st.booleans()):
        source = source.replace("\n", "\r\n")
    if draw(st.booleans()):  # the same code nested in a function
        body = "".join("    " + line if line.strip() else line for line in source.splitlines(True))
        source = "def factory():\n" + body + "\n    return None\n"
    return source


@BOUNDED
@given(stk_modules())
def test_fixes_on_stk_code_reparse_and_a_second_run_changes_nothing(source):
    outcome = fix_everything(source)
    assert outcome.error == ""
    if outcome.changed:
        assert reparse_python(outcome.source) is None
        assert not fix_everything(outcome.source).changed


@st.composite
def text_and_fixes(draw):
    text = draw(st.text(alphabet="abc\n", max_size=30))
    findings = []
    for number in range(draw(st.integers(0, 6))):
        edits = []
        for _ in range(draw(st.integers(1, 2))):
            start = draw(st.integers(0, len(text)))
            end = draw(st.integers(start, len(text)))
            edits.append(Edit(start, end, draw(st.text(alphabet="XY", max_size=3))))
        fix = Fix("f", draw(st.sampled_from(["safe", "unsafe"])), tuple(edits))
        findings.append(Finding("a.py", number + 1, 1, "STK101", "m", "n", 1, 1, fix))
    return text, findings


@settings(deadline=None, max_examples=200)
@given(text_and_fixes(), st.booleans())
def test_the_applier_takes_non_overlapping_whole_fixes(case, unsafe):
    text, findings = case
    chosen = select_fixes(findings, unsafe)
    edits = [e for f in chosen for e in f.fix.edits]
    assert all(unsafe or f.fix.applicability == "safe" for f in chosen)
    for i, a in enumerate(edits):
        for b in edits[i + 1 :]:
            assert a.end <= b.start or b.end <= a.start
            assert not (a.start == b.start == a.end == b.end)
    # Applying them is the same as splicing the kept text and the replacements in order.
    expected, position = [], 0
    for edit in sorted(edits, key=lambda e: e.start):
        expected += [text[position : edit.start], edit.content]
        position = edit.end
    expected.append(text[position:])
    assert apply_fixes(text, findings, unsafe)[0] == "".join(expected)


OTHER_TOOLS_COMMENTS = (
    "# type: ignore",
    "# type: ignore[attr-defined]",
    "# pragma: no cover",
    "# noqa: E501",
    "# fmt: skip",
)
EVERY_CODE = [rule.code for rule in ALL_RULES]


def _comment_ends(source: str) -> list[int]:
    """Offsets where a comment can be added: the ends of lines that end a statement or
    hold only a comment (never inside a string or a continued line)."""
    import io
    import tokenize

    from stk_lint.decoding import line_starts

    starts = line_starts(source)
    ends = []
    try:
        for token in tokenize.generate_tokens(io.StringIO(source, newline=None).readline):
            if token.type in (tokenize.NEWLINE, tokenize.NL) and token.string:
                line, column = token.start
                ends.append(starts[line - 1] + column)
    except (tokenize.TokenError, SyntaxError):
        return []
    return ends


@st.composite
def stk_modules_with_other_comments(draw):
    source = draw(stk_modules())
    ends = _comment_ends(source)
    if not ends:
        return source, []
    chosen = sorted(set(draw(st.lists(st.sampled_from(ends), min_size=1, max_size=6))))
    added = []
    for offset in reversed(chosen):
        comment = draw(st.sampled_from(OTHER_TOOLS_COMMENTS))
        if draw(st.booleans()):  # beside an stk-lint directive, used or not
            comment = draw(st.sampled_from(["# noqa: STK101  ", "# stk-lint: ignore[STK202]  "]))
            comment += draw(st.sampled_from(OTHER_TOOLS_COMMENTS))
        source = source[:offset] + "  " + comment + source[offset:]
        added.append(comment)
    return source, added


@BOUNDED
@given(stk_modules_with_other_comments())
def test_every_fix_keeps_the_comments_it_is_not_about(case):
    source, _ = case
    outcome = fix_source(
        source, lambda text: lint(text, select=EVERY_CODE), reparse_python, unsafe=True
    )
    assert outcome.error == ""
    for comment in OTHER_TOOLS_COMMENTS:
        # `# type: ignore` is also the start of `# type: ignore[...]`: count exact ones.
        pattern = re.escape(comment) + (r"(?!\[)" if comment == "# type: ignore" else "")
        assert len(re.findall(pattern, outcome.source)) == len(re.findall(pattern, source))


def _select_fixes_by_pairs(findings, unsafe):
    """select_fixes as first written: every new edit compared with every taken one."""
    from stk_lint.findings import applicable
    from stk_lint.fixing import _overlaps, _self_overlapping

    candidates = sorted(
        (f for f in findings if applicable(f.fix, unsafe)),
        key=lambda f: (min(e.start for e in f.fix.edits), f.code),
    )
    taken, chosen, seen = [], [], set()
    for finding in candidates:
        key = tuple((e.start, e.end, e.content) for e in finding.fix.edits)
        if key in seen:
            continue
        edits = finding.fix.edits
        if any(_overlaps(e, t) for e in edits for t in taken) or _self_overlapping(edits):
            continue
        seen.add(key)
        taken.extend(edits)
        chosen.append(finding)
    return chosen


@settings(deadline=None, max_examples=300)
@given(text_and_fixes(), st.booleans())
def test_the_linear_selection_takes_what_comparing_every_pair_takes(case, unsafe):
    _, findings = case
    assert select_fixes(findings, unsafe) == _select_fixes_by_pairs(findings, unsafe)


def test_choosing_among_many_fixes_compares_each_with_its_neighbours_only(monkeypatch):
    """5,000 fixes in a row: each edit is compared with a few taken ones, not with every
    one taken before it (25 million comparisons at 5,000 fixes, 800 million at 40,000)."""
    from stk_lint import fixing

    calls = []
    real = fixing._overlaps

    def counted(a, b):
        calls.append(1)
        return real(a, b)

    monkeypatch.setattr(fixing, "_overlaps", counted)
    count = 5_000
    text = "x" * (count * 3)
    findings = [
        Finding("a.py", 1, 1, "STK501", "m", "n", 1, 1, Fix("f", "safe", (Edit(i, i + 2, "yy"),)))
        for i in range(0, count * 3, 3)
    ]
    fixed, applied = apply_fixes(text, findings)
    assert len(applied) == count and fixed == "yyx" * count
    assert len(calls) <= 3 * count
