"""The scopes STK202 walks: frames of the module, classes, functions and lambdas, what
each binds, the coroutines bound to names and not awaited yet, and the loops open.

`Scopes` is the part of the rule (`stk_lint.rules.missing_await`) that looks names up in
its stack of frames.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import libcst as cst

from stk_lint.summaries import ModuleEntry


@dataclass(eq=False)  # compared by identity
class Loop:
    """A `for`/`while` being visited: the names awaited (or handed to a consumer) in it."""

    consumed: set[str] = field(default_factory=set)


# The `if` statements around a node, and which arm of each it is in: (id(If), 0 for the
# body, 1 for what follows `elif`/`else`).
Arms = tuple[tuple[int, int], ...]


@dataclass(eq=False)  # compared by identity
class Pending:
    """A coroutine bound to a name that has not been awaited yet."""

    call: cst.CSTNode
    callee: str
    how: str
    kind: str  # "is async" or "is an awaitable property"
    statement: cst.CSTNode | None
    block: int  # the statement list it was bound in: rebinding there loses it
    # `await` is legal where the call is (not in a comprehension or a class body); decided
    # there, not where the name is used.
    awaitable_here: bool = True
    loops: tuple[Loop, ...] = ()  # the loops it was bound in, outermost first
    quart: bool = False  # a Quart request/websocket awaitable: see ARGUMENT
    # Usage evidence: nothing declares the callee, an `await` of the same callee (this
    # key: see `MissingAwait._evidence_key`) elsewhere must be found for a finding.
    evidence: tuple[tuple[object, str], Arms] | None = None


@dataclass
class Frame:
    kind: str  # "module", "class", "def", "lambda"
    name: str
    qualname: str  # as in the module summary: "Thing.from_dict", "outer.<locals>.inner"
    is_async: bool = False
    locals: set[str] = field(default_factory=set)
    # name -> (a dotted name as _qualify gives it, whether it is in this module, how the
    # name's value comes from it: KNOWN (it is the value's class), INSTANCE (an
    # annotation or `Thing(...)`: the class, if it is one), CALL/AWAIT (the result of
    # calling it, awaited), ENTER/AENTER (the `as` target of `with`/`async with` on a
    # call of it): looked up when a method is first called on the name)
    types: dict[str, tuple[str, bool, str]] = field(default_factory=dict)
    # Names holding a function that makes an awaitable (`send: Callable[..., Awaitable]`).
    coroutine_functions: set[str] = field(default_factory=set)
    # Names holding the mapping `await request.files` gives (of Quart `FileStorage`s).
    uploads: set[str] = field(default_factory=set)
    sessions: set[str] = field(default_factory=set)
    # Names bound to a synchronous `Session` (scripts, migrations, `run_sync` helpers).
    sync_sessions: set[str] = field(default_factory=set)
    # Locals that may hold an AsyncSession by their name alone (the `session-names`
    # option): unannotated parameters and `async with ... as` targets. Other bindings
    # say what the name holds.
    guessable: set[str] = field(default_factory=set)
    # In a class: attribute -> whether it holds an AsyncSession (False: a sync Session),
    # from `self.x = <session>` in its methods and `x: AsyncSession` in its body.
    attributes: dict[str, bool] = field(default_factory=dict)
    # In a class: attribute -> what `types` would hold for it, from the class body's
    # annotations and `self.x = ...` in `__init__` and the methods above the use.
    attribute_types: dict[str, tuple[str, bool, str]] = field(default_factory=dict)
    coroutine_attributes: set[str] = field(default_factory=set)  # as coroutine_functions
    # Names (in a class: attributes) annotated with a union of classes (`HTTPStream |
    # WSStream | None`): each class, qualified, and whether it is in this module.
    unions: dict[str, list[tuple[str, bool]]] = field(default_factory=dict)
    # name -> coroutines bound to it, not awaited yet (several after if/else branches)
    pending: dict[str, list[Pending]] = field(default_factory=dict)
    loops: list[Loop] = field(default_factory=list)  # open loops, innermost last
    consumed: set[str] = field(default_factory=set)  # names awaited or handed to a consumer
    # Findings on bound names, made when the function ends: only then is it known
    # whether the name is awaited later, which rules out the binding's fix.
    # (name, coroutine, what happened to it, the use that went wrong or None)
    late: list[tuple[str, Pending, str, cst.CSTNode | None]] = field(default_factory=list)
    # Bound coroutines truth-tested (or compared with `is`) in the block that made them.
    tested: list[tuple[str, Pending, cst.CSTNode]] = field(default_factory=list)
    # How many times each name was bound so far (assignments, `with`/`for` targets,
    # nested `def`s and classes): usage evidence compares calls of one binding only.
    generations: dict[str, int] = field(default_factory=dict)


@dataclass
class Unknown:
    """A bare statement call of a callee nothing declares (usage evidence decides it)."""

    call: cst.Call
    key: tuple[object, str]
    arms: Arms
    frame: Frame
    statement: cst.CSTNode | None
    awaitable_here: bool


# `name[]` in `Frame.types`/`unions`: what an element of the container `name` holds.
ELEMENT = "[]"

# How a name's value comes from the dotted name in `Frame.types`.
KNOWN = "known"
INSTANCE = "instance"
CALL = "call"
AWAIT = "await"
ENTER = "enter"
AENTER = "aenter"
CLASS = "class"  # the class itself (`factory: type[Thing]`): calling it makes an instance


class Scopes:
    """The frame stack of a visit: the innermost function, the class of a method, where
    a name is bound."""

    frames: list[Frame]
    finished_classes: dict[str, Frame]
    local: ModuleEntry

    def _attribute_holder(self, owner: Frame, attribute: str, depth: int = 0) -> Frame | None:
        """The class frame that says what `self.attribute` holds: the class's own, or a
        base class's defined above it in this module (`self.app = app` in the base's
        `__init__`)."""
        if (
            attribute in owner.attribute_types
            or attribute in owner.coroutine_attributes
            or attribute in owner.unions
        ):
            return owner
        if depth > 8:
            return None
        for base in self.local.summary["classes"].get(owner.qualname, ()):
            finished = self.finished_classes.get(base)
            if finished is not None and finished is not owner:
                found = self._attribute_holder(finished, attribute, depth + 1)
                if found is not None:
                    return found
        return None

    def _prefix(self) -> str:
        for frame in reversed(self.frames):
            if frame.kind == "class":
                return frame.qualname + "."
            if frame.kind == "def":
                return frame.qualname + ".<locals>."
        return ""

    @property
    def function(self) -> Frame:
        """The innermost function (or lambda, or the module)."""
        for frame in reversed(self.frames):
            if frame.kind != "class":
                return frame
        return self.frames[0]

    @property
    def scope(self) -> Frame:
        """Where a binding goes: the innermost frame, a class body included."""
        return self.frames[-1]

    def _scopes(self) -> Iterator[Frame]:
        """The frames a name is looked up in, innermost first: the names a class body
        binds are not visible in its methods."""
        innermost = self.frames[-1]
        for frame in reversed(self.frames):
            if frame.kind != "class" or frame is innermost:
                yield frame

    def _enclosing_class(self) -> Frame | None:
        """The class of the method being visited (`self` refers to its instances)."""
        # Each frame with the one around it (the outermost has none).
        for outer, inner in zip(reversed(self.frames[:-1]), reversed(self.frames[1:]), strict=True):
            if inner.kind == "def" and outer.kind == "class":
                return outer
        return None

    def _is_local(self, name: str) -> bool:
        """Whether `name` is bound in the function being visited or one around it."""
        return any(name in frame.locals for frame in self._scopes() if frame.kind != "module")
