"""Output formats: json (public contract), concise, github annotations and SARIF 2.1.0."""

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from stk_lint.cli import main
from stk_lint.findings import Edit, Finding, Fix
from stk_lint.output import format_concise, format_github, format_json, format_sarif
from stk_lint.registry import ALL_RULES, BY_CODE


def make(path, code="STK101", message="`flask` is Flask", line=3, column=6, fix=None):
    return Finding(path, line, column, code, message, BY_CODE[code].name, line, column + 5, fix)


def test_json_keeps_its_public_shape():
    fix = Fix("Import from `quart`", "safe", (Edit(5, 10, "quart"),))
    (row,) = json.loads(format_json([make("app/views.py", fix=fix)]))
    assert list(row) == [
        *("code", "name", "message", "path", "line", "column", "end_line", "end_column", "fix")
    ]
    assert row["fix"] == {
        "message": "Import from `quart`",
        "applicability": "safe",
        "edits": [{"start": 5, "end": 10, "content": "quart"}],
    }


def test_concise_is_one_plain_line_per_finding():
    text = format_concise([make("app/views.py"), make("app/models.py", "STK301", "lazy", 9, 5)])
    assert text.splitlines() == [
        "app/views.py:3:6: STK101 `flask` is Flask",
        "app/models.py:9:5: STK301 lazy",
    ]


def test_github_annotations_are_relative_to_the_repository_and_escaped(tmp_path):
    finding = make(str(tmp_path / "app" / "a,b:c.py"), message="50% done\r\nnext: line, more")
    text = format_github([finding], root=tmp_path)
    assert text == (
        "::error file=app/a%2Cb%3Ac.py,line=3,col=6,endLine=3,endColumn=11,"
        "title=STK101 flask-import::50%25 done%0D%0Anext: line, more"
    )


def _sarif(findings, root):
    return json.loads(format_sarif(findings, root=root))


def test_sarif_document_structure(tmp_path):
    """A structural check of what GitHub code scanning reads (SARIF 2.1.0)."""
    findings = [make(str(tmp_path / "app" / "my views.py")), make("/elsewhere/x.py", "STK301")]
    document = _sarif(findings, tmp_path)
    assert document["version"] == "2.1.0"
    assert document["$schema"].endswith("sarif-2.1.0.json")
    (run,) = document["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "stk-lint" and driver["version"]
    assert [rule["id"] for rule in driver["rules"]] == [rule.code for rule in ALL_RULES]
    for rule, described in zip(ALL_RULES, driver["rules"], strict=True):
        assert described["name"] == rule.name
        assert described["shortDescription"]["text"] == rule.summary
        assert described["fullDescription"]["text"] == rule.why
        assert rule.why in described["help"]["text"]
        assert described["help"]["markdown"].startswith(f"# {rule.code} {rule.name}")
        assert "helpUri" not in described  # no Documentation URL in the package metadata
        assert described["defaultConfiguration"]["level"] in ("none", "note", "warning", "error")
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == tmp_path.resolve().as_uri() + "/"
    inside, outside = run["results"]
    assert inside["ruleId"] == "STK101"
    assert driver["rules"][inside["ruleIndex"]]["id"] == "STK101"
    assert inside["level"] == "error"
    assert inside["message"]["text"] == "`flask` is Flask"
    (location,) = inside["locations"]
    physical = location["physicalLocation"]
    assert physical["artifactLocation"] == {"uri": "app/my%20views.py", "uriBaseId": "%SRCROOT%"}
    assert physical["region"] == {"startLine": 3, "startColumn": 6, "endLine": 3, "endColumn": 11}
    artifact = outside["locations"][0]["physicalLocation"]["artifactLocation"]
    assert artifact == {"uri": "file:///elsewhere/x.py"}


def test_sarif_regions_are_1_based_and_never_inverted(tmp_path):
    zero_width = Finding("a.py", 1, 1, "STK001", "bad", "syntax-error", 1, 1)
    region = _sarif([zero_width], tmp_path)["runs"][0]["results"][0]["locations"][0][
        "physicalLocation"
    ]["region"]
    assert region["startLine"] >= 1 and region["startColumn"] >= 1
    assert (region["endLine"], region["endColumn"]) >= (region["startLine"], region["startColumn"])


def test_sarif_with_no_findings_is_still_a_full_document(tmp_path):
    document = _sarif([], tmp_path)
    assert document["runs"][0]["results"] == []
    assert document["runs"][0]["tool"]["driver"]["rules"]


@pytest.mark.parametrize("output_format", ["sarif", "github", "json", "concise", "text"])
def test_cli_formats(tmp_path, monkeypatch, output_format):
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".git").mkdir()
    Path("app").mkdir()
    Path("app/views.py").write_text("from flask import g\n")
    result = CliRunner().invoke(
        main, ["check", "--no-color", "--select", "STK101", "--output-format", output_format, "app"]
    )
    assert result.exit_code == 1
    if output_format == "sarif":
        uri = json.loads(result.output)["runs"][0]["results"][0]["locations"][0][
            "physicalLocation"
        ]["artifactLocation"]["uri"]
        assert uri == "app/views.py"
    elif output_format == "github":
        assert result.output.startswith("::error file=app/views.py,line=1,col=6,")
        assert "Found" not in result.output
    elif output_format == "json":
        assert json.loads(result.output)[0]["path"] == "app/views.py"
    elif output_format == "concise":
        # The lines only: no summary, no count of fixes (README).
        assert result.output.splitlines() == [
            "app/views.py:1:6: STK101 `flask` is Flask; stk uses `quart` (same API, async: "
            "`from quart import Blueprint, g, request, render_template`)"
        ]
