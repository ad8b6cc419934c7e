"""`stk-lint skill ...` and `stk-lint hook ...`: the skill's command-line front end."""

from __future__ import annotations

import sys
from pathlib import Path

import click


@click.group()
def skill() -> None:
    """Install, validate and document the stk-dev Claude Code skill."""


@skill.command()
@click.option("--user", is_flag=True, help="Install for every project: ~/.claude/skills/stk-dev.")
@click.option(
    "--project",
    type=click.Path(file_okay=False, path_type=Path),
    help="Install into DIR/.claude/skills/stk-dev (default: the current directory).",
)
@click.option("--force", is_flag=True, help="Replace an existing skill that differs from this one.")
def install(user: bool, project: Path | None, force: bool) -> None:
    """Write SKILL.md and references/ where Claude Code finds them."""
    from stk_lint.skill import InstallError, install_target, packaged_skill
    from stk_lint.skill import install as install_skill

    if user and project is not None:
        raise click.UsageError("choose one of --user and --project")
    if project is not None and not project.is_dir():
        raise click.UsageError(f"--project {project}: no such folder")
    try:
        within = None if user else (project or Path("."))  # a project's skill stays in it
        message = install_skill(packaged_skill(), install_target(user, project), force, within)
    except (InstallError, OSError) as error:
        click.echo(f"stk-lint: error: {error}", err=True)
        sys.exit(2)
    click.echo(message)


@skill.command()
@click.argument("directory", required=False, type=click.Path(file_okay=False, path_type=Path))
def validate(directory: Path | None) -> None:
    """Check a skill folder (default: the skill this package ships).

    Frontmatter (required fields, name format and folder match, description length, known
    fields), links to references, and that every code block passes stk-lint.
    """
    from stk_lint.skill import packaged_skill
    from stk_lint.skill import validate as validate_skill

    root = directory or packaged_skill()
    if not root.is_dir():
        raise click.UsageError(f"{root}: no such folder")
    result = validate_skill(root, check_folder_name=directory is not None)
    for note in result.notes:
        click.echo(f"note: {note}")
    for problem in result.problems:
        click.echo(f"problem: {problem}")
    if result.problems:
        click.echo(f"{root}: {len(result.problems)} problem(s)")
        sys.exit(1)
    click.echo(f"{root}: valid")


@skill.command()
@click.option("--write", is_flag=True, help="Write references/rules.md instead of printing it.")
@click.option("--check", is_flag=True, help="Exit 1 when references/rules.md is out of date.")
def catalogue(write: bool, check: bool) -> None:
    """The rule catalogue (references/rules.md), generated from the rule registry."""
    from stk_lint.catalogue import catalogue_markdown, pending_codes
    from stk_lint.skill import REFERENCES, packaged_skill

    text = catalogue_markdown()
    target = packaged_skill() / REFERENCES / "rules.md"
    pending = pending_codes()
    if pending:
        click.echo(
            f"note: rules named by SKILL.md but not in this build: {', '.join(pending)}", err=True
        )
    if check:
        current = target.read_text(encoding="utf-8") if target.is_file() else ""
        if current != text:
            click.echo(f"{target.resolve()} is out of date: run `stk-lint skill catalogue --write`")
            sys.exit(1)
        click.echo(f"{target.resolve()} is up to date")
    elif write:
        target.write_text(text, encoding="utf-8")
        click.echo(f"wrote {target.resolve()}")
    else:
        click.echo(text, nl=False)


@click.group()
def hook() -> None:
    """Run as an editor or agent hook."""


@hook.command()
def claude() -> None:
    """Claude Code PostToolUse hook: lint the edited file; findings on stderr, exit 2."""
    from stk_lint.hook import main as hook_main

    hook_main()
