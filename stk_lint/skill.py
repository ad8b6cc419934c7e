"""The stk-dev Claude Code skill: where the package keeps it, validation, conformance, install.

The canonical ``SKILL.md`` and ``references/`` live at the top of the repository; the
package reaches them through ``stk_lint/_skill`` (symlinks in a checkout, real files in a
wheel), so ``stk-lint skill install`` works from an installed package.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from stk_lint.atomic import write_atomically

SKILL_NAME = "stk-dev"
SKILL_FILE = "SKILL.md"
REFERENCES = "references"
MAX_NAME = 64
MAX_DESCRIPTION = 1024  # the Agent Skills spec's limit (Claude Code allows a little more)
MAX_BODY_LINES = 500

# Fields of the portable Agent Skills specification.
SPEC_FIELDS = frozenset(
    {"name", "description", "license", "compatibility", "metadata", "allowed-tools"}
)
# Claude Code's own additions to the skill frontmatter.
CLAUDE_CODE_FIELDS = SPEC_FIELDS | {
    "when_to_use",
    "argument-hint",
    "arguments",
    "disable-model-invocation",
    "user-invocable",
    "model",
    "effort",
    "context",
    "agent",
    "hooks",
    "paths",
    "shell",
}
NAME_FORMAT = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")

# Fenced code languages the conformance check lints, and the file name each is linted as.
BLOCK_PATHS = {
    "python": "app/example/views.py",
    "py": "app/example/views.py",
    "jinja": "app/templates/example/index.html",
    "jinja2": "app/templates/example/index.html",
    "html": "app/templates/example/index.html",
    "html+jinja": "app/templates/example/index.html",
    "js": "app/static/js/example.js",
    "javascript": "app/static/js/example.js",
}
_FENCE = re.compile(r"^(?P<indent> {0,3})(?P<fence>`{3,}|~{3,})(?P<info>[^`]*)$")
# `<!-- stk-lint: skip REASON -->`, or `<!-- stk-lint: [expect CODE ...] [as PATH] -->`.
_MARKER = re.compile(r"^<!--\s*stk-lint:\s*(?P<verb>expect|skip|as)\b(?P<rest>.*?)-->\s*$")
_LINK = re.compile(r"\[[^\]]*\]\((?P<target>[^)\s]+)\)")


def packaged_skill() -> Path:
    """The folder holding the skill this package ships (SKILL.md and references/)."""
    return Path(__file__).resolve().parent / "_skill"


def skill_files(root: Path) -> list[Path]:
    """The skill's files, relative to `root`: SKILL.md and every file under references/."""
    files = [Path(SKILL_FILE)]
    references = root / REFERENCES
    if references.is_dir():
        files += sorted(
            p.relative_to(root)
            for p in references.rglob("*")
            if p.is_file() and not p.name.startswith(".")
        )
    return files


# --- frontmatter -------------------------------------------------------------------------


def split_frontmatter(text: str) -> tuple[dict[str, Any] | None, str, str]:
    """(fields, body, error). `fields` is None when there is no valid frontmatter."""
    if not text.startswith("---\n"):
        return None, text, "SKILL.md must start with a `---` line opening the YAML frontmatter"
    end = text.find("\n---\n", 3)
    if end < 0:
        return None, text, "the frontmatter is not closed by a `---` line"
    try:
        fields = yaml.safe_load(text[4:end])
    except yaml.YAMLError as error:
        return None, text, f"the frontmatter is not valid YAML: {error}"
    if not isinstance(fields, dict):
        return None, text, "the frontmatter must be a mapping of fields"
    return fields, text[end + 5 :], ""


def frontmatter_problems(
    fields: dict[str, Any], directory_name: str | None
) -> tuple[list[str], list[str]]:
    """(problems, notes) for a skill's frontmatter. Notes do not fail validation."""
    problems: list[str] = []
    notes: list[str] = []
    name = fields.get("name")
    if not isinstance(name, str) or not name:
        problems.append("`name` is required")
    else:
        if len(name) > MAX_NAME or not NAME_FORMAT.fullmatch(name):
            problems.append(
                f"`name` {name!r} must be 1-{MAX_NAME} lowercase letters, digits and single "
                "hyphens, not starting or ending with a hyphen"
            )
        if directory_name is not None and name != directory_name:
            problems.append(f"`name` {name!r} does not match the folder name {directory_name!r}")
    description = fields.get("description")
    if not isinstance(description, str) or not description.strip():
        problems.append("`description` is required")
    else:
        if len(description) > MAX_DESCRIPTION:
            problems.append(
                f"`description` has {len(description)} characters; the limit is {MAX_DESCRIPTION}"
            )
        if "<" in description or ">" in description:
            problems.append("`description` must not contain `<` or `>`")
    for key in ("user-invocable", "disable-model-invocation"):
        if key in fields and not isinstance(fields[key], bool):
            problems.append(f"`{key}` must be true or false")
    for key in ("paths", "allowed-tools"):
        value = fields.get(key)
        if value is not None and not (
            isinstance(value, str)
            or (isinstance(value, list) and all(isinstance(v, str) for v in value))
        ):
            problems.append(f"`{key}` must be a string or a list of strings")
    for key in sorted(fields):
        if key not in CLAUDE_CODE_FIELDS:
            problems.append(f"`{key}` is not a skill field Claude Code knows")
        elif key not in SPEC_FIELDS:
            notes.append(
                f"`{key}` is a Claude Code field; the portable Agent Skills spec does not define it"
            )
    return problems, notes


