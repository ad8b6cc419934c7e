"""STK202 missing-await: a coroutine that is created and never awaited.

How a call is known to be a coroutine, in order: an AsyncSession receiver
(``g.db_session`` and its aliases, sessions bound by ``async with
...session_factory() as s``, ``AsyncSession(...)``, annotated parameters and class
attributes, functions handed to ``run_with_session`` anywhere in the run, the
``session-names`` option; a ``Session`` annotation or a ``run_sync`` callback says
synchronous); Quart's ``request`` and ``websocket``; SQLAlchemy's
``thing.awaitable_attrs.name`` (``AsyncAttrs``); names resolved through the file's
imports (star imports included), ``super()`` and the project index
(``stk_lint.project``) to an ``async def`` in the project, an installed library or
the standard library; and last the built-in tables of ``stk_lint.coroutines``, for
libraries that are not installed. A file where none of these can apply is not parsed
by libcst at all (``stk_lint.rules.missing_await_screen``, on CPython's tree): a change
here needs its counterpart there.

Where the coroutine goes decides the finding. Parents mark the role of their child
expressions before the children are visited (``self.roles``, keyed by node id), so
no parent pointers or metadata are needed.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import libcst as cst

from stk_lint.awaits.annotations import (
    ABSTRACT_MODULES,
    WRAPPERS,
    asks_if_awaitable,
    note_signature,
    session_annotation,
    type_names,
)
from stk_lint.awaits.inference import Inference
from stk_lint.awaits.scopes import (
    AENTER,
    AWAIT,
    CALL,
    ELEMENT,
    ENTER,
    KNOWN,
    Arms,
    Frame,
    Loop,
    Pending,
    Unknown,
)
from stk_lint.coroutines import (
    ASYNC_WITH_TARGETS,
    COROUTINE_API,
    DEFAULT_CONSUMERS,
    REQUEST_PROPERTIES,
    STREAM_RESULTS,
    VALUE_TAKERS,
)
from stk_lint.findings import NodeFix
from stk_lint.python_rule import PythonRule, dotted_name
from stk_lint.rule import Option
from stk_lint.rules.missing_await_screen import (
    DEFAULT_SESSION_NAMES,
    could_make_coroutine,
    module_entry,
)
from stk_lint.summaries import BUILTIN_CLASSES

# `await session.run_sync(fn)` calls `fn` with a synchronous Session.
_RUN_SYNC = re.compile(r"\.run_sync\(\s*(\w+)")

# Type checkers' codes for an unused coroutine, in a comment that silences them.
_ACKNOWLEDGED = ("unused-coroutine", "reportUnusedCoroutine")

# Roles a parent gives its child expression.
AWAITED = "awaited"
HANDED = "handed"  # to a consumer, a container, a lambda ...
# To a function that is not a coroutine consumer: assumed to take a coroutine over,
# except a Quart request/websocket awaitable, which nobody hands on to be run.
ARGUMENT = "argument"
STATEMENT = "statement"
VALUE = "value"
# AsyncSession coroutines whose result is a `Result`/`ScalarResult`: only plain methods.
# (`get`, `scalar` return a model, whose methods may be async: no fix moves the await there.)
PLAIN_RESULT_SESSION_METHODS = frozenset({"execute", "scalars"})
PRIMARY = "primary"  # `.attr`/`[key]` on it: a value, and `await` needs parentheses
# Truth-tested or compared with `is`: a bug for a call (a coroutine is always truthy),
# but on a name it only asks whether the coroutine was made (`if coro is not None:`).
TESTED = "tested"
RETURNED = "returned"
TARGET = "target"
BIND = "bind"
IGNORED = "ignored"  # a Name that is not a variable reference (attribute, keyword)


def _leaves(suite: cst.BaseSuite) -> bool:
    """The block ends in `return`, `raise`, `continue` or `break`: it never falls through."""
    last: cst.CSTNode | None = suite.body[-1] if suite.body else None
    if isinstance(last, cst.SimpleStatementLine):
        last = last.body[-1] if last.body else None
    return isinstance(last, (cst.Return, cst.Raise, cst.Continue, cst.Break))


# A dotted callee right after `await` (usage evidence's text pre-check).
_AWAITED_CALL = re.compile(r"\bawait\s+([A-Za-z_][\w.]*)\s*\(")
# Calls that schedule work and return a handle: awaiting one waits for the work, a bare
# call lets it run on its own (both legal).
_SCHEDULERS = frozenset(
    {"run_in_executor", "start_soon", "call_soon", "call_later", "call_at", "spawn"}
)


# `with pytest.raises(E):`, `with self.assertRaises(E):`: the block is expected to raise.
_RAISES = frozenset({"raises", "assertRaises", "assertRaisesRegex", "RaisesGroup"})


def _expects_raise(item: cst.BaseExpression) -> bool:
    return (
        isinstance(item, cst.Call) and (dotted_name(item.func) or "").rsplit(".", 1)[-1] in _RAISES
    )


def _paired(
    target: cst.BaseExpression, value: cst.BaseExpression
) -> list[tuple[str, cst.BaseExpression]]:
    """`a, b = x, y`: each name target with the element it is given (none when the two
    sides are not tuples of the same length, or something is starred)."""
    if not (isinstance(target, cst.Tuple | cst.List) and isinstance(value, cst.Tuple | cst.List)):
        return []
    elements = (*target.elements, *value.elements)
    if len(target.elements) != len(value.elements) or any(
        isinstance(element, cst.StarredElement) for element in elements
    ):
        return []
    return [
        (name.value.value, element.value)
        for name, element in zip(target.elements, value.elements, strict=True)
        if isinstance(name.value, cst.Name)
    ]


def _pending_message(
    text: str, use: cst.CSTNode | None, end: str
) -> str | Callable[[Callable[[cst.CSTNode], int]], str]:
    """The message of a finding on a bound call, naming the line of the misuse: the
    finding points at the call, the mistake may be many lines below."""
    if use is None:
        return text + end
    return lambda line_of: f"{text} on line {line_of(use)}{end}"


class MissingAwait(Inference, PythonRule):
    code = "STK202"
    name = "missing-await"
    summary = (
        "A coroutine (an `async def` of the project or an installed library, an "
        "AsyncSession method, a Quart awaitable, an `awaitable_attrs` attribute) that is "
        "never awaited."
    )
    why = (
        "Calling an `async def` only creates a coroutine; nothing runs until it is awaited. "
        "Without `await`, `g.db_session.commit()` commits nothing, `flash()` shows nothing, "
        "`request.json` is a coroutine object instead of the body and "
        "`Activity.register(...)` logs nothing. Nothing raises at the call: Python warns "
        "'coroutine was never awaited' at garbage collection, long after the request "
        "returned. Type checkers see only bare statements in fully typed code."
    )
    bad = (
        "from quart import Blueprint, g, request\n"
        "\n"
        "from .models import Thing\n"
        "\n"
        'bp = Blueprint("things", __name__)\n'
        "\n"
        "\n"
        '@bp.post("/api/thing/")\n'
        "async def create_thing():\n"
        '    thing_data = request.json.get("item", {})\n'
        "    thing = Thing()\n"
        "    await thing.from_dict(thing_data)\n"
        "    g.db_session.add(thing)\n"
        "    g.db_session.commit()\n"
        '    return {"message": "Thing successfully created!"}\n'
    )
    good = (
        "from quart import Blueprint, g, request\n"
        "\n"
        "from .models import Thing\n"
        "\n"
        'bp = Blueprint("things", __name__)\n'
        "\n"
        "\n"
        '@bp.post("/api/thing/")\n'
        "async def create_thing():\n"
        "    json_data = await request.json\n"
        '    thing_data = json_data.get("item", {})\n'
        "    thing = Thing()\n"
        "    await thing.from_dict(thing_data)\n"
        "    g.db_session.add(thing)\n"
        "    await g.db_session.commit()\n"
        '    return {"message": "Thing successfully created!"}\n'
    )
    fix = "safe"
    needs_project = True
    options = {
        "session-names": Option(
            list(DEFAULT_SESSION_NAMES),
            "Names (or last attributes, as in `self.db_session`) that hold an AsyncSession "
            "when nothing else says what they hold: unannotated parameters, `async with ... "
            "as` targets, names from outside the function, attributes. An annotation "
            "(`Session` is synchronous), a `run_sync` callback's first parameter or any "
            "other binding in the function decides instead.",
        ),
        "coroutine-consumers": Option(
            DEFAULT_CONSUMERS,
            "Functions that take a coroutine and run it. Any other function is assumed to "
            "take over a coroutine passed to it as well, so an entry matters where "
            "stk-lint would otherwise object: a Quart request or websocket awaitable "
            "passed to it, a function taken for a value user (`print`, `len`, logging "
            "calls); and a name handed to one counts as awaited (no `x = await ...` fix "
            "is offered for its binding). A dotted entry matches the resolved name "
            "exactly, a plain entry matches the last part (`create_task` matches "
            "`asyncio.create_task` and `tg.create_task`).",
        ),
    }
    limits = (
        "Within one function only: a coroutine stored in a container (a list of tasks, a "
        "dict), passed to a function stk-lint does not know, or captured by a nested "
        "function is assumed to be handled there. A name compared with `is`/`is not` or "
        "truth-tested is not a use of it, unless the test is in the block that made the "
        "coroutine and the function never awaits the name (`note = Note.read(id)` then "
        "`if not note:`); a coroutine bound in a loop under a name "
        "that the loop awaits is taken to be awaited by the next iteration (the one bound "
        "by the last iteration is not followed past the loop). Calls through dynamic dispatch (a "
        "callback parameter, `getattr`, a variable holding a function, methods of objects "
        "whose class stk-lint cannot infer from `x = Class(...)`, "
        "`x = await session.get(Class, ...)`, `x = await session.stream(...)` or an "
        "annotation, methods on the result of another method call) are not resolved, "
        "unless usage evidence decides: when the same dotted callee (`self.` in the same "
        "class, the same binding of a local in the same function, else the module) is "
        "awaited elsewhere (not in a block a test expects to raise), a "
        "bare statement call of it, or a call bound to a name then misused, in an `async "
        "def` is a finding (not for callees that schedule work and return a handle: "
        "`run_in_executor`, `start_soon`, `call_soon`...; nor when the `await` is the very "
        "same call in another arm of an `if`, which chooses by the callee, the statements "
        "after an `if` whose one arm ends in `return`, `raise`, `continue` or `break` "
        "counting as its other arm); a callee "
        "awaited nowhere else stays unknown. In an `async def`, `x.__aenter__()`, "
        "`__aexit__`, `__anext__`, `aclose`, `asend`, `athrow` and the built-in `anext()` "
        "make awaitables whatever `x` is. "
        "`self.x` is known as a session (or a synchronous `Session`) from an annotation "
        "in the class body or from an assignment in a method written above the use; "
        "otherwise its name decides. Other values are typed from annotations (parameters, "
        "class bodies, `self.x: T`, a function's return annotation, `__aenter__`'s for "
        "`async with f() as x`, `Self` included) and module-level bindings (`session = "
        "async_scoped_session(...)`, `client: Client = ...`, an alias of "
        "`Callable[..., Awaitable[T]]`), in the module or imported from another; a value "
        "annotated `type[X]` (a parameter, or a class body's `event_class: type[Event]` "
        "reached as `self.context.event_class()`) makes an `X` when called; a "
        "`TypeVar`, a generic's parameters (beyond the elements of `dict[K, V]`, "
        "`list[T]`, `Sequence[T]`, `deque[T]` read by subscript), "
        "a `LocalProxy` and a value typed only by what a decorator does are not followed "
        "(a union of classes is: a method is a coroutine there when every class has it "
        "as one; `self.x` set by a base class is followed when the base is defined above "
        "in the same module), "
        "except that `async with` on a method annotated `-> AsyncIterator[X]` (an "
        "`@asynccontextmanager`) or on an `async def ... -> X` gives an `X`, and `await` "
        "on an object whose `__await__` gives its own class gives that class. A statement "
        "commented `# type: ignore[unused-coroutine]` (or pyright's "
        "`reportUnusedCoroutine`) makes its coroutine on purpose and is not reported. "
        "Installed "
        "libraries are read (never imported) from the Python environment stk-lint runs in "
        "and from the project's own `.venv`/`venv`; when a library is found in neither, "
        "only the built-in table of Quart, quart-security, SQLAlchemy and stk coroutines "
        "is known. Module summaries come from a line scan, not a parse: a decorator that "
        "makes an `async def` synchronous (asgiref's `async_to_sync`) is not seen, nor one "
        "that turns a plain `def` into a coroutine function, nor `async def`s created by "
        "`exec`/metaprogramming, nor aliases made by assignment (`save = session.commit`). "
        "A job handed to `run_with_session` in another module gets its session parameter "
        "only when that module is among the files checked (not when one file is checked "
        "alone). Passing a coroutine to a function counts as a bug only "
        "for functions that use values (`len`, `list`, `dict`, `str`, `print`, "
        "`json.dumps`/`json.loads` and any `.loads`/`.dumps`, logging calls, `isinstance` "
        "unless it asks for `Awaitable`/`Coroutine`/`Future`/`Task`, `getattr`/`hasattr`/`vars`, unittest's "
        "`self.assert...`, AsyncSession's `add`/`add_all`/`expunge`, Quart's "
        "`make_response`/`render_template`/`jsonify`) and for a function of the same "
        "module (called by name, on `self`, or a class's `__init__`, undecorated) whose "
        "parameter there is annotated with classes no coroutine is an instance of "
        "(`str`, `dict[...]`, a class that is not a Protocol, a module-level alias of a "
        "`Union` of them; not `Any`, a TypeVar or `Awaitable`); "
        "every other function is given the benefit of the doubt (it may run the "
        "coroutine), except with Quart's request and websocket awaitables "
        "(`request.json`, `request.get_json()`, `websocket.receive()`...): nobody hands "
        "those on to be run, so passing one to a function not in `coroutine-consumers` "
        "is a finding. `async for x in session.stream(...)` "
        "without `await` is not reported: it raises a TypeError at once, so it cannot "
        "fail silently."
    )
    valid = (
        # Awaited later through the name it was bound to.
        "import asyncio\n\nasync def notify(u):\n    pass\n\n"
        "async def handler(u):\n    pending = notify(u)\n    await asyncio.sleep(0)\n"
        "    await pending\n",
        # Handed to consumers.
        "import asyncio\nfrom stk.tasks import run_in_background\n\n"
        "async def notify(u):\n    pass\n\n"
        "async def handler(users):\n    await run_in_background(notify(users[0]))\n"
        "    await asyncio.gather(*[notify(u) for u in users])\n"
        "    task = asyncio.create_task(notify(users[0]))\n    await task\n",
        # A plain def wrapper returning the coroutine, and a lambda.
        "from quart import render_template\n\n"
        "def page(name):\n    return render_template(f'{name}.html')\n\n"
        "handlers = {'home': lambda: render_template('home.html')}\n",
        # Sync AsyncSession methods and sync request attributes.
        "from quart import g, request\n\nasync def h(thing):\n    g.db_session.add(thing)\n"
        "    g.db_session.expunge(thing)\n    page = request.args.get('page', 1, type=int)\n"
        "    token = request.headers.get('X-Token')\n    return {'m': request.method}\n",
        # The cookie session of Quart is a dict, not an AsyncSession.
        "from quart import session\n\nasync def h():\n    return {'user': session.get('uid')}\n",
        # Sessions from the factory, used the stk way.
        "import stk.extensions as ext\n\nasync def job(thing_id):\n"
        "    async with ext.async_session_factory() as session:\n"
        "        async with session.begin():\n"
        "            thing = await session.get(Thing, thing_id)\n"
        "            session.add(thing)\n",
        # Coroutines of typed attributes and `Callable` parameters handed on: gathered,
        # made tasks, stored in a list that is gathered, returned to an awaiting caller.
        "import asyncio\nfrom collections.abc import Awaitable, Callable\n\n\n"
        "class ThingRepository:\n    async def save(self, thing):\n        pass\n\n\n"
        "class ThingService:\n"
        "    def __init__(self, repository: ThingRepository,\n"
        "                 notify: Callable[[str], Awaitable[None]]):\n"
        "        self.repository = repository\n        self.notify = notify\n\n"
        "    async def save_all(self, things):\n"
        "        await asyncio.gather(*[self.repository.save(t) for t in things])\n"
        "        task = asyncio.create_task(self.notify('saved'))\n"
        "        pending = [self.repository.save(t) for t in things]\n"
        "        await asyncio.gather(*pending)\n        await task\n\n"
        "    def save_later(self, thing):\n        return self.repository.save(thing)\n",
        # Uploads awaited; an async context manager's target used as its class says.
        "from quart import request\n\n\nclass Upload:\n"
        "    async def __aenter__(self) -> 'Upload':\n        return self\n\n"
        "    async def __aexit__(self, *exc):\n        pass\n\n"
        "    async def store(self, data):\n        pass\n\n"
        "    def size(self):\n        return 0\n\n\n"
        "async def upload():\n    files = await request.files\n"
        "    await files['photo'].save('/srv/p.jpg')\n"
        "    async with Upload() as target:\n        await target.store(b'')\n"
        "        return {'size': target.size()}\n",
        # A class taken by `type[X]`: calling it builds an instance (nothing to await);
        # its instances' plain methods.
        "class Signal:\n    async def wait(self):\n        pass\n\n"
        "    def is_set(self):\n        return False\n\n\n"
        "class Worker:\n    def __init__(self, signal_class: type[Signal]):\n"
        "        self.signal_class = signal_class\n        self.ready = signal_class()\n\n"
        "    async def run(self):\n        spare = self.signal_class()\n"
        "        if not self.ready.is_set():\n            await self.ready.wait()\n"
        "        await spare.wait()\n",
        # Handed to parameters that may take a coroutine: `Awaitable`, unannotated.
        "from collections.abc import Awaitable\n\n\n"
        "async def notify(user_id):\n    pass\n\n\n"
        "def run_later(job: Awaitable[None], name) -> None:\n    pass\n\n\n"
        "async def signup(user_id):\n    job = notify(user_id)\n    run_later(job, job)\n",
    )
    invalid = (
        "from quart import g\n\nasync def h():\n    g.db_session.commit()\n",
        "from quart import request\n\nasync def h():\n"
        "    data = request.get_json()\n    return data.get('item')\n",
        "from quart import render_template\n\nasync def page():\n"
        "    return render_template('x.html')\n",
        "async def notify(u):\n    pass\n\ndef signup(u):\n    notify(u)\n",
        "import stk.extensions as ext\n\nasync def job():\n"
        "    async with ext.async_session_factory() as s:\n        s.flush()\n",
        # An attribute typed by an annotated `__init__` parameter.
        "class ThingRepository:\n    async def save(self, thing):\n        pass\n\n\n"
        "class ThingService:\n    def __init__(self, repository: ThingRepository):\n"
        "        self.repository = repository\n\n"
        "    async def create(self, thing):\n        self.repository.save(thing)\n",
        # A file of `await request.files`: Quart's FileStorage.save is a coroutine.
        "from quart import request\n\n\nasync def upload():\n"
        "    files = await request.files\n    files['photo'].save('/srv/p.jpg')\n",
        # A function annotated to return an instance, and a `Callable[..., Awaitable]`.
        "from collections.abc import Awaitable, Callable\n\n\n"
        "class Client:\n    async def fetch(self, url):\n        pass\n\n\n"
        "def make_client() -> Client:\n    return Client()\n\n\n"
        "async def poll(url, report: Callable[[str], Awaitable[None]]):\n"
        "    client = make_client()\n    client.fetch(url)\n    report(url)\n",
        # An instance made by a class annotated `type[X]` in another class's body.
        "from typing import Protocol\n\n\n"
        "class Signal:\n    async def set(self):\n        pass\n\n\n"
        "class AppContext(Protocol):\n    signal_class: type[Signal]\n\n\n"
        "class Worker:\n    def __init__(self, context: AppContext):\n"
        "        self.done = context.signal_class()\n\n"
        "    async def finish(self):\n        self.done.set()\n",
        # A bound coroutine handed to a method whose parameter takes a model instance.
        "class Thing:\n    id = 0\n\n\n"
        "class ThingView:\n"
        "    async def load(self, thing_id: int) -> Thing:\n        return Thing()\n\n"
        "    def serialise(self, thing: Thing) -> dict:\n        return {'id': thing.id}\n\n"
        "    async def get(self, thing_id):\n"
        "        thing = self.load(thing_id)\n        return self.serialise(thing)\n",
    )

    # -- set-up ------------------------------------------------------------------------

    @classmethod
    def could_fire_in(cls, source, tree_of, path, options, project) -> bool:
        return could_make_coroutine(source, tree_of, path, options, project)

    def __init__(self, context) -> None:
        super().__init__(context)
        self.roles: dict[int, str | tuple[str, str]] = {}
        self.frames: list[Frame] = []
        self.comprehensions = 0
        # Receivers in `await <receiver>.attr(...)`: the `await` the user meant for them.
        self.awaited_through: dict[int, cst.Await] = {}
        self.factories: set[str] = set()  # names bound to async_sessionmaker(...)
        self.sync_factories: set[str] = set()  # names bound to a plain sessionmaker(...)
        self.ever_pending: set[str] = set()  # fast path for visit_Name; only grows
        # Calls bound to a name whose arguments are being visited: in `user = add(user)`
        # the argument is the name's previous value, not the coroutine bound to it.
        self.open_bound_calls: set[int] = set()
        # (frame, name, block, coroutines bound before): rebinding seen, settled later
        self.rebinding: list[tuple[Frame, str, int, tuple[Pending, ...]]] = []
        self.blocks: list[int] = [0]  # statement lists entered, innermost last
        self.index, self.local = module_entry(context.path, context.source, context.project)
        self.module = self.local.summary["module"]
        self.is_package = self.local.summary["package"]
        self.session_names = set(context.options.get("session-names", DEFAULT_SESSION_NAMES))
        consumers = context.options.get("coroutine-consumers", DEFAULT_CONSUMERS)
        self.consumers_exact = {c for c in consumers if "." in c}
        self.consumers_last = {c for c in consumers if "." not in c}
        self.session_functions = set(self.local.summary.get("run_with_session", ()))
        self.sync_session_functions = set(_RUN_SYNC.findall(context.source))
        self.acknowledged = any(marker in context.source for marker in _ACKNOWLEDGED)
        self.finished_classes: dict[str, Frame] = {}  # qualname -> its frame, once visited
        # Names of pending coroutines passed to a call: id(Name) -> (call, position or
        # keyword); and the module's functions' parameters, read when first needed.
        self.argument_of: dict[int, tuple[cst.Call, int | str]] = {}
        self.module_node: cst.Module | None = None
        self.signatures: dict[str, tuple[cst.Parameters, int] | None] | None = None
        # Usage evidence: the first `await` of each callee (its key: where its head name
        # lives, and the dotted name), and bare statement calls of callees nothing
        # declares, judged against those awaits when the module ends.
        self.awaited_calls: dict[tuple[object, str], list[tuple[cst.Await, Arms]]] = {}
        self.arms_of: dict[int, Arms] = {}  # id(block) -> the if-arms it is in
        self.elif_arms: dict[int, Arms] = {}  # id(elif's If) -> the arms around it
        # id(block) -> the arms the rest of the block is in: past `if cb_is_async: await
        # cb(); return`, the block goes on only where that arm was not taken.
        self.arms_after: dict[int, list[tuple[int, int]]] = {}
        self.unknown_statements: list[Unknown] = []
        self.deferred: list[tuple[str, Pending, str, cst.CSTNode | None, NodeFix | None, str]] = []
        self.awaited_texts: set[str] | None = None  # callees written after `await`
        # `with pytest.raises(...)` blocks open: an `await` there may be of something that
        # raises before it makes an awaitable (no usage evidence).
        self.raising = 0
        self.evidence_frames: list[Frame] = []  # keeps the frames keyed by id alive

    def report(self, node, message, fix=None, statement=None) -> None:
        """A statement whose comment silences the type checkers' own check of this
        (`# type: ignore[unused-coroutine]`, pyright's `reportUnusedCoroutine`) makes
        the coroutine on purpose: not reported again."""
        if self.acknowledged:
            line = statement or self.context.statement
            comment = getattr(getattr(line, "trailing_whitespace", None), "comment", None)
            if comment is not None and any(m in comment.value for m in _ACKNOWLEDGED):
                return
        super().report(node, message, fix, statement)

    # -- scopes ------------------------------------------------------------------------

    def visit_Module(self, node: cst.Module) -> None:
        self.frames.append(Frame("module", "", ""))
        self.module_node = node

    def leave_Module(self, node: cst.Module) -> None:
        self._flush(self.frames.pop())
        self._report_unknown_statements()

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self._count_binding(node.name.value)
        self.frames.append(Frame("class", node.name.value, self._prefix() + node.name.value))

    def leave_ClassDef(self, node: cst.ClassDef) -> None:
        frame = self.frames.pop()
        self.finished_classes[frame.qualname] = frame  # its subclasses' `self.x` below

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        name = node.name.value
        self._count_binding(name)
        frame = Frame("def", name, self._prefix() + name, node.asynchronous is not None)
        params = node.params
        every = [*params.posonly_params, *params.params, *params.kwonly_params]
        for extra in (params.star_arg, params.star_kwarg):
            if isinstance(extra, cst.Param):
                every.append(extra)
        for position, param in enumerate(every):
            param_name = param.name.value
            frame.locals.add(param_name)
            annotation = param.annotation.annotation if param.annotation else None
            if annotation is None:
                frame.guessable.add(param_name)
            else:
                self._note_annotation(frame, param_name, annotation)
            if position == 0 and self._receives_session(frame):
                frame.sessions.add(param_name)
            elif position == 0 and name in self.sync_session_functions:
                frame.sync_sessions.add(param_name)
        self.frames.append(frame)

    def _receives_session(self, frame: Frame) -> bool:
        """A job handed to `run_with_session`, in this module or another of the run."""
        if frame.name in self.session_functions:
            return True
        qualified = f"{self.module}.{frame.qualname}" if self.module else frame.qualname
        return self.index.receives_session(qualified)

    def _count_binding(self, name: str) -> None:
        """A `def`/`class` statement binds its name in a function (see
        `Frame.generations`; module and class bodies are not counted)."""
        scope = self.frames[-1]
        if scope.kind in ("def", "lambda"):
            scope.generations[name] = scope.generations.get(name, 0) + 1

    def leave_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._flush(self.frames.pop())

    def visit_Lambda(self, node: cst.Lambda) -> None:
        self.roles[id(node.body)] = HANDED  # returned to whoever calls the lambda
        frame = Frame("lambda", "<lambda>", self._prefix() + "<lambda>")
        frame.locals.update(p.name.value for p in node.params.params)
        self.frames.append(frame)

    def leave_Lambda(self, node: cst.Lambda) -> None:
        self.frames.pop()

    def _enter_comprehension(self, node: cst.CSTNode) -> None:
        self.comprehensions += 1

    def _leave_comprehension(self, original_node: cst.CSTNode) -> None:
        self.comprehensions -= 1

    visit_ListComp = visit_SetComp = visit_DictComp = visit_GeneratorExp = _enter_comprehension
    leave_ListComp = leave_SetComp = leave_DictComp = leave_GeneratorExp = _leave_comprehension

    # -- roles given by parents ------------------------------------------------------

    def _role(self, node: cst.CSTNode | None, role: str | tuple[str, str]) -> None:
        if node is not None:
            self.roles[id(node)] = role

    def visit_Await(self, node: cst.Await) -> None:
        self._role(node.expression, AWAITED)
        self._note_consumed(node.expression)
        call = node.expression
        if isinstance(call, cst.Call) and not call.lpar and not self.raising:
            display = dotted_name(call.func)
            key = None if display is None else self._evidence_key(display)
            if key is not None:
                self.awaited_calls.setdefault(key, []).append((node, self._arms()))
        # `await request.json.get("a")`: the await is on `.get()`'s result.
        inner = node.expression
        while not inner.lpar:
            if isinstance(inner, cst.Call):
                inner = inner.func
            elif isinstance(inner, cst.Attribute | cst.Subscript):
                inner = inner.value
                self.awaited_through[id(inner)] = node
            else:
                break

    def _note_consumed(self, node: cst.BaseExpression) -> None:
        """`await coro`, `gather(coro)`: whatever `coro` holds at that point is run."""
        if isinstance(node, cst.Name):
            frame = self.function
            frame.consumed.add(node.value)
            if frame.loops:
                frame.loops[-1].consumed.add(node.value)

    def visit_Expr(self, node: cst.Expr) -> None:
        self._role(node.value, STATEMENT)

    def visit_Return(self, node: cst.Return) -> None:
        self._role(node.value, RETURNED)

    def visit_Yield(self, node: cst.Yield) -> None:
        if isinstance(node.value, cst.BaseExpression):
            self._role(node.value, HANDED)

    def visit_Assign(self, node: cst.Assign) -> None:
        frame = self.scope
        for target in node.targets:
            self._bind_target(target.target, frame)
            self._bind_attribute(target.target, node.value)
        if len(node.targets) == 1 and isinstance(node.targets[0].target, cst.Name):
            self._bind_value(node.targets[0].target.value, node.value, frame)
        elif len(node.targets) == 1 and (pairs := _paired(node.targets[0].target, node.value)):
            # `user, count = load(user_id), 0`: each name bound to its own element.
            for name, element in pairs:
                self._bind_value(name, element, frame)
        elif any(isinstance(t.target, cst.Tuple | cst.List) for t in node.targets):
            # `done, pending = asyncio.wait(...)`: unpacking iterates a value (a coroutine
            # raises TypeError there, once the call's result was meant).
            self._role(node.value, VALUE)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        frame = self.scope
        self._bind_target(node.target, frame)
        if isinstance(node.target, cst.Name):
            if self.frames[-1].kind == "class":
                # `db_session: Session` in a class body declares the instances' attribute.
                kind = session_annotation(node.annotation.annotation)
                if kind is not None:
                    self.frames[-1].attributes[node.target.value] = kind == "async"
                else:
                    self._note_attribute(
                        self.frames[-1], node.target.value, node.annotation.annotation, None
                    )
            if node.value is not None:
                self._bind_value(node.target.value, node.value, frame)
            self._note_annotation(frame, node.target.value, node.annotation.annotation)
        else:
            self._bind_attribute(node.target, node.value, node.annotation.annotation)

    def _bind_attribute(
        self,
        target: cst.BaseExpression,
        value: cst.BaseExpression | None,
        annotation: cst.BaseExpression | None = None,
    ) -> None:
        """`self.db_session = db_session` in a method: the class's attribute holds what
        the value (or the annotation) says, when that is a session of either kind."""
        if not isinstance(target, cst.Attribute):
            return
        if not (isinstance(target.value, cst.Name) and target.value.value == "self"):
            return
        owner = self._enclosing_class()
        if owner is None:
            return
        kind = session_annotation(annotation) if annotation is not None else None
        if kind is not None:
            owner.attributes[target.attr.value] = kind == "async"
        elif value is not None and self._is_sync_session(value):
            owner.attributes[target.attr.value] = False
        elif value is not None and self._is_session(value):
            owner.attributes[target.attr.value] = True
        else:
            self._note_attribute(owner, target.attr.value, annotation, value)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        self._role(node.value, VALUE)

    def visit_NamedExpr(self, node: cst.NamedExpr) -> None:
        self._role(node.target, TARGET)
        self._role(node.value, VALUE)  # `if data := request.get_json():` tests it

    def _bind_target(self, target: cst.BaseExpression, frame: Frame) -> None:
        if isinstance(target, cst.Name):
            self._role(target, TARGET)
            frame.locals.add(target.value)
            frame.generations[target.value] = frame.generations.get(target.value, 0) + 1
            frame.types.pop(target.value, None)
            frame.types.pop(target.value + ELEMENT, None)
            frame.unions.pop(target.value + ELEMENT, None)
            frame.coroutine_functions.discard(target.value)
            frame.uploads.discard(target.value)
            frame.unions.pop(target.value, None)
            frame.sessions.discard(target.value)
            frame.sync_sessions.discard(target.value)
            frame.guessable.discard(target.value)
        elif isinstance(target, (cst.Tuple, cst.List)):
            for element in target.elements:
                self._bind_target(element.value, frame)

    def _bind_value(self, name: str, value: cst.BaseExpression, frame: Frame) -> None:
        self._role(value, (BIND, name))
        if self._is_sync_session(value):
            frame.sync_sessions.add(name)  # `db = s`: an alias keeps what it aliases
            return
        if self._is_session(value) or self._popped_session(value):
            frame.sessions.add(name)  # `session = g.db_session`, `g.pop("db_session")`
            return
        if self._is_uploads(value) and isinstance(value, cst.Await):
            frame.uploads.add(name)  # `files = await request.files`
            return
        inner = value.expression if isinstance(value, cst.Await) else value
        if not isinstance(inner, cst.Call):
            return
        callee = dotted_name(inner.func)
        if callee is None:
            return
        if callee.rsplit(".", 1)[-1].endswith("sessionmaker"):
            # `Session = async_sessionmaker(engine)`, or the 1.4 spelling with
            # `class_=AsyncSession`; a plain `sessionmaker(engine)` makes sync sessions.
            is_async = callee.endswith("async_sessionmaker") or any(
                arg.keyword is not None
                and arg.keyword.value == "class_"
                and (dotted_name(arg.value) or "").endswith("AsyncSession")
                for arg in inner.args
            )
            (self.factories if is_async else self.sync_factories).add(name)
            return
        if self._makes_session(callee):
            frame.sessions.add(name)
            return
        if self._makes_sync_session(callee):
            frame.sync_sessions.add(name)
            return
        if isinstance(value, cst.Await) and isinstance(inner.func, cst.Attribute):
            method = inner.func.attr.value
            if method in STREAM_RESULTS and self._is_session(inner.func.value):
                # `rows = await session.stream(q)`: an AsyncResult, `.all()` is a coroutine
                frame.types[name] = (STREAM_RESULTS[method], False, KNOWN)
                return
            # `thing = await session.get(Thing, id)`: an instance of Thing
            if inner.func.attr.value in ("get", "get_one") and inner.args:
                self._note_type(frame, name, dotted_name(inner.args[0].value) or "")
                return
        self._note_type(frame, name, callee, AWAIT if isinstance(value, cst.Await) else CALL)

    def visit_With(self, node: cst.With) -> None:
        if any(_expects_raise(item.item) for item in node.items):
            self.raising += 1
        frame = self.scope
        for item in node.items:
            self._role(item.item, HANDED if node.asynchronous else VALUE)
            if item.asname is not None:
                self._bind_target(item.asname.name, frame)
                if node.asynchronous and isinstance(item.asname.name, cst.Name):
                    # An async context manager may well give an AsyncSession; a plain
                    # `with` never does.
                    frame.guessable.add(item.asname.name.value)
                callee = dotted_name(item.item.func) if isinstance(item.item, cst.Call) else None
                if isinstance(item.asname.name, cst.Name) and callee:
                    if self._makes_session(callee):
                        frame.sessions.add(item.asname.name.value)
                    elif self._makes_sync_session(callee):
                        frame.sync_sessions.add(item.asname.name.value)
                    elif node.asynchronous and self._qualify(callee)[0] in ASYNC_WITH_TARGETS:
                        # `async with aiofiles.open(path) as f`: no annotation tells
                        known = ASYNC_WITH_TARGETS[self._qualify(callee)[0] or ""]
                        frame.types[item.asname.name.value] = (known, False, KNOWN)
                    else:
                        how = AENTER if node.asynchronous else ENTER
                        self._note_type(frame, item.asname.name.value, callee, how)

    def leave_With(self, original_node: cst.With) -> None:
        if any(_expects_raise(item.item) for item in original_node.items):
            self.raising -= 1

    def visit_For(self, node: cst.For) -> None:
        self._role(node.iter, HANDED if node.asynchronous else VALUE)
        self._bind_target(node.target, self.scope)
        self._enter_loop(node)

    def leave_For(self, node: cst.For) -> None:
        self._leave_loop(node)

    def _enter_loop(self, node: cst.CSTNode) -> None:
        self.function.loops.append(Loop())

    def _leave_loop(self, node: cst.CSTNode) -> None:
        """A coroutine bound in a loop under a name the loop awaits (`pending =
        websocket.receive()` at the bottom, `await pending` at the top) is awaited by
        the next iteration."""
        frame = self.function
        loop = frame.loops.pop()
        for name in loop.consumed:
            kept = [p for p in frame.pending.get(name, ()) if loop not in p.loops]
            if kept:
                frame.pending[name] = kept
            else:
                frame.pending.pop(name, None)
        if frame.loops:
            frame.loops[-1].consumed |= loop.consumed

    def visit_CompFor(self, node: cst.CompFor) -> None:
        self._role(node.iter, HANDED if node.asynchronous else VALUE)

    def visit_If(self, node: cst.If) -> None:
        self._role(node.test, TESTED)
        # The arms of `if`/`elif`/`else` each block is in, for usage evidence.
        around = self.elif_arms.pop(id(node), ())
        self.arms_of[id(node.body)] = ((id(node), 0), *around)
        if isinstance(node.orelse, cst.Else):
            self.arms_of[id(node.orelse.body)] = ((id(node), 1), *around)
        elif isinstance(node.orelse, cst.If):
            self.elif_arms[id(node.orelse)] = ((id(node), 1), *around)

    def leave_If(self, original_node: cst.If) -> None:
        # One arm leaves the block (return, raise, continue, break): the statements
        # after the `if` are in the other arm.
        body_leaves = _leaves(original_node.body)
        orelse = original_node.orelse
        else_leaves = isinstance(orelse, cst.Else) and _leaves(orelse.body)
        if body_leaves != else_leaves:
            arm = (id(original_node), 1 if body_leaves else 0)
            self.arms_after.setdefault(self.blocks[-1], []).append(arm)

    def visit_While(self, node: cst.While) -> None:
        self._role(node.test, TESTED)
        self._enter_loop(node)

    def leave_While(self, node: cst.While) -> None:
        self._leave_loop(node)

    def visit_Assert(self, node: cst.Assert) -> None:
        self._role(node.test, TESTED)

    def visit_IfExp(self, node: cst.IfExp) -> None:
        self._role(node.test, TESTED)
        inherited = self.roles.get(id(node))
        if isinstance(inherited, tuple):
            inherited = HANDED  # one name, two possible coroutines: not followed
        if inherited is not None:
            self._role(node.body, inherited)
            self._role(node.orelse, inherited)

    def visit_BooleanOperation(self, node: cst.BooleanOperation) -> None:
        inherited = self.roles.get(id(node))
        self._role(node.left, TESTED if inherited == TESTED else VALUE)
        if isinstance(inherited, tuple):
            inherited = HANDED
        self._role(node.right, inherited if inherited is not None else VALUE)

    def visit_UnaryOperation(self, node: cst.UnaryOperation) -> None:
        self._role(node.expression, TESTED if isinstance(node.operator, cst.Not) else VALUE)

    def visit_BinaryOperation(self, node: cst.BinaryOperation) -> None:
        self._role(node.left, VALUE)
        self._role(node.right, VALUE)

    def visit_Comparison(self, node: cst.Comparison) -> None:
        identity = all(isinstance(c.operator, (cst.Is, cst.IsNot)) for c in node.comparisons)
        role = TESTED if identity else VALUE
        self._role(node.left, role)
        for comparison in node.comparisons:
            self._role(comparison.comparator, role)

    def visit_FormattedStringExpression(self, node: cst.FormattedStringExpression) -> None:
        self._role(node.expression, VALUE)

    def _elements_of_returned(self, node: cst.Dict | cst.List | cst.Tuple | cst.Set) -> None:
        """A list or dict literal returned by an async def becomes the response body:
        a coroutine inside it is a value that was never computed."""
        frame = self.function
        if self.roles.get(id(node)) != RETURNED or frame.kind != "def" or not frame.is_async:
            return
        for element in node.elements:
            self._role(getattr(element, "value", None), RETURNED)

    visit_Dict = visit_List = visit_Tuple = visit_Set = _elements_of_returned

    def visit_Subscript(self, node: cst.Subscript) -> None:
        self._role(node.value, PRIMARY)

    def visit_StarredDictElement(self, node: cst.StarredDictElement) -> None:
        self._role(node.value, VALUE)  # `{**request.json}` unpacks a mapping

    def visit_StarredElement(self, node: cst.StarredElement) -> None:
        self._role(node.value, VALUE)  # `[*g.db_session.scalars(q)]` iterates

    # -- the checks --------------------------------------------------------------------

    def visit_Attribute(self, node: cst.Attribute) -> None:
        # `coro.__await__()`, `coro.send(None)`, `coro.close()`: driving the coroutine by hand.
        self._role(node.value, HANDED if node.attr.value in COROUTINE_API else PRIMARY)
        self._role(node.attr, IGNORED)
        role = self.roles.get(id(node))
        if role is None:
            return  # the callee of a call, or somewhere we make no claim about
        if (
            node.attr.value in REQUEST_PROPERTIES
            and self._is_quart(node.value, "request")
            and self._quart_member("request", node.attr.value, True)
        ):
            name = f"{dotted_name(node.value)}.{node.attr.value}"
            self._check(node, name, "Quart request", role, property=True, quart=True)
        elif isinstance(node.value, cst.Attribute) and node.value.attr.value == "awaitable_attrs":
            # SQLAlchemy's AsyncAttrs: `await thing.awaitable_attrs.lines` loads the attribute.
            name = dotted_name(node) or f"awaitable_attrs.{node.attr.value}"
            self._check(node, name, "SQLAlchemy `AsyncAttrs`", role, property=True)

    def visit_Call(self, node: cst.Call) -> None:
        display = dotted_name(node.func)
        qualified = None if display is None else self.context.qualify(display)
        if qualified is not None and self._is_consumer(qualified):
            arg_role: str = HANDED
            for arg in node.args:
                self._note_consumed(arg.value)
        elif (
            display is not None
            and qualified is not None
            and self._callee_name(display, qualified) in VALUE_TAKERS
            and not asks_if_awaitable(node)
        ):
            arg_role = VALUE
        elif self._plain_session_method(node.func):
            arg_role = VALUE  # `session.add(thing)` takes a model, never a coroutine
        else:
            arg_role = ARGUMENT
        position = 0
        for arg in node.args:
            # Unpacking (`*x`, `**x`) needs a value; `gather(*[...])` unpacks a list.
            self._role(arg.value, VALUE if arg.star else arg_role)
            self._role(arg.keyword, IGNORED)
            if arg.star:
                position = -1  # the positions after it cannot be told
            if isinstance(arg.value, cst.Name) and arg.value.value in self.ever_pending:
                where = arg.keyword.value if arg.keyword is not None else position
                if where != -1:
                    self.argument_of[id(arg.value)] = (node, where)
            if position != -1 and arg.keyword is None and not arg.star:
                position += 1
        role = self.roles.get(id(node))
        if role is None or role in (AWAITED, HANDED, TARGET):
            return  # nothing to report whatever the callee is: do not look it up
        quart = self._on_quart_proxy(node.func)
        if role == ARGUMENT and not quart:
            return
        found = self._coroutine(node.func, display)
        if found is not None:
            display, how = found
            self._check(node, display, how, role, quart=quart)
        elif (
            (role == STATEMENT or isinstance(role, tuple))
            and display is not None
            and qualified is not None
            and display in self._awaited_texts()
        ):
            self._note_unknown_call(node, display, qualified, role)

    # -- usage evidence ------------------------------------------------------------------

    def _evidence_key(self, display: str) -> tuple[object, str] | None:
        """Where the callee's head name lives, with the dotted name: two calls with the
        same key call the same thing. `self.x.y` is keyed by the class of the method,
        a function's local by that function, anything else by the module."""
        head = display.partition(".")[0]
        if head == "self":
            owner = self._enclosing_class()
            return None if owner is None else (owner.qualname, display)
        for frame in self._scopes():
            if frame.kind == "class":
                return None  # a class body's own names: not followed
            if frame.kind != "module" and (head in frame.locals or head in frame.generations):
                if not self.evidence_frames or self.evidence_frames[-1] is not frame:
                    self.evidence_frames.append(frame)
                # `with socket() as s: s.bind(...)` then `with tsocket() as s: await
                # s.bind(...)`: another binding of the name may hold another thing.
                return ((id(frame), frame.generations.get(head, 0)), display)
        return ("", display)

    def _arms(self) -> Arms:
        """The arms of the `if` statements around the node being visited."""
        return tuple(
            arm
            for block in self.blocks
            for arms in (self.arms_of.get(block, ()), self.arms_after.get(block, ()))
            for arm in arms
        )

    def _awaited_elsewhere(
        self, key: tuple[object, str], arms: Arms, call: cst.CSTNode
    ) -> cst.Await | None:
        """The first `await` of the callee that is evidence for `call`: not the same call
        in another arm of an `if` around it (`if is_sync: x = cb(*a) else: x = await
        cb(*a)` chooses by the callee)."""
        mine = dict(arms)
        for awaited, where in self.awaited_calls.get(key, ()):
            opposite = any(mine.get(statement, arm) != arm for statement, arm in where)
            if not opposite or not awaited.expression.deep_equals(call):
                return awaited
        return None

    def _awaited_texts(self) -> set[str]:
        """The dotted callees written right after an `await` in the file (a text
        pre-check: the keys of `awaited_calls` are the real test)."""
        if self.awaited_texts is None:
            self.awaited_texts = set(_AWAITED_CALL.findall(self.context.source))
        return self.awaited_texts

    def _note_unknown_call(
        self, node: cst.Call, display: str, qualified: str, role: str | tuple[str, str]
    ) -> None:
        """A bare statement call (or a call bound to a name) in an `async def` of a
        callee nothing declares: a finding if the same callee is awaited elsewhere in its
        scope (see `_report_unknown_statements`, `_flush`)."""
        frame = self.function
        if frame.kind != "def" or not frame.is_async or self._is_consumer(qualified):
            return
        if self.raising or qualified.rsplit(".", 1)[-1] in _SCHEDULERS:
            return
        key = self._evidence_key(display)
        if key is None:
            return
        if isinstance(role, tuple):
            self._check(node, display, "awaited elsewhere", role, evidence=(key, self._arms()))
            return
        statement = self.context.statement
        self.unknown_statements.append(
            Unknown(node, key, self._arms(), frame, statement, self._awaitable_here())
        )

    def _report_unknown_statements(self) -> None:
        """Usage evidence: `await self.datastore.commit()` at one place and a bare
        `self.datastore.commit()` statement at another. Nothing declares what the
        callee returns, but the code awaits it: the bare call drops an awaitable."""
        for unknown in self.unknown_statements:
            awaited = self._awaited_elsewhere(unknown.key, unknown.arms, unknown.call)
            if awaited is None:
                continue
            display = unknown.key[1]
            fix = self._fix(unknown.call, unknown.frame, False, unknown.awaitable_here)

            def message(
                line_of: Callable[[cst.CSTNode], int],
                display: str = display,
                awaited: cst.Await = awaited,
            ) -> str:
                return (
                    f"`{display}(...)` is awaited on line {line_of(awaited)}, so it makes "
                    "an awaitable, but here it is called without `await`, so it never runs"
                )

            self.report(unknown.call, message, fix, unknown.statement)
        for name, pending, what, use, fix, end in self.deferred:
            assert pending.evidence is not None
            awaited = self._awaited_elsewhere(*pending.evidence, pending.call)
            if awaited is None:
                continue

            def bound_message(
                line_of: Callable[[cst.CSTNode], int],
                name: str = name,
                pending: Pending = pending,
                what: str = what,
                use: cst.CSTNode | None = use,
                end: str = end,
                awaited: cst.Await = awaited,
            ) -> str:
                where = "" if use is None else f" on line {line_of(use)}"
                return (
                    f"`{pending.callee}(...)` is awaited on line {line_of(awaited)}, so it "
                    f"makes an awaitable; `{name}` holds it but {what}{where}{end}"
                )

            self.report(pending.call, bound_message, fix, pending.statement)

    def _on_quart_proxy(self, func: cst.BaseExpression) -> bool:
        """`request.get_json`, `websocket.receive`: a method of a Quart proxy."""
        return isinstance(func, cst.Attribute) and (
            self._is_quart(func.value, "request") or self._is_quart(func.value, "websocket")
        )

    def leave_Call(self, original_node: cst.Call) -> None:
        if self.open_bound_calls:
            self.open_bound_calls.discard(id(original_node))

    def visit_Name(self, node: cst.Name) -> None:
        if node.value not in self.ever_pending:
            return
        frame = self.function
        if self.open_bound_calls and node.value in frame.pending:
            # Inside the very call bound to this name (`user = add(user, ...)`): the name
            # is still its previous value; the coroutine bound to it is not used here.
            entries = frame.pending[node.value]
            held = [p for p in entries if id(p.call) in self.open_bound_calls]
            if held:
                rest = [p for p in entries if id(p.call) not in self.open_bound_calls]
                if not rest:
                    return
                frame.pending[node.value] = rest
                try:
                    self._use_name(node, frame)
                finally:
                    frame.pending.setdefault(node.value, []).extend(held)
                return
        self._use_name(node, frame)

    def _use_name(self, node: cst.Name, frame: Frame) -> None:
        role = self.roles.get(id(node))
        if role == IGNORED:
            return
        if node.value not in frame.pending:
            for outer in reversed(self.frames):
                if outer is not frame and node.value in outer.pending:
                    del outer.pending[node.value]  # captured by a nested function
                    return
            return
        if role == TESTED:
            # `if coro is not None:` may ask whether it was made (`coro = None` above, the
            # call in a branch): not a use. Tested in the block that made it, by a
            # function that never awaits it, it stood for the result (`if not thing:`):
            # decided when the function ends.
            block = self.blocks[-1]
            frame.tested.extend(
                (node.value, pending, node)
                for pending in frame.pending[node.value]
                if pending.block == block
            )
            return
        if role == TARGET:
            # Rebound: lost unless the statement's own value awaits it (`x = await x`),
            # which is visited after the target. Settled at the next statement boundary.
            before = tuple(frame.pending[node.value])
            self.rebinding.append((frame, node.value, self.blocks[-1], before))
            return
        name = node.value
        for pending in frame.pending.pop(name):
            if role in (STATEMENT, VALUE, PRIMARY):
                self._report_pending(name, pending, frame, "is used without `await`", node)
            elif role == RETURNED and frame.kind == "def" and frame.is_async:
                self._report_pending(name, pending, frame, "is returned without `await`", node)
            elif role == ARGUMENT and pending.quart:
                what = "is passed to a function without `await`"
                self._report_pending(name, pending, frame, what, node)
            elif role == ARGUMENT and (taker := self._value_parameter(node)) is not None:
                self._report_pending(name, pending, frame, taker, node)
            # awaited, handed on, aliased, returned from a plain def: handled there

    def _value_parameter(self, node: cst.Name) -> str | None:
        """Why the call `node` is passed to cannot take a coroutine: a function or method
        of this module whose parameter there is annotated with classes no coroutine is an
        instance of (`response: Response | None`, `payload: dict[str, Any]`)."""
        found = self.argument_of.get(id(node))
        signature = self._signature(found[0].func) if found is not None else None
        if found is None or signature is None:
            return None
        (params, skipped), where = signature, found[1]
        if isinstance(where, int):
            positional = [*params.posonly_params, *params.params][skipped:]
            param = positional[where] if where < len(positional) else None
        else:
            param = next(
                (p for p in [*params.params, *params.kwonly_params] if p.name.value == where),
                None,
            )
        if param is None or param.annotation is None:
            return None
        annotation = param.annotation.annotation
        if not self._holds_no_coroutine(annotation):
            return None
        callee = dotted_name(found[0].func)
        written = self.module_node.code_for_node(annotation) if self.module_node else "?"
        return (
            f"is passed to `{callee}`, whose parameter `{param.name.value}` takes "
            f"`{written}`, never a coroutine,"
        )

    def _signature(self, func: cst.BaseExpression) -> tuple[cst.Parameters, int] | None:
        """(parameters, how many leading ones the call does not pass) of a function of
        this module called by name, a method called on `self`, or a class of the module
        built (its `__init__`)."""
        display = dotted_name(func)
        if display is None:
            return None
        head, _, rest = display.partition(".")
        if head == "self" and rest and "." not in rest:
            owner = self._enclosing_class()
            key = f"{owner.qualname}.{rest}" if owner is not None else None
            bound = 1
        elif rest or self._is_local(head) or head in self.context.imports:
            return None
        else:
            key, bound = head, 0
            if head in self.local.summary["classes"]:
                key, bound = f"{head}.__init__", 1
        if key is None:
            return None
        signature = self._signatures().get(key)
        if signature is None:
            return None
        params, static = signature
        return params, 0 if static else bound

    def _signatures(self) -> dict[str, tuple[cst.Parameters, int] | None]:
        """The module's functions and its classes' methods by qualified name: their
        parameters and whether a call passes no `self` (a staticmethod). None for a name
        defined twice (overloads) or with another decorator, which may change it."""
        if self.signatures is None:
            found: dict[str, tuple[cst.Parameters, int] | None] = {}
            body = self.module_node.body if self.module_node is not None else ()
            for statement in body:
                if isinstance(statement, cst.FunctionDef):
                    note_signature(found, statement.name.value, statement)
                elif isinstance(statement, cst.ClassDef):
                    inner = (
                        statement.body.body if isinstance(statement.body, cst.IndentedBlock) else ()
                    )
                    for member in inner:
                        if isinstance(member, cst.FunctionDef):
                            name = f"{statement.name.value}.{member.name.value}"
                            note_signature(found, name, member)
            self.signatures = found
        return self.signatures

    def _holds_no_coroutine(self, annotation: cst.BaseExpression) -> bool:
        """Whether every class an annotation names is one no coroutine is an instance
        of: `str`, `bytes`, `dict[...]`... (unless the module rebinds the name), or a
        class of the project or a library that is not a Protocol, nor of `typing` or
        `collections.abc` (`Awaitable`, `Any`); a TypeVar or an alias is not known."""
        if isinstance(annotation, cst.SimpleString):
            return False
        names = [n for n in type_names(annotation) if n not in WRAPPERS and n != "None"]
        if not names:
            return False
        for name in names:
            if name in BUILTIN_CLASSES and not self._is_module_name(name):
                continue
            qualified, in_module = self._qualify(name) if name else (None, False)
            target = self._target(qualified, in_module) if qualified is not None else None
            if target is not None and target.kind == "class":
                classes = [(target.qualified, in_module)]
            else:
                # `response: ResponseTypes`, an alias of `Union[Response, ...]`
                aliased = self.index.alias_classes(self.local, name) if name else None
                if aliased is None:
                    return False
                classes = [(c, False) for c in aliased if c not in BUILTIN_CLASSES]
            for qualified, in_module in classes:
                if qualified.split(".", 1)[0] in ABSTRACT_MODULES:
                    return False
                if self.index.is_protocol(qualified, self.local if in_module else None):
                    return False
        return True

    def _is_module_name(self, name: str) -> bool:
        summary = self.local.summary
        return (
            name in self.context.imports
            or name in summary["classes"]
            or name in summary["functions"]
            or name in summary.get("bindings", ())
        )

    def _lose_rebound(
        self, frame: Frame, name: str, block: int, before: tuple[Pending, ...] | None = None
    ) -> None:
        """Coroutines bound to `name` in `block` and rebound there before any use are
        lost; those bound in another branch (`if`/`else`) may still be awaited later.
        `before`: only those already bound when the rebinding statement began."""
        kept = []
        for pending in frame.pending.get(name, ()):
            if pending.block == block and (before is None or pending in before):
                self._report_pending(name, pending, frame, "is never awaited")
            else:
                kept.append(pending)
        if kept:
            frame.pending[name] = kept
        else:
            frame.pending.pop(name, None)

    def _settle_rebinding(self, original_node: cst.CSTNode | None = None) -> None:
        for frame, name, block, before in self.rebinding:
            self._lose_rebound(frame, name, block, before)
        self.rebinding.clear()

    def _enter_block(self, node: cst.CSTNode) -> None:
        self._settle_rebinding()
        self.blocks.append(id(node))

    def _leave_block(self, original_node: cst.CSTNode) -> None:
        self._settle_rebinding()
        self.arms_after.pop(self.blocks.pop(), None)

    leave_SimpleStatementLine = _settle_rebinding
    visit_IndentedBlock = visit_SimpleStatementSuite = _enter_block
    leave_IndentedBlock = leave_SimpleStatementSuite = _leave_block

    def _flush(self, frame: Frame) -> None:
        self._settle_rebinding()
        for name, pendings in frame.pending.items():
            for pending in pendings:
                self._report_pending(name, pending, frame, "is never awaited")
        reported = {id(pending) for _, pending, _, _ in frame.late}
        for name, pending, test in frame.tested:
            if name not in frame.consumed and id(pending) not in reported:
                reported.add(id(pending))
                what = "is tested without `await` (a coroutine is always true, never None)"
                frame.late.append((name, pending, what, test))
        for name, pending, what, use in frame.late:
            start = f"`{pending.callee}` {pending.kind} ({pending.how}); `{name}` holds its "
            end = self._sync_advice(frame)
            fix = None
            if name not in frame.consumed:
                # `x = await call()` would break a later `await x`.
                fix = self._fix(pending.call, frame, False, pending.awaitable_here)
            if pending.evidence is not None:
                self.deferred.append((name, pending, what, use, fix, end))
                continue
            message = _pending_message(f"{start}coroutine but {what}", use, end)
            self.report(pending.call, message, fix, pending.statement)

    def _report_pending(
        self,
        name: str,
        pending: Pending,
        frame: Frame,
        what: str,
        use: cst.CSTNode | None = None,
    ) -> None:
        """`use`: where the name was misused; the finding is on the call it holds."""
        frame.late.append((name, pending, what, use))

    def _check(
        self,
        node: cst.CSTNode,
        display: str,
        how: str,
        role: str | tuple[str, str] | None,
        property: bool = False,
        quart: bool = False,
        evidence: tuple[tuple[object, str], Arms] | None = None,
    ) -> None:
        frame = self.function
        if role == ARGUMENT and quart:
            role = VALUE  # `Thing.from_dict(g.db_session, request.json)`
        if role is None or role in (AWAITED, HANDED, ARGUMENT, TARGET):
            return
        kind = "is an awaitable property" if property else "is async"
        if isinstance(role, tuple):
            if frame.kind == "lambda":
                return
            name = role[1]
            block = self.blocks[-1]
            self._lose_rebound(frame, name, block)
            pending = Pending(
                node,
                display,
                how,
                kind,
                self.context.statement,
                block,
                self._awaitable_here(),
                tuple(frame.loops),
                quart,
                evidence,
            )
            frame.pending.setdefault(name, []).append(pending)
            self.ever_pending.add(name)
            self.open_bound_calls.add(id(node))
            return
        if role == RETURNED:
            if frame.kind != "def" or not frame.is_async:
                return  # a plain wrapper returning the coroutine to its caller
            what = f"is returned without `await` from `async def {frame.name}`"
        elif role == STATEMENT:
            what = "is called without `await`, so it never runs"
        else:
            what = "is used as a value without `await` (it is a coroutine, not the result)"
        message = f"`{display}` {kind} ({how}) but {what}" + self._sync_advice(frame)
        fix = self._fix(node, frame, role == PRIMARY, self._awaitable_here())
        outer = self.awaited_through.get(id(node)) if role == PRIMARY else None
        if fix is not None and outer is not None:
            fix = self._move_await(node, outer, display, how, quart)
        self.report(node, message, fix)

    def _sync_advice(self, frame: Frame) -> str:
        if frame.kind == "module":
            return "; module-level code cannot await it"
        if frame.kind == "def" and not frame.is_async:
            return f"; `{frame.name}` is a plain `def`: make it `async def` and await the call"
        return ""

    def _awaitable_here(self) -> bool:
        """Whether `await` may be inserted at the current node: not in a comprehension
        (it would make a generator expression async) nor in a class body nested in the
        `async def` (`await` outside a function does not compile)."""
        return not self.comprehensions and self.frames[-1].kind != "class"

    def _fix(
        self, node: cst.CSTNode, frame: Frame, parenthesise: bool, awaitable_here: bool
    ) -> NodeFix | None:
        if frame.kind != "def" or not frame.is_async or not awaitable_here:
            return None
        assert isinstance(node, cst.BaseExpression)
        lpar = list(node.lpar) or ([cst.LeftParen()] if parenthesise else [])
        rpar = list(node.rpar) or ([cst.RightParen()] if parenthesise else [])
        new = cst.Await(expression=node.with_changes(lpar=[], rpar=[]), lpar=lpar, rpar=rpar)
        return NodeFix("Insert `await`", "safe", ((node, new),))

    def _move_await(
        self, node: cst.CSTNode, outer: cst.Await, display: str, how: str, quart: bool
    ) -> NodeFix | None:
        """`await request.json.get("a")` -> `(await request.json).get("a")`: the outer
        `await` was meant for the coroutine, and what its result is called on is plain
        (a Quart request's data, a session's `Result`). Unknown results get no fix:
        adding a second `await` would await a plain value."""
        method = display.rsplit(".", 1)[-1]
        plain = (quart and method != "body") or (
            how.startswith("AsyncSession method") and method in PLAIN_RESULT_SESSION_METHODS
        )
        if not plain:
            return None
        assert isinstance(node, cst.BaseExpression)
        awaited = cst.Await(
            expression=node.with_changes(lpar=[], rpar=[]),
            lpar=[cst.LeftParen()],
            rpar=[cst.RightParen()],
        )
        moved = outer.expression.deep_replace(node, awaited)
        assert isinstance(moved, cst.BaseExpression)
        new = moved.with_changes(lpar=outer.lpar, rpar=outer.rpar)
        return NodeFix("Move `await` onto the coroutine", "safe", ((outer, new),))

    # -- what a callee is ---------------------------------------------------------------
