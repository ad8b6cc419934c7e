"""The `stk-lint` command. Exit codes: 0 clean, 1 findings, 2 usage/config/internal error."""

from __future__ import annotations

import json
import os
import sys
import traceback
from pathlib import Path
from typing import NoReturn

import click

from stk_lint import __version__
from stk_lint.config import ConfigError, Settings, find_config, load_settings
from stk_lint.output import (
    FORMATTERS,
    MACHINE_FORMATS,
    format_fixed,
    format_statistics,
    format_statistics_json,
    summary_line,
)
from stk_lint.skill_commands import hook, skill

# The registry (every rule, and libcst) and the pipeline are imported where needed: the
# Claude Code hook runs `stk-lint check one_file.py` after each edit, and a run
# answered from the cache needs neither.

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


def _codes(value: str | None) -> list[str]:
    return [c for c in (value or "").replace(" ", ",").split(",") if c]


def fail(message: str) -> NoReturn:
    click.echo(f"stk-lint: error: {message}", err=True)
    sys.exit(EXIT_ERROR)


def resolve_settings(
    paths: list[Path],
    config: Path | None,
    select: str | None,
    extend_select: str | None,
    ignore: str | None,
) -> Settings:
    """File configuration, then command-line options on top (select replaces, ignore adds):
    configuration step one (stk_lint.config); the run resolves it (stk_lint.resolve)."""
    config_path = config or find_config(paths[0] if paths else Path.cwd())
    settings = load_settings(config_path)
    if select is not None:
        if not _codes(select):
            raise ConfigError("--select: no rule code given (`--select ALL` for every rule)")
        settings.add_codes("select", _codes(select), "--select")
    if extend_select is not None:
        settings.add_codes("extend-select", _codes(extend_select), "--extend-select")
    if ignore is not None:
        settings.add_codes("ignore", _codes(ignore), "--ignore")
    return settings


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="stk-lint")
def main() -> None:
    """Check stk code (async Quart, SQLAlchemy async, quart-security, Vue 3 templates)."""


main.add_command(skill)
main.add_command(hook)


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--select", help="Rule codes or prefixes to enable (replaces the config), e.g. STK2.")
@click.option("--extend-select", help="Rule codes or prefixes to enable on top of the selection.")
@click.option("--ignore", help="Rule codes or prefixes to disable, e.g. STK301,STK5.")
@click.option(
    "--output-format",
    type=click.Choice(sorted(FORMATTERS)),
    default="text",
    show_default=True,
    help="How findings are printed.",
)
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when there are findings.")
@click.option("--statistics", is_flag=True, help="Count findings per rule instead of listing them.")
@click.option("-q", "--quiet", is_flag=True, help="Print findings only, no summary.")
@click.option(
    "--config",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="pyproject.toml to read [tool.stk-lint] from (default: the nearest one above the paths).",
)
@click.option(
    "--force-exclude",
    is_flag=True,
    help="Apply `exclude` to files and folders named on the command line too (for pre-commit).",
)
@click.option("--fix", is_flag=True, help="Apply safe fixes, then report what remains.")
@click.option(
    "--unsafe-fixes", is_flag=True, help="Also apply fixes that may change behaviour (review!)."
)
@click.option(
    "--diff",
    is_flag=True,
    help="Print the fixes as a unified diff and write nothing; exit 1 if there would be changes.",
)
@click.option(
    "--color/--no-color", default=None, help="Colour the output (default: on a terminal)."
)
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(min=1),
    default=None,
    help="Worker processes for checking (default: the number of CPUs).",
)
@click.option(
    "--no-cache",
    is_flag=True,
    help="Neither read nor write the results cache (.stk_lint_cache/ in the project root).",
)
@click.option(
    "--no-skip",
    is_flag=True,
    hidden=True,
    help="Parse every file even where no enabled rule could fire (to verify the skips).",
)
def check(
    paths: tuple[Path, ...],
    select: str | None,
    extend_select: str | None,
    ignore: str | None,
    output_format: str,
    exit_zero: bool,
    statistics: bool,
    quiet: bool,
    config: Path | None,
    force_exclude: bool,
    fix: bool,
    unsafe_fixes: bool,
    diff: bool,
    color: bool | None,
    jobs: int | None,
    no_cache: bool,
    no_skip: bool,
) -> None:
    """Check files and directories (default: the current directory)."""
    from stk_lint.runner import default_jobs, run

    _write_names_as_bytes()
    targets = list(paths) or [Path(".")]
    missing = [str(p) for p in targets if not p.exists()]
    if missing:
        fail(f"no such file or directory: {', '.join(missing)}")
    try:
        mode = "diff" if diff else "apply" if fix else None
        # Fixing rewrites files: it always checks them afresh, in this process.
        use_cache = not no_cache and mode is None
        settings = resolve_settings(targets, config, select, extend_select, ignore)
        result = run(
            targets,
            settings,
            force_exclude=force_exclude,
            jobs=jobs or default_jobs(),
            use_cache=use_cache,
            skips=not no_skip,
            fix=mode,
            unsafe_fixes=unsafe_fixes,
        )
    except ConfigError as error:
        fail(str(error))
    except Exception as error:  # a bug in stk-lint: say so, never a bare traceback
        if os.environ.get("STK_LINT_DEBUG"):
            traceback.print_exc()
        fail(f"internal error: {type(error).__name__}: {error} (set STK_LINT_DEBUG=1 for details)")

    for problem in [*result.warnings, *result.fix_errors]:
        click.echo(f"stk-lint: warning: {problem}", err=True)
    for problem in result.errors:
        click.echo(
            f"stk-lint: error: internal error, file not checked: {problem} "
            "(a bug in stk-lint: please report it; STK_LINT_DEBUG=1 shows where)",
            err=True,
        )
    if diff:
        _report_diff(result, quiet, exit_zero)
        return

    use_color = sys.stdout.isatty() if color is None else color
    findings = result.findings
    if statistics and output_format == "json":
        click.echo(format_statistics_json(findings))
    elif statistics:
        if findings:
            # color=: click strips ANSI codes off a pipe, even when --color asked for them.
            click.echo(format_statistics(findings, use_color), color=use_color)
    else:
        text = FORMATTERS[output_format](findings, use_color)
        if text or output_format in ("json", "sarif"):  # documents even when empty
            click.echo(text, color=use_color)
    if not quiet and output_format not in MACHINE_FORMATS:
        if result.fixed:
            click.echo(format_fixed(result.fixed))
        click.echo(
            summary_line(
                findings, result.files, len(result.fixed), unsafe_fixes, len(result.errors)
            )
        )
    if result.errors:
        sys.exit(EXIT_ERROR)  # the findings are incomplete: never a pass, even with --exit-zero
    sys.exit(EXIT_FINDINGS if findings and not exit_zero else EXIT_CLEAN)


