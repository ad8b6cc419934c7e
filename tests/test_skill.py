"""The stk-dev skill: its frontmatter, links, conformance of every example, and the catalogue."""

import re
import shutil
import subprocess
import warnings
from pathlib import Path

import pytest

from stk_lint.catalogue import CRITICAL_RULES, catalogue_markdown, pending_codes
from stk_lint.registry import BY_CODE
from stk_lint.skill import (
    BLOCK_PATHS,
    code_blocks,
    conformance,
    frontmatter_problems,
    packaged_skill,
    skill_files,
    split_frontmatter,
    validate,
)

ROOT = Path(__file__).resolve().parent.parent
# Codes other branches are adding; the catalogue may name them before they are registered.
KNOWN_PENDING = {"STK002", "STK202", "STK401", "STK402", "STK403", "STK501", "STK502"}


def _markdown_files():
    return [ROOT / relative for relative in skill_files(ROOT) if relative.suffix == ".md"]


def test_the_canonical_skill_is_valid():
    result = validate(ROOT, check_folder_name=False)
    assert result.problems == []


def test_the_packaged_skill_is_the_canonical_one():
    packaged = packaged_skill()
    assert skill_files(packaged) == skill_files(ROOT)
    for relative in skill_files(ROOT):
        assert (packaged / relative).read_bytes() == (ROOT / relative).read_bytes()


@pytest.mark.parametrize(
    "block",
    [
        pytest.param(block, id=f"{block.path.name}:{block.line}")
        for path in _markdown_files()
        for block in code_blocks(path.read_text(encoding="utf-8"), path)
        if block.language in BLOCK_PATHS
    ],
)
def test_every_example_block_conforms(block):
    """Each Python, template and JS block lints clean, or exactly as its marker says."""
    from stk_lint.skill import lint_block

    if block.skip is not None:
        pytest.skip(block.skip)
    missing = [code for code in block.expect if code not in BY_CODE]
    if missing:
        pytest.skip(f"expects rules not in this build: {missing}")
    assert lint_block(block) == block.expect


def test_the_skill_lays_a_project_out_one_way():
    """SKILL.md, its references, the seed and the sample app put a project's code in the
    `stk/` package: no example may place files in an `app/` folder instead. (The
    `<!-- stk-lint: as PATH -->` markers only say how a block is linted.)"""
    for path in _markdown_files():
        text = re.sub(r"<!-- stk-lint:.*?-->", "", path.read_text(encoding="utf-8"))
        assert re.findall(r"(?<![\w./-])app/[\w./-]*", text) == [], path.name
    assert (ROOT / "tests" / "sample_app" / "stk" / "extensions.py").is_file()


def test_skip_markers_stay_few_and_explained():
    skipped = [
        (path.name, block.line, block.skip)
        for path in _markdown_files()
        for block in code_blocks(path.read_text(encoding="utf-8"), path)
        if block.skip is not None
    ]
    # Only the catalogue's unreadable-file example (a NUL byte cannot be shown as text).
    assert [(name, reason) for name, _, reason in skipped] == [
        ("rules.md", "the example stands for bytes that are not text")
    ]


def test_skill_md_has_the_languages_the_conformance_check_covers():
    text = (ROOT / "SKILL.md").read_text(encoding="utf-8")
    languages = {block.language for block in code_blocks(text, Path("SKILL.md"))}
    assert {"python", "jinja", "js"} <= languages


def test_frontmatter_as_issue_6_asks():
    fields, body, error = split_frontmatter((ROOT / "SKILL.md").read_text(encoding="utf-8"))
    assert error == ""
    assert fields["name"] == "stk-dev"
    assert fields["user-invocable"] is False
    assert 200 < len(fields["description"]) <= 1024
    assert body.count("\n") < 500
    for word in ("models", "views", "templates", "queries", "auth", "Vue"):
        assert word.lower() in fields["description"].lower()


