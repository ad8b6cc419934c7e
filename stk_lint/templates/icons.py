"""Icon names: the Tabler list (shipped or learnt from a vendored stylesheet) and MDI names.

stk ships the Tabler Icons webfont (`<i class="ti ti-pencil">`, `icon="ti ti-x"`).
Material Design Icons (`mdi-*`) render blank because their font is not loaded.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from stk_lint import paths
from stk_lint.findings import Edit, Fix

if TYPE_CHECKING:  # the markup scanner: imported where a template is checked
    from stk_lint.templates import html

# An icon name stands alone in a class list or string: whitespace or a quote on each side.
_EDGE_BEFORE = r"(?<![^\s'\"`])"
_EDGE_AFTER = r"(?![^\s'\"`])"
_NAME = r"[a-z0-9]+(?:-[a-z0-9]+)*"
MDI = re.compile(rf"{_EDGE_BEFORE}(?:mdi\s+)?mdi-(?P<name>{_NAME}){_EDGE_AFTER}")
TABLER = re.compile(rf"{_EDGE_BEFORE}ti\s+ti-(?P<name>{_NAME}){_EDGE_AFTER}")
# Loading the MDI font: a CDN or package stylesheet.
MDI_FONT = re.compile(r"materialdesignicons|@mdi/font")
# The stylesheet rule `.ti-NAME:before` (or `::before`) of a Tabler webfont stylesheet.
_CSS_ICON = re.compile(r"\.ti-([a-z0-9]+(?:-[a-z0-9]+)*)::?before")


def _data_lines(name: str) -> Iterator[str]:
    text = resources.files("stk_lint").joinpath("data", name).read_text(encoding="utf-8")
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            yield line


@cache
def shipped_tabler_names() -> frozenset[str]:
    """The names of the @tabler/icons release recorded in data/tabler-icons.txt."""
    return frozenset(_data_lines("tabler-icons.txt"))


@cache
def mdi_to_tabler() -> dict[str, str]:
    """Common Material Design Icons names mapped to their closest Tabler icon."""
    return _name_pairs("mdi-to-tabler.txt")


@cache
def tabler_renames() -> dict[str, str]:
    """Tabler 2 names that Tabler 3 renamed (`2fa` -> `auth-2fa`), from data/tabler-renames.txt."""
    return _name_pairs("tabler-renames.txt")


def _name_pairs(file_name: str) -> dict[str, str]:
    """A data file of `name other-name` lines, as a mapping."""
    pairs = {}
    for line in _data_lines(file_name):
        name, other = line.split()
        pairs[name] = other
    return pairs


def names_from_css(css: str) -> frozenset[str]:
    return frozenset(_CSS_ICON.findall(css))


@cache
def _css_names(path: str, mtime_ns: int) -> frozenset[str]:
    try:
        css = Path(path).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return frozenset()
    return names_from_css(css)


_ROOT_MARKERS = ("pyproject.toml", ".git", "setup.py")


@cache
def _vendored_stylesheet(directory: str) -> str | None:
    """A `static/icons/tabler-icons*.css` in `directory` or a folder above it, up to the
    project root (the first folder holding pyproject.toml, setup.py or .git)."""
    folder = Path(directory)
    icons = folder / "static" / "icons"
    if paths.is_dir(icons):
        # Regular files only: a named pipe so named would block the reader.
        sheets = sorted(s for s in icons.glob("tabler-icons*.css") if paths.is_file(s))
        # The full set, not a weight or filled-only subset, when several are there.
        plain = [s for s in sheets if s.name in ("tabler-icons.min.css", "tabler-icons.css")]
        if plain or sheets:
            return str((plain or sheets)[0])
    if any(paths.exists(folder / marker) for marker in _ROOT_MARKERS) or folder.parent == folder:
        return None
    # Each folder once: the templates of a project share most of the way up.
    return _vendored_stylesheet(str(folder.parent))


def stylesheet_stamp(path: str) -> list[object] | None:
    """What identifies the vendored stylesheet `tabler_names` reads for a file (its
    path, modification time and size), or None when the shipped list applies: a file's
    findings depend on it, so a cached result must too."""
    directory = os.path.dirname(os.path.abspath(path))
    sheet = _vendored_stylesheet(directory) if paths.is_dir(Path(directory)) else None
    if sheet is None:
        return None
    try:
        status = os.stat(sheet)
    except OSError:
        return [sheet]
    return [sheet, status.st_mtime_ns, status.st_size]


def tabler_names(path: str, project: object = None) -> frozenset[str]:
    """The Tabler names a file may use.

    A project object may carry them (`project.tabler_icons`); otherwise a vendored
    stylesheet near the file decides, cached by its path and modification time;
    otherwise the list shipped with stk-lint.
    """
    given = getattr(project, "tabler_icons", None)
    if given:
        return frozenset(given)
    directory = os.path.dirname(os.path.abspath(path))
    if os.path.isdir(directory):
        sheet = _vendored_stylesheet(directory)
        if sheet is not None:
            try:
                mtime = os.stat(sheet).st_mtime_ns
            except OSError:
                mtime = 0
            names = _css_names(sheet, mtime)
            if names:
                return names
    return shipped_tabler_names()


@dataclass(frozen=True)
class IconUse:
    start: int  # 0-based offsets into the file
    end: int
    name: str  # the icon name without its `mdi-`/`ti-` prefix


def mdi_uses(text: str, offset: int = 0) -> Iterator[IconUse]:
    for match in MDI.finditer(text):
        yield IconUse(offset + match.start(), offset + match.end(), match.group("name"))


def tabler_uses(text: str, offset: int = 0) -> Iterator[IconUse]:
    for match in TABLER.finditer(text):
        start = offset + match.start("name")
        yield IconUse(start - 3, offset + match.end(), match.group("name"))


def class_list_tabler_uses(text: str, offset: int = 0) -> Iterator[IconUse]:
    """`ti-NAME` classes of a class attribute that also has the `ti` class, in any order."""
    tokens = [(m.start(), m.group()) for m in re.finditer(r"\S+", text)]
    if not any(token == "ti" for _, token in tokens):
        return
    for start, token in tokens:
        if token.startswith("ti-") and re.fullmatch(_NAME, token[3:]):
            yield IconUse(offset + start, offset + start + len(token), token[3:])


# The MDI stylesheet's helper classes: they style an icon and name none.
_MDI_HELPERS = (
    (
        re.compile(r"spin"),
        "for a spinner use `<v-progress-circular indeterminate>` or a CSS animation",
    ),
    (re.compile(r"\d+px"), "set the size with `<v-icon size=...>` or CSS `font-size`"),
    (
        re.compile(r"rotate-\d+|flip-[hv]"),
        "turn the icon with a CSS `transform` (`rotate(90deg)`, `scaleX(-1)`)",
    ),
    (re.compile(r"light|dark|inactive"), "set the colour with `color=` or CSS"),
)


def mdi_helper_advice(name: str) -> str | None:
    """What to use instead of an MDI helper class (`mdi-spin`, `mdi-24px`), or None."""
    return next((advice for helper, advice in _MDI_HELPERS if helper.fullmatch(name)), None)


# A string that names icons: a class list such as `mdi mdi-home` or `me-2 ti ti-x`.
# Words without a hyphen other than the font classes make it prose ("mdi-home is old").
_CLASS_TOKEN = re.compile(r"(?:mdi|ti|\$|[a-z0-9]+(?:[-_][a-z0-9]+)+)")


def names_icons(text: str) -> bool:
    """Whether a string literal is wholly an icon name or class list, not a sentence
    that mentions one (`'Replace mdi-home with ti-home'`). A lone `$` stands for a
    template literal's `${...}`."""
    tokens = text.split()
    return bool(tokens) and all(_CLASS_TOKEN.fullmatch(token) for token in tokens)