def _write_names_as_bytes() -> None:
    """A file name that is not valid UTF-8 is printed as its own bytes (as `ls` and git
    do) instead of failing the run: Python keeps those bytes as lone surrogates."""
    for stream in (sys.stdout, sys.stderr):
        if getattr(stream, "errors", None) == "strict" and hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="surrogateescape")


def _report_diff(result, quiet: bool, exit_zero: bool) -> None:
    """--diff: the diff alone on stdout (pipeable to `git apply`), the count on stderr."""
    for text in result.diffs:
        click.echo(text, nl=False)
    for finding in result.findings:  # files that could not be checked at all
        if finding.code in ("STK001", "STK003"):
            click.echo(
                f"stk-lint: warning: {finding.path}:{finding.line}:{finding.column}: "
                f"{finding.code} {finding.message}",
                err=True,
            )
    if not quiet:
        count = len(result.fixed)
        if count:
            files = len(result.diffs)
            click.echo(
                f"Would fix {count} error{'s' if count != 1 else ''} "
                f"in {files} file{'s' if files != 1 else ''}.",
                err=True,
            )
        else:
            click.echo("No errors would be fixed.", err=True)
    sys.exit(EXIT_FINDINGS if result.diffs and not exit_zero else EXIT_CLEAN)


@main.command()
@click.option("--probe", is_flag=True, hidden=True, help="Exit 0 if the server can run here.")
def server(probe: bool) -> None:
    """Run the language server (LSP over stdio) for editors and Claude Code."""
    try:
        from stk_lint.server import main as serve
    except ImportError as error:
        fail(f"the language server needs pygls: pip install 'stk-lint[server]' ({error})")
    if not probe:
        serve()


@main.command()
@click.argument("code")
def rule(code: str) -> None:
    """Explain a rule: what it flags, why, an example and what to write instead."""
    from stk_lint.docs import rule_markdown
    from stk_lint.registry import get_rule

    found = get_rule(code)
    if found is None:
        fail(f"unknown rule `{code}` (see `stk-lint rules`)")
    click.echo(rule_markdown(found), nl=False)


@main.command()
@click.option("--output-format", type=click.Choice(["text", "json"]), default="text")
def rules(output_format: str) -> None:
    """List every rule: code, name, fixable, summary."""
    from stk_lint.registry import ALL_RULES

    if output_format == "json":
        rows = [
            {
                "code": r.code,
                "name": r.name,
                "summary": r.summary,
                "fix": r.fix,
                "language": r.language,
                "default": r.default_enabled,
            }
            for r in ALL_RULES
        ]
        click.echo(json.dumps(rows, indent=2))
        return
    width = max(len(r.name) for r in ALL_RULES)
    for r in ALL_RULES:
        fix = {"safe": "fix", "unsafe": "fix*"}.get(r.fix or "", "")
        click.echo(f"{r.code}  {r.name:<{width}}  {fix:<4}  {r.summary}")