# --- code blocks and conformance ---------------------------------------------------------


@dataclass
class CodeBlock:
    path: Path  # the Markdown file
    line: int  # 1-based line of the opening fence
    language: str
    code: str
    expect: list[str] = field(default_factory=list)
    skip: str | None = None  # the reason, when marked `<!-- stk-lint: skip REASON -->`
    lint_as: str | None = None  # the file name to lint it as, when not the language's default


def code_blocks(text: str, path: Path) -> list[CodeBlock]:
    """Every fenced code block, with the `<!-- stk-lint: ... -->` marker on the line above."""
    blocks: list[CodeBlock] = []
    lines = text.splitlines()
    index = 0
    while index < len(lines):
        match = _FENCE.match(lines[index])
        if not match:
            index += 1
            continue
        fence = match.group("fence")
        language = match.group("info").strip().split(" ")[0].lower()
        start = index
        body: list[str] = []
        index += 1
        while index < len(lines):
            closing = lines[index].strip()
            if closing.startswith(fence[0] * len(fence)) and closing.strip(fence[0]) == "":
                break
            body.append(lines[index])
            index += 1
        block = CodeBlock(path, start + 1, language, "\n".join(body) + "\n")
        marker = _MARKER.match(lines[start - 1].strip()) if start > 0 else None
        if marker and marker.group("verb") == "skip":
            block.skip = marker.group("rest").strip() or "no reason given"
        elif marker:
            words = f"{marker.group('verb')} {marker.group('rest')}".replace(",", " ").split()
            if "as" in words:
                at = words.index("as")
                block.lint_as = words[at + 1] if at + 1 < len(words) else None
                words = words[:at]
            block.expect = sorted(set(words[1:]))
        blocks.append(block)
        index += 1
    return blocks


def lint_block(block: CodeBlock) -> list[str]:
    """The distinct codes the default rule set (plus any expected rule) reports for a block."""
    from stk_lint.pipeline import check_source
    from stk_lint.registry import ALL_RULES, options_by_key
    from stk_lint.testing import example_project

    rules = tuple(rule for rule in ALL_RULES if rule.default_enabled or rule.code in block.expect)
    options = {key: option.default for key, option in options_by_key().items()}
    path = block.lint_as or BLOCK_PATHS[block.language]
    # A rule that reads across files is shown its example project (`Rule.example_files`).
    across = [rule for rule in rules if rule.code in block.expect and rule.example_files]
    project = example_project(across, path, block.code.encode("utf-8")) if across else None
    findings = check_source(block.code, path, rules, options, project)
    return sorted({f.code for f in findings})


def conformance(root: Path) -> tuple[list[str], list[str]]:
    """(problems, notes): lint every Python, template and JS block of the skill's Markdown.

    Unmarked blocks must be clean; a block marked ``<!-- stk-lint: expect CODE ... -->``
    must produce findings of exactly those codes. Blocks expecting a rule this build does not have
    are reported as notes.
    """
    from stk_lint.registry import BY_CODE

    problems: list[str] = []
    notes: list[str] = []
    for relative in skill_files(root):
        if relative.suffix != ".md" or not (root / relative).is_file():
            continue
        text = (root / relative).read_text(encoding="utf-8")
        for block in code_blocks(text, relative):
            where = f"{relative.as_posix()}:{block.line}"
            if block.language not in BLOCK_PATHS:
                continue
            if block.skip is not None:
                notes.append(f"{where}: not linted ({block.skip})")
                continue
            missing = [code for code in block.expect if code not in BY_CODE]
            if missing:
                notes.append(
                    f"{where}: not linted, expects rules this build lacks: {', '.join(missing)}"
                )
                continue
            found = lint_block(block)
            if found != block.expect:
                expected = ", ".join(block.expect) or "no findings"
                problems.append(
                    f"{where}: {block.language} block: expected {expected}, got {', '.join(found) or 'none'}"
                )
    return problems, notes