def mdi_message(name: str) -> str:
    helper = mdi_helper_advice(name)
    if helper is not None:
        return (
            f"`mdi-{name}` is a Material Design Icons helper class; it has no effect "
            f"without the MDI font, which stk does not load: {helper}"
        )
    tabler = mdi_to_tabler().get(name)
    if tabler is not None:
        return (
            f"`mdi-{name}` is a Material Design Icon, which stk does not load; "
            f"use the Tabler icon `ti ti-{tabler}`"
        )
    return (
        f"`mdi-{name}` is a Material Design Icon, which stk does not load; "
        "use a Tabler icon (`ti ti-NAME`, see https://tabler.io/icons)"
    )


def mdi_fix(use: IconUse) -> Fix | None:
    tabler = mdi_to_tabler().get(use.name)
    if tabler is None:
        return None
    return Fix(
        f"Replace with `ti ti-{tabler}`", "safe", (Edit(use.start, use.end, f"ti ti-{tabler}"),)
    )


def unknown_tabler_message(name: str, names: frozenset[str]) -> str:
    renamed = _renamed(name, names)
    if renamed is not None:
        return (
            f"`ti-{name}` is not a Tabler icon, so it renders blank; Tabler Icons 3 renamed it "
            f"`ti-{renamed}`"
        )
    suggestion = _closest(name, names)
    hint = f"; did you mean `ti-{suggestion}`?" if suggestion else ""
    return f"`ti-{name}` is not a Tabler icon, so it renders blank{hint}"