def test_every_reference_file_is_linked_and_described_from_skill_md():
    text = (ROOT / "SKILL.md").read_text(encoding="utf-8")
    for reference in sorted((ROOT / "references").glob("*.md")):
        assert re.search(
            rf"\[references/{reference.name}\]\(references/{reference.name}\): \S", text
        )


# --- validation catches what it should -------------------------------------------------


def _skill(tmp_path, frontmatter, body="# x\n", folder="stk-dev", references=None):
    root = tmp_path / folder
    (root / "references").mkdir(parents=True)
    (root / "SKILL.md").write_text(f"---\n{frontmatter}---\n{body}", encoding="utf-8")
    for name, text in (references or {}).items():
        (root / "references" / name).write_text(text, encoding="utf-8")
    return root


def test_validate_reports_frontmatter_problems(tmp_path):
    root = _skill(tmp_path, "name: Stk_Dev\ndescription: ''\nuser-invocable: 'no'\ncolour: red\n")
    problems = validate(root).problems
    assert any("`name` 'Stk_Dev'" in p for p in problems)
    assert any("does not match the folder name" in p for p in problems)
    assert any("`description` is required" in p for p in problems)
    assert any("`user-invocable` must be true or false" in p for p in problems)
    assert any("`colour` is not a skill field" in p for p in problems)


def test_validate_notes_claude_code_only_fields_without_failing():
    problems, notes = frontmatter_problems(
        {"name": "stk-dev", "description": "d", "paths": ["**/*.py"], "license": "MIT"},
        "stk-dev",
    )
    assert problems == []
    assert notes == [
        "`paths` is a Claude Code field; the portable Agent Skills spec does not define it"
    ]


def test_validate_rejects_long_descriptions_and_angle_brackets():
    problems, _ = frontmatter_problems({"name": "a", "description": "x" * 1025}, None)
    assert problems == ["`description` has 1025 characters; the limit is 1024"]
    problems, _ = frontmatter_problems({"name": "a", "description": "use <b>"}, None)
    assert problems == ["`description` must not contain `<` or `>`"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("# no frontmatter\n", "must start with a `---` line"),
        ("---\nname: a\n", "not closed"),
        ("---\nname: [a\n---\n", "not valid YAML"),
        ("---\n- a\n---\n", "must be a mapping"),
    ],
)
def test_validate_reports_broken_frontmatter(tmp_path, text, message):
    root = tmp_path / "stk-dev"
    root.mkdir()
    (root / "SKILL.md").write_text(text, encoding="utf-8")
    [problem] = validate(root).problems
    assert message in problem


def test_validate_reports_missing_and_unlinked_references(tmp_path):
    root = _skill(
        tmp_path,
        "name: stk-dev\ndescription: d\n",
        body="See [gone](references/gone.md) and [a](references/a.md#top).\n",
        references={"a.md": "# a\n", "orphan.md": "# o\n"},
    )
    assert validate(root).problems == [
        "SKILL.md: link to missing file references/gone.md",
        "references/orphan.md is not linked from SKILL.md, so it is never read",
    ]


def test_conformance_catches_a_flask_habit_and_a_wrong_expectation(tmp_path):
    body = (
        "```python\nfrom flask import Flask\n```\n\n"
        "<!-- stk-lint: expect STK201 -->\n```python\nfrom flask import g\n```\n\n"
        "<!-- stk-lint: expect STK101 -->\n````py\nimport flask_login\n````\n\n"
        "```sh\nfrom flask import Flask\n```\n"
    )
    root = _skill(tmp_path, "name: stk-dev\ndescription: d\n", body=body)
    problems, notes = conformance(root)
    assert problems == [
        "SKILL.md:5: python block: expected no findings, got STK101",
        "SKILL.md:10: python block: expected STK201, got STK101",
    ]
    assert notes == []


