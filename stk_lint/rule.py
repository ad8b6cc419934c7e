"""Rule base classes. Every rule carries its own documentation and examples.

The registry (``stk_lint.registry``) collects the rule classes; the CLI's ``rule``
and ``rules`` commands, the catalogue in ``references/rules.md`` and the tests all
read them from there, so a rule is documented and tested where it is written.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

import libcst as cst

if TYPE_CHECKING:
    from stk_lint.findings import Fix
    from stk_lint.python_engine import LateMessage, PythonContext
    from stk_lint.templates.context import TemplateContext

PYTHON = "python"
TEMPLATE = "template"
JS = "js"
ANY = "any"  # engine-level rules (syntax errors, unreadable files)


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


class Rule:
    """Documentation and metadata shared by every rule."""

    code: ClassVar[str]
    name: ClassVar[str]
    summary: ClassVar[str]  # one line: what it flags
    why: ClassVar[str]  # why it is wrong in stk
    bad: ClassVar[str]  # example that must fire
    good: ClassVar[str]  # the same code written the stk way; must not fire
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
    # `invalid` must fire at least once.
    valid: ClassVar[tuple[str, ...]] = ()
    invalid: ClassVar[tuple[str, ...]] = ()
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

    @classmethod
    def could_fire(cls, source: str) -> bool:
        return not cls.requires or any(text in source for text in cls.requires)

    # A finer pre-parse skip for a rule that `requires` cannot narrow: given the file and
    # a function returning CPython's tree of it (None when CPython rejects the source;
    # several times cheaper to build than libcst's), False when the rule cannot fire.
    # The engine asks it only when every rule left for the file has one: a file any
    # other rule needs is parsed by libcst anyway.
    could_fire_in: ClassVar[Callable[..., bool] | None] = None


class PythonRule(Rule, cst.BatchableCSTVisitor):
    """A libcst visitor run together with every other enabled rule in one pass.

    Define ``visit_<Node>``/``leave_<Node>`` methods as with libcst. Shared state
    kept by the engine (imports, enclosing functions, classes) is on ``self.context``.
    """

    language: ClassVar[str] = PYTHON

    def __init__(self, context: PythonContext) -> None:
        super().__init__()
        self.context = context

    def report(
        self,
        node: cst.CSTNode,
        message: str | LateMessage,
        fix: Fix | None = None,
        statement: cst.CSTNode | None = None,
    ) -> None:
        self.context.report(self, node, message, fix, statement)


class EngineRule(Rule):
    """A finding the engine itself produces (files that cannot be read or parsed)."""

    language: ClassVar[str] = ANY


class TemplateRule(Rule):
    """A rule over Jinja templates; define `check_js` too to check `.js` files.

    The checker builds one context per file (Jinja tokens and tree, HTML tags, the
    page scripts' JS tree, the Vue state: each computed on first use) and calls
    `check_template(context)` / `check_js(context)` on every enabled rule that has it.
    Rules call `context.report(cls, start, end, message, fix)` with 0-based offsets.
    A Python rule can check templates too by defining the same class methods.
    """

    language: ClassVar[str] = TEMPLATE
    example_path: ClassVar[str] = "app/templates/things/index.html"

    @classmethod
    def check_template(cls, context: TemplateContext) -> None:
        """Report findings for one template."""

    # Optional: `def check_js(cls, context: JsContext) -> None` (a classmethod).