def _renamed(name: str, names: frozenset[str]) -> str | None:
    """The new name of a renamed icon (`2fa-filled` -> `auth-2fa-filled` too), if known."""
    base, filled = (name[: -len("-filled")], "-filled") if name.endswith("-filled") else (name, "")
    new = tabler_renames().get(base)
    return f"{new}{filled}" if new is not None and f"{new}{filled}" in names else None


@cache
def _closest(name: str, names: frozenset[str]) -> str | None:
    import difflib

    mapped = mdi_to_tabler().get(name)  # `ti-delete`: the MDI name where Tabler has `trash`
    if mapped is not None and mapped in names:
        return mapped
    shorter = name
    while "-" in shorter:  # `pencil-edit` -> `pencil`: the base icon usually exists
        shorter = shorter.rsplit("-", 1)[0]
        if shorter in names:
            return shorter
    matches = difflib.get_close_matches(name, names, n=1, cutoff=0.8)
    return matches[0] if matches else None


# --- where a template or script names icons ----------------------------------------

_ICON_ATTRIBUTE = re.compile(r"^(?::|v-bind:)?(?:icon|[\w-]+-icon)$", re.IGNORECASE)
_CLASS_ATTRIBUTE = re.compile(r"^(?::|v-bind:)?class$", re.IGNORECASE)


@dataclass
class IconText:
    """A stretch of the file that may name icons."""

    start: int
    text: str
    # "class" (plain class attribute), "string" (a JS string literal: icons only when it
    # is wholly a class list), "icon" (any other place)
    kind: str


def markup_icons(
    document: html.Document,
    length: int,
    branches: Sequence[tuple[int, str]],
    value_of: Callable[[int, int], str],
    offset: int = 0,
) -> Iterator[IconText]:
    """The places markup names icons: class and `*-icon` attributes, `<v-icon>` text.
    `value_of(start, end)` reads the text between two offsets of the file; `offset` is
    where the markup starts in the file (the document's offsets count from there)."""
    from stk_lint.templates import html

    for tag, stack in html.elements(document, length, branches):
        if tag.closing:
            if stack and stack[-1].tag.name == "v-icon" and tag.name == "v-icon":
                start = offset + stack[-1].content_start
                yield IconText(start, value_of(start, offset + tag.start), "icon")
            continue
        for attribute in tag.attributes:
            if attribute.value is None:
                continue
            start = offset + attribute.value_start
            value = value_of(start, offset + attribute.value_end)
            if attribute.name.lower() == "class":
                yield IconText(start, value, "class")
            elif (
                _CLASS_ATTRIBUTE.match(attribute.name)
                or _ICON_ATTRIBUTE.match(attribute.name)
                or (tag.name == "v-icon" and attribute.name.lower() == "v-text")
            ):
                yield IconText(start, value, "icon")


# A JavaScript string holding markup: a component's `template: '<v-chip ...>'`, HTML
# given to `innerHTML`.
_MARKUP_START = re.compile(r"<[A-Za-z]")


def string_markup_icons(
    text: str, start: int, end: int, value_of: Callable[[int, int], str]
) -> list[IconText]:
    """Icon names in the markup a JS string (its content from `start` to `end`) holds."""
    content = text[start:end]
    if _MARKUP_START.search(content) is None:
        return []
    from stk_lint.templates import html

    return list(markup_icons(html.scan(content), len(content), (), value_of, start))