def test_conformance_notes_blocks_that_expect_rules_not_yet_built(tmp_path):
    body = "<!-- stk-lint: expect STK999 -->\n```python\nx = 1\n```\n"
    root = _skill(tmp_path, "name: stk-dev\ndescription: d\n", body=body)
    problems, notes = conformance(root)
    assert problems == []
    assert notes == ["SKILL.md:6: not linted, expects rules this build lacks: STK999"]


def test_code_blocks_parse_markers_and_paths():
    text = (
        "<!-- stk-lint: expect STK501, STK101 as static/js/navigation.js -->\n"
        "```js\nx\n```\n"
        "<!-- stk-lint: as app/models.py -->\n"
        "```python\ny\n```\n"
    )
    first, second = code_blocks(text, Path("x.md"))
    assert (first.language, first.line, first.expect, first.lint_as) == (
        "js",
        2,
        ["STK101", "STK501"],
        "static/js/navigation.js",
    )
    assert (second.expect, second.lint_as, second.code) == ([], "app/models.py", "y\n")


# --- the catalogue ---------------------------------------------------------------------


def test_rules_md_is_up_to_date():
    current = (ROOT / "references" / "rules.md").read_text(encoding="utf-8")
    assert current == catalogue_markdown(), (
        "references/rules.md is out of date: run `stk-lint skill catalogue --write`"
    )


def test_every_registered_rule_is_in_the_catalogue():
    text = catalogue_markdown()
    for code, rule in BY_CODE.items():
        assert f"## {code} {rule.name}\n" in text


def test_critical_rules_table_matches_skill_md():
    text = (ROOT / "SKILL.md").read_text(encoding="utf-8")
    section = text.split("## Critical rules\n", 1)[1].split("\n## ", 1)[0]
    keys = [key.rstrip(".") for key in re.findall(r"^- \*\*(.+?)\*\*", section, re.M)]
    assert keys == [rule.key for rule in CRITICAL_RULES]


def test_critical_rules_name_codes_another_tool_or_a_reason():
    for rule in CRITICAL_RULES:
        given = [bool(rule.codes), bool(rule.checked_by_other_tool), bool(rule.unchecked_because)]
        assert given.count(True) == 1, rule.key


def test_critical_rules_name_only_registered_or_known_pending_codes():
    pending = pending_codes()
    unknown = sorted(set(pending) - KNOWN_PENDING)
    assert unknown == [], f"the critical-rules table names codes nobody is building: {unknown}"
    if pending:
        warnings.warn(
            f"rules named by SKILL.md's critical rules but not in this build: {', '.join(pending)}; "
            "regenerate references/rules.md once they are merged",
            stacklevel=1,
        )


def _template_blocks():
    for path in _markdown_files():
        for block in code_blocks(path.read_text(encoding="utf-8"), path):
            if block.language in ("jinja", "html"):
                yield pytest.param(block.code, id=f"{path.name}:{block.line}")


@pytest.mark.parametrize("code", list(_template_blocks()))
def test_no_script_tag_inside_the_mounted_element(code):
    """`content` is inside #app: Vue empties it on mount, so a <script> there is gone."""
    content = re.search(r"{% block content %}(.*?){% endblock %}", code, re.S)
    assert content is None or "<script" not in content.group(1)


def _scripts():
    """Every JS example: js blocks, and the <script> of each template block."""
    for path in _markdown_files():
        for block in code_blocks(path.read_text(encoding="utf-8"), path):
            if block.language in ("js", "javascript"):
                yield pytest.param(block.code, id=f"{path.name}:{block.line}")
            elif block.language in ("jinja", "html"):
                for script in re.findall(r"<script>\n(.*?)</script>", block.code, re.S):
                    yield pytest.param(script, id=f"{path.name}:{block.line}")


@pytest.mark.skipif(shutil.which("node") is None, reason="Node.js is not installed")
@pytest.mark.parametrize("code", list(_scripts()))
def test_js_examples_parse(code, tmp_path):
    script = tmp_path / "example.mjs"
    script.write_text(code, encoding="utf-8")
    done = subprocess.run(
        ["node", "--check", str(script)], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