def link_problems(root: Path) -> list[str]:
    """Relative links that point at missing files; reference files SKILL.md never links."""
    problems: list[str] = []
    linked: set[Path] = set()
    for relative in skill_files(root):
        if relative.suffix != ".md":
            continue
        text = (root / relative).read_text(encoding="utf-8")
        for match in _LINK.finditer(text):
            target = match.group("target").split("#", 1)[0]
            if not target or "://" in target or target.startswith("mailto:"):
                continue
            resolved = (root / relative).parent / target
            if not resolved.exists():
                problems.append(f"{relative.as_posix()}: link to missing file {target}")
            elif relative == Path(SKILL_FILE):
                linked.add(resolved.resolve())
    for relative in skill_files(root)[1:]:
        if (root / relative).resolve() not in linked:
            problems.append(
                f"{relative.as_posix()} is not linked from SKILL.md, so it is never read"
            )
    return problems


@dataclass
class Validation:
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def validate(root: Path, check_folder_name: bool = True) -> Validation:
    """Everything `stk-lint skill validate` checks, for the skill folder `root`."""
    result = Validation()
    skill_md = root / SKILL_FILE
    if not skill_md.is_file():
        result.problems.append(f"no {SKILL_FILE} in {root}")
        return result
    text = skill_md.read_text(encoding="utf-8")
    fields, body, error = split_frontmatter(text)
    if fields is None:
        result.problems.append(error)
        return result
    problems, notes = frontmatter_problems(
        fields, root.resolve().name if check_folder_name else None
    )
    result.problems += problems
    result.notes += notes
    body_lines = body.count("\n")
    if body_lines >= MAX_BODY_LINES:
        result.problems.append(
            f"the body of {SKILL_FILE} has {body_lines} lines; keep it under {MAX_BODY_LINES}"
        )
    result.problems += link_problems(root)
    problems, notes = conformance(root)
    result.problems += problems
    result.notes += notes
    return result


# --- install -----------------------------------------------------------------------------


class InstallError(Exception):
    pass


def install_target(user: bool, project: Path | None) -> Path:
    if user:
        return Path.home() / ".claude" / "skills" / SKILL_NAME
    return (project or Path(".")) / ".claude" / "skills" / SKILL_NAME


def _installed_name(target: Path) -> str | None:
    try:
        fields, _, _ = split_frontmatter((target / SKILL_FILE).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError):
        return None
    name = fields.get("name") if fields else None
    return name if isinstance(name, str) else None


def install(source: Path, target: Path, force: bool = False, within: Path | None = None) -> str:
    """Copy the skill from `source` into `target`; return what happened, in one line.

    Writes nothing outside `target`, never follows a symlink out of it, and refuses to
    replace a skill that differs from this one unless `force`. With `within` (the project
    of `--project`), `target` must lie in that folder once every symlink on the way is
    followed (`.claude/skills -> /etc` would otherwise create `/etc/stk-dev`).
    """
    files = skill_files(source)
    if within is not None:
        existing = target
        while not existing.exists() and existing.parent != existing:
            existing = existing.parent
        if not existing.resolve().is_relative_to(within.resolve()):
            raise InstallError(
                f"{existing} leads outside the project {within} (a symbolic link); nothing written"
            )
    if target.is_symlink():
        raise InstallError(f"{target} is a symbolic link; remove it or install elsewhere")
    if target.exists() and not target.is_dir():
        raise InstallError(f"{target} exists and is not a folder")
    wanted = {relative: (source / relative).read_bytes() for relative in files}
    if target.is_dir() and any(target.iterdir()):
        different = [r for r, data in wanted.items() if not _same(target / r, data)]
        if not different:
            return f"{target}: already up to date"
        if not force:
            name = _installed_name(target)
            what = (
                f"a different skill ({name})"
                if name and name != SKILL_NAME
                else "another version of the skill"
            )
            changed = ", ".join(r.as_posix() for r in different)
            raise InstallError(
                f"{target} holds {what}; these files differ: {changed}. Use --force to replace them"
            )
    target.mkdir(parents=True, exist_ok=True)
    root = target.resolve()
    for relative in wanted:  # check every destination before writing any
        destination = target / relative
        parent = destination.parent
        while not parent.exists():
            parent = parent.parent
        if not parent.resolve().is_relative_to(root):
            raise InstallError(f"{parent} leads outside {target}; nothing written")
        if destination.is_symlink() or destination.is_dir():
            raise InstallError(f"{destination} is a link or a folder; remove it first")
    for relative, data in wanted.items():
        destination = target / relative
        destination.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(destination, data)
    return f"installed the {SKILL_NAME} skill ({len(wanted)} files) in {target}"


def _same(path: Path, data: bytes) -> bool:
    try:
        return not path.is_symlink() and path.read_bytes() == data
    except OSError:
        return False
