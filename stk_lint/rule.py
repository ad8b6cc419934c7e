"""Rule base classes. Every rule carries its own documentation and examples.

The registry (``stk_lint.registry``) collects the rule classes; the CLI's ``rule``
and ``rules`` commands, the catalogue in ``references/rules.md`` and the tests all
read them from there, so a rule is documented and tested where it is written.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any, ClassVar

from stk_lint.languages import ANY, JS, PYTHON, TEMPLATE

__all__ = [
    "ANY",
    "JS",
    "PYTHON",
    "TEMPLATE",
    "EngineRule",
    "Invalid",
    "Option",
    "Rule",
    "TemplateRule",
]


@dataclass(frozen=True)
class Option:
    """A rule option settable in ``[tool.stk-lint]``."""

    default: Any
    help: str
    # The values a list option may hold; empty: any string.
    choices: tuple[str, ...] = ()

    def validate(self, key: str, value: Any) -> Any:
        """Return the value if it has the default's shape, else raise ValueError."""
        expected = self.default
        if isinstance(expected, list):
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise ValueError(f"`{key}` must be a list of strings, got {value!r}")
            unknown = [v for v in value if self.choices and v not in self.choices]
            if unknown:
                raise ValueError(
                    f"`{key}`: unknown value `{unknown[0]}`; valid values: "
                    + ", ".join(f"`{choice}`" for choice in self.choices)
                )
        elif isinstance(expected, bool):
            if not isinstance(value, bool):
                raise ValueError(f"`{key}` must be true or false, got {value!r}")
        elif isinstance(expected, int):
            if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
                raise ValueError(f"`{key}` must be a positive whole number, got {value!r}")
        elif isinstance(expected, str) and not isinstance(value, str):
            raise ValueError(f"`{key}` must be a string, got {value!r}")
        return value


@dataclass(frozen=True)
class Invalid:
    """An `invalid` case that carries more than its code: `expected_fix` is the whole
    text after the rule's fixes (unsafe ones included) are applied. A plain string in
    `invalid` is a case that must fire, whatever its fix."""

    code: str
    expected_fix: str | None = None


def _dedented(example: str) -> str:
    """An example written as an indented triple-quoted string (its first line break
    escaped, so its first line is indented), as the text it stands for. Any other
    example is taken as written."""
    return textwrap.dedent(example) if example[:1] in (" ", "\t") else example


class Rule:
    """Documentation and metadata shared by every rule.

    Examples (`bad`, `good`, `valid`, `invalid`, `example_files`) may be written as
    indented triple-quoted strings, their first line break escaped with a backslash: an
    example whose first line is indented is dedented when the class is created.
    """

    code: ClassVar[str]
    name: ClassVar[str]
    summary: ClassVar[str]  # one line: what it flags
    why: ClassVar[str]  # why it is wrong in stk
    bad: ClassVar[str]  # example that must fire
    good: ClassVar[str]  # the same code written the stk way; must not fire
    # The languages the rule checks (`stk_lint.languages`); the checkers give a rule
    # only the files of these. The first is the rule's own (`language`: the language of
    # its examples in the docs and of `stk-lint rules --format json`).
    languages: ClassVar[tuple[str, ...]]
    language: ClassVar[str]
    # None, "safe" (behaviour-preserving) or "unsafe" (needs --unsafe-fixes).
    fix: ClassVar[str | None] = None
    options: ClassVar[dict[str, Option]] = {}
    # Rules that read the project index (`context.project`); the engine builds it only
    # when one of them is enabled.
    needs_project: ClassVar[bool] = False
    # Opt-in rules (e.g. unused-suppression) run only when selected by code or prefix.
    default_enabled: ClassVar[bool] = True
    # Known blind spots, stated honestly in `stk-lint rule CODE` and the catalogue.
    limits: ClassVar[str] = ""
    # File name the examples are checked as (matters for template/JS rules).
    example_path: ClassVar[str] = "app/views.py"
    # Extra tricky cases kept beside the rule: `valid` must not fire, each
    # `invalid` must fire at least once (an `Invalid` also names the fixed text).
    valid: ClassVar[tuple[str, ...]] = ()
    invalid: ClassVar[tuple[str | Invalid, ...]] = ()
    # For rules that read across files: the other files of the example project the
    # examples and cases are checked in (path -> text; the checked file joins them at
    # `example_path`).
    example_files: ClassVar[dict[str, str]] = {}
    # Cheap pre-parse skip: texts of which at least one must occur in a file for the rule
    # to possibly fire (as written in the source: libcst keeps names and strings verbatim).
    # A file containing none is not given to the rule, and is not parsed at all when no
    # enabled rule could fire. Empty: the rule may fire on any file. Override
    # `could_fire` for a condition that is not "any of these texts".
    requires: ClassVar[tuple[str, ...]] = ()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.language = cls.languages[0]
        own = vars(cls)
        for kind in ("bad", "good"):
            if kind in own:
                setattr(cls, kind, _dedented(own[kind]))
        if "valid" in own:
            cls.valid = tuple(_dedented(case) for case in cls.valid)
        if "invalid" in own:
            cls.invalid = tuple(
                _dedented(case)
                if isinstance(case, str)
                else replace(
                    case,
                    code=_dedented(case.code),
                    expected_fix=None
                    if case.expected_fix is None
                    else _dedented(case.expected_fix),
                )
                for case in cls.invalid
            )
        if "example_files" in own:
            cls.example_files = {path: _dedented(text) for path, text in cls.example_files.items()}

    @classmethod
    def invalid_cases(cls) -> tuple[Invalid, ...]:
        """Every `invalid` case as an `Invalid`."""
        return tuple(case if isinstance(case, Invalid) else Invalid(case) for case in cls.invalid)

    @classmethod
    def could_fire(cls, source: str) -> bool:
        return not cls.requires or any(text in source for text in cls.requires)

    # A finer pre-parse skip for a rule that `requires` cannot narrow: given the file and
    # a function returning CPython's tree of it (None when CPython rejects the source;
    # several times cheaper to build than libcst's), False when the rule cannot fire.
    # The engine asks it only when every rule left for the file has one: a file any
    # other rule needs is parsed by libcst anyway.
    could_fire_in: ClassVar[Callable[..., bool] | None] = None


class EngineRule(Rule):
    """A finding the checkers themselves produce (files that cannot be read or parsed)."""

    languages: ClassVar[tuple[str, ...]] = (ANY,)


class TemplateRule(Rule):
    """A rule over Jinja templates; to check `.js` files too, add `JS` to `languages`
    and define `check_js`.

    The checker builds one context per file (Jinja tokens and tree, HTML tags, the
    page scripts' JS tree, the Vue state: each computed on first use) and calls
    `check_template(context)` / `check_js(context)` on every enabled rule that
    declares `TEMPLATE` / `JS` in `languages`. Rules call
    `context.report(cls, start, end, message, fix)` with 0-based offsets. A Python rule
    can check templates too: it declares the languages and defines the same class methods.
    """

    languages: ClassVar[tuple[str, ...]] = (TEMPLATE,)
    example_path: ClassVar[str] = "app/templates/things/index.html"

    # Define `def check_template(cls, context: TemplateContext) -> None` (a classmethod)
    # to report findings for one template, and with `JS` in `languages`,
    # `def check_js(cls, context: JsContext) -> None`. The contexts are in
    # `stk_lint.templates.context` (imported under TYPE_CHECKING: this module stays free
    # of the checkers' imports).
