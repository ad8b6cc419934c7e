"""What a callee and a name are, for STK202: value inference (annotations, `self.x =
...`, class bodies, factories, unions, containers) and callee resolution (sessions,
Quart's proxies, `super()`, the file's imports and the project index, the built-in
tables of `stk_lint.coroutines`, the async protocols).

`Inference` is the part of the rule (`stk_lint.rules.missing_await`) that answers "does
calling this make a coroutine, and how do we know".
"""

from __future__ import annotations

import libcst as cst

from stk_lint.awaits.annotations import (
    AWAITABLE_RESULT,
    WRAPPERS,
    annotated_type,
    class_object_annotation,
    element_annotation,
    session_annotation,
    type_names,
)
from stk_lint.awaits.scopes import (
    AENTER,
    AWAIT,
    CALL,
    CLASS,
    ELEMENT,
    ENTER,
    INSTANCE,
    KNOWN,
    Frame,
    Scopes,
)
from stk_lint.coroutines import (
    KNOWN_COROUTINES,
    LOGGING_CALL,
    QUART_PROXY_CLASSES,
    REQUEST_COROUTINES,
    SESSION_COROUTINES,
    UPLOAD_SAVE,
    VALUE_TAKERS,
    WEBSOCKET_COROUTINES,
)
from stk_lint.project import ProjectIndex, Target
from stk_lint.python_rule import PythonContext, dotted_name
from stk_lint.summaries import (
    absolute_import,
)

# Plain AsyncSession methods that take model instances: a coroutine passed is a value.
_SESSION_VALUE_METHODS = frozenset({"add", "add_all", "expunge", "expire", "is_modified"})

# Methods whose result is awaitable by the data model (PEP 492, PEP 525), whatever the
# receiver: a bare call drops it.
ASYNC_PROTOCOL_METHODS = frozenset(
    {"__aenter__", "__aexit__", "__anext__", "aclose", "asend", "athrow"}
)


class Inference(Scopes):
    """Value inference and callee resolution over the rule's frames."""

    context: PythonContext
    index: ProjectIndex
    module: str
    is_package: bool
    session_names: set[str]
    factories: set[str]
    sync_factories: set[str]
    consumers_exact: set[str]
    consumers_last: set[str]

    def _note_annotation(self, frame: Frame, name: str, annotation: cst.BaseExpression) -> None:
        kind = session_annotation(annotation)
        if kind == "async":
            frame.sessions.add(name)
        elif kind == "sync":
            frame.sync_sessions.add(name)
        elif self._is_coroutine_function_type(annotation):
            frame.coroutine_functions.add(name)
        elif (made := class_object_annotation(annotation)) is not None:
            self._note_type(frame, name, made, CLASS)  # `event_class: type[Event]`
        else:
            annotated = annotated_type(annotation)
            if annotated:
                self._note_type(frame, name, annotated)
            else:
                self._note_union(frame, name, annotation)
            element = element_annotation(annotation)
            if element is not None:
                self._note_annotation(frame, name + ELEMENT, element)

    def _note_union(self, frame: Frame, name: str, annotation: cst.BaseExpression) -> None:
        """`stream: HTTPStream | WSStream | None`: each class, when every one is known."""
        names = {n for n in type_names(annotation) if n not in WRAPPERS and n != "None"}
        if len(names) < 2:
            return
        members = []
        for written in sorted(names):
            qualified, in_module = self._qualify(written) if written else (None, False)
            if qualified is None:
                return
            members.append((qualified, in_module))
        frame.unions[name] = members

    def _note_attribute(
        self,
        owner: Frame,
        attribute: str,
        annotation: cst.BaseExpression | None,
        value: cst.BaseExpression | None,
    ) -> None:
        """What `self.attribute` holds, from its annotation or the value assigned: a
        parameter's (`self.repository = repository`), a call's (`self.client =
        Client()`), a function that makes awaitables (`self.send = send`)."""
        owner.attribute_types.pop(attribute, None)
        owner.coroutine_attributes.discard(attribute)
        owner.unions.pop(attribute, None)
        if annotation is not None:
            if self._is_coroutine_function_type(annotation):
                owner.coroutine_attributes.add(attribute)
                return
            made = class_object_annotation(annotation)
            annotated = made or annotated_type(annotation)
            qualified, in_module = self._qualify(annotated) if annotated else (None, False)
            if qualified is not None:
                how = CLASS if made else INSTANCE
                owner.attribute_types[attribute] = (qualified, in_module, how)
            else:
                self._note_union(owner, attribute, annotation)
            element = element_annotation(annotation)
            if element is not None:
                self._note_attribute(owner, attribute + ELEMENT, element, None)
            return
        if isinstance(value, cst.Name):
            function = self.function
            if value.value in function.coroutine_functions:
                owner.coroutine_attributes.add(attribute)
            elif value.value in function.types:
                owner.attribute_types[attribute] = function.types[value.value]
            return
        inner = value.expression if isinstance(value, cst.Await) else value
        if isinstance(inner, cst.Call):
            callee = dotted_name(inner.func)
            qualified, in_module = self._qualify(callee) if callee else (None, False)
            if qualified is not None:
                how = AWAIT if isinstance(value, cst.Await) else CALL
                owner.attribute_types[attribute] = (qualified, in_module, how)

    def _note_type(self, frame: Frame, name: str, expression: str, how: str = INSTANCE) -> None:
        """Remember that `name` may hold an instance of a class `expression` leads to
        (see `Frame.types`): what it is is looked up (in the project, in libraries)
        only if a method is called on `name`, which most results never see."""
        if not expression:
            return
        qualified, in_module = self._qualify(expression)
        if qualified is None:
            return
        frame.types[name] = (qualified, in_module, how)

    def _held_class(self, qualified: str, in_module: bool, how: str) -> tuple[str, bool] | None:
        """(class, whether in this module) of a value `types` describes, or None."""
        if how == KNOWN:
            return qualified, in_module
        target = self._target(qualified, in_module)
        if target is None:
            # `self.context.event_class()`: an attribute the class body annotates
            # `type[Event]` (or `terminated: Event`, an instance).
            annotated = self._attribute_class(qualified, in_module)
            if annotated is None or (how == CALL) != annotated[1] or how not in (CALL, INSTANCE):
                return None
            return self._localise(annotated[0])
        if how in (INSTANCE, CLASS):
            return (qualified, in_module) if target.kind == "class" else None
        entry = self.local if in_module else None
        if how in (ENTER, AENTER) and target.kind == "function":
            # `@asynccontextmanager async def begin(self) -> AsyncIterator[Connection]`
            held = self.index.yielded_class(target, entry)
            if held is not None:
                return self._localise(held)
            if target.is_async and how == AENTER:
                # `async with db.execute(...) as cursor` on `async def execute(...) ->
                # Cursor`: only a decorator making the call a context manager allows it.
                held = self.index.returned_class(target, entry)
                return self._localise(held) if held is not None else None
        if how == AWAIT and target.kind != "function":
            return None
        if target.kind == "function" and target.is_async != (how == AWAIT):
            if how != AWAIT:
                return None  # an unawaited coroutine: followed as such
            # `db = await connect(...)` on `def connect(...) -> Connection`: an
            # awaitable whose `__await__` gives the instance itself.
            held = self.index.returned_class(target, entry)
            return self._awaits_to_itself(held) if held is not None else None
        held = self.index.returned_class(target, entry)
        if held is None:
            return None
        located = self._localise(held)
        if how in (ENTER, AENTER):
            method = "__aenter__" if how == AENTER else "__enter__"
            enter = self._target(f"{located[0]}.{method}", located[1])
            if enter is None or enter.kind != "function" or enter.is_async != (how == AENTER):
                return None
            held = self.index.returned_class(enter, self.local if located[1] else None)
            if held is None:
                return None
            located = self._localise(held)
        return located

    def _attribute_class(self, qualified: str, in_module: bool) -> tuple[str, bool] | None:
        """What a class body annotates an attribute `Owner.attribute` with (see
        `ProjectIndex.attribute_class`)."""
        if in_module:
            return self.index.attribute_class(self.local, qualified)
        return self.index.qualified_attribute_class(qualified)

    def _awaits_to_itself(self, qualified: str) -> tuple[str, bool] | None:
        """A class whose `__await__` is annotated to give its own instances."""
        located = self._localise(qualified)
        method = self._target(f"{located[0]}.__await__", located[1])
        if method is None or method.kind != "function" or method.is_async:
            return None
        entry = self.local if located[1] else None
        if self.index.returns_instance_of_owner(method, entry):
            return located
        return None

    def _localise(self, qualified: str) -> tuple[str, bool]:
        """(name, in this module) for a class's absolute name."""
        classes = self.local.summary["classes"]
        if self.module and qualified.startswith(self.module + "."):
            rest = qualified[len(self.module) + 1 :]
            if rest in classes:
                return rest, True
        if not self.module and qualified in classes:
            return qualified, True
        return qualified, False

    def _is_coroutine_function_type(self, annotation: cst.BaseExpression) -> bool:
        """`Callable[..., Awaitable[T]]`, `Callable[..., Coroutine[...]]`, or a name for
        one (an alias here or imported: `ASGISendCallable`)."""
        if isinstance(annotation, cst.Subscript):
            if (dotted_name(annotation.value) or "").rsplit(".", 1)[-1] != "Callable":
                return False
            elements = annotation.slice
            last = elements[-1].slice if elements else None
            if not isinstance(last, cst.Index) or not isinstance(last.value, cst.Subscript):
                return False
            result = dotted_name(last.value.value) or ""
            return result.rsplit(".", 1)[-1] in AWAITABLE_RESULT
        name = annotated_type(annotation)
        if not name or name.rsplit(".", 1)[-1] == "Callable":
            return False
        if name in self.local.summary.get("bindings", ()):
            return self.index.is_coroutine_function_type(self.local, name)
        head = name.split(".", 1)[0]
        if head not in self.context.imports:
            return False
        return self.index.is_coroutine_function_type(self.local, name)

    def _makes_session(self, callee: str) -> bool:
        """`ext.async_session_factory()`, `factory.begin()`, `AsyncSession(engine)`, or a
        factory this file made with `async_sessionmaker(...)`."""
        callee = callee.removesuffix(".begin")
        if callee in self.sync_factories:
            return False  # `session_factory = sessionmaker(engine)`: the name misleads
        last = callee.rsplit(".", 1)[-1]
        return (
            last.endswith("session_factory") or last == "AsyncSession" or callee in self.factories
        )

    def _makes_sync_session(self, callee: str) -> bool:
        """`Session(engine)`, `scoped_session(...)`, or a plain `sessionmaker` factory."""
        callee = callee.removesuffix(".begin")
        last = callee.rsplit(".", 1)[-1]
        return last in ("Session", "scoped_session") or callee in self.sync_factories

    def _coroutine(self, func: cst.BaseExpression, display: str | None) -> tuple[str, str] | None:
        """(how to name the callee, how it was resolved) when calling it makes a coroutine;
        `display` is the callee's dotted name."""
        if isinstance(func, cst.Attribute):
            method = func.attr.value
            receiver = func.value
            if self._is_session(receiver):
                return self._session_method(display or method, method)
            if self._is_quart(receiver, "request"):
                if self._quart_member("request", method, method in REQUEST_COROUTINES):
                    return display or method, "a Quart request coroutine"
                return None
            if self._is_quart(receiver, "websocket"):
                if self._quart_member("websocket", method, method in WEBSOCKET_COROUTINES):
                    return display or method, "a Quart websocket coroutine"
                return None
        if display is None:
            return (
                self._method_of_super(func)
                or self._method_of_new_instance(func)
                or self._call_of_result(func)
                or self._upload_save(func)
                or self._method_of_element(func)
                or self._protocol_method(func, display)
            )
        held = self._coroutine_function(display) or self._method_of_union(display)
        if held is not None:
            return held
        qualified, in_module = self._qualify(display)
        found = None if qualified is None else self._async_target(display, qualified, in_module)
        return found or self._protocol_method(func, display)

    def _protocol_method(
        self, func: cst.BaseExpression, display: str | None
    ) -> tuple[str, str] | None:
        """`x.__aenter__()`, `x.__anext__()`, `gen.aclose()`: methods of the async
        protocols (async context managers, iterators, generators) return awaitables
        whatever `x` is; so does the built-in `anext(x)`. Followed in `async def`s only:
        a plain `def` may drive the awaitable by hand (`an.send(None)`, `an.__next__()`)."""
        frame = self.function
        if frame.kind != "def" or not frame.is_async:
            return None
        if isinstance(func, cst.Attribute) and func.attr.value in ASYNC_PROTOCOL_METHODS:
            name = display or f"(...).{func.attr.value}"
            return name, "a method of the async protocols, which returns an awaitable"
        if (
            display == "anext"
            and not self._is_local("anext")
            and "anext" not in self.context.imports
            and "anext" not in self.local.summary["functions"]
            and "anext" not in self.local.summary.get("bindings", ())
        ):
            return "anext", "the built-in, which returns an awaitable"
        return None

    def _method_of_super(self, func: cst.BaseExpression) -> tuple[str, str] | None:
        """`super().save(...)` in a method: the bases' `save`."""
        if not (isinstance(func, cst.Attribute) and isinstance(func.value, cst.Call)):
            return None
        if dotted_name(func.value.func) != "super" or self._is_local("super"):
            return None
        owner = self._enclosing_class()
        if owner is None:
            return None
        target = self.index.resolve_in_bases(self.local, owner.qualname, func.attr.value)
        if target is None or target.kind != "function" or not target.is_async:
            return None
        return f"super().{func.attr.value}", self._where(target)

    def _method_of_new_instance(self, func: cst.BaseExpression) -> tuple[str, str] | None:
        """`Thing().from_dict(...)`, `app.test_client().get(...)`: a method of the class
        just instantiated, or of the class a function's return annotation names."""
        if not (isinstance(func, cst.Attribute) and isinstance(func.value, cst.Call)):
            return None
        class_expression = dotted_name(func.value.func)
        if class_expression is None:
            return None
        qualified, in_module = self._qualify(class_expression)
        if qualified is None:
            return None
        held = self._held_class(qualified, in_module, CALL)
        if held is None:
            return None
        display = f"{class_expression}().{func.attr.value}"
        return self._async_target(display, f"{held[0]}.{func.attr.value}", held[1])

    def _call_of_result(self, func: cst.BaseExpression) -> tuple[str, str] | None:
        """`self.ensure_async(handler)(...)`: calling what a function returns, annotated
        `Callable[..., Awaitable[T]]`."""
        if not isinstance(func, cst.Call):
            return None
        display = dotted_name(func.func)
        qualified, in_module = self._qualify(display) if display else (None, False)
        if qualified is None:
            return None
        target = self._target(qualified, in_module)
        if target is None or target.kind != "function" or target.is_async:
            return None
        if not self.index.returns_coroutine_function(target, self.local if in_module else None):
            return None
        return f"{display}(...)", f"{self._where(target)}: returns a coroutine function"

    def _coroutine_function(self, display: str) -> tuple[str, str] | None:
        """`send(...)` where `send: Callable[..., Awaitable[None]]` (or `self.send`)."""
        head, dot, rest = display.partition(".")
        if not dot:
            for frame in self._scopes():
                if head in frame.coroutine_functions:
                    return display, "annotated as a function returning an awaitable"
                if head in frame.locals:
                    return None
            return None
        if head == "self" and "." not in rest:
            owner = self._enclosing_class()
            if owner is None:
                return None
            owner = self._attribute_holder(owner, rest) or owner
            if rest in owner.coroutine_attributes:
                return display, "annotated as a function returning an awaitable"
            if rest in owner.attribute_types and owner.attribute_types[rest][2] != CLASS:
                # `self.app(scope, receive, send)`: an instance whose `__call__` is async
                held = self._held_class(*owner.attribute_types[rest])
                if held is not None:
                    return self._async_target(display, f"{held[0]}.__call__", held[1])
        return None

    def _method_of_union(self, display: str) -> tuple[str, str] | None:
        """`self.stream.handle(...)` where `stream: HTTPStream | WSStream | None`: a
        coroutine when the method is an `async def` in every class of the union."""
        parts = display.split(".")
        members = None
        if len(parts) == 2:
            for frame in self._scopes():
                if parts[0] in frame.unions:
                    members = frame.unions[parts[0]]
                    break
                if parts[0] in frame.locals:
                    return None
        elif len(parts) == 3 and parts[0] == "self":
            owner = self._enclosing_class()
            holder = self._attribute_holder(owner, parts[1]) if owner is not None else None
            members = holder.unions.get(parts[1]) if holder is not None else None
        if not members:
            return None
        found = None
        for qualified, in_module in members:
            found = self._async_target(display, f"{qualified}.{parts[-1]}", in_module)
            if found is None:
                return None
        return found

    def _method_of_element(self, func: cst.BaseExpression) -> tuple[str, str] | None:
        """`self.streams[stream_id].handle(...)` where `streams: dict[int, Stream]`."""
        if not (isinstance(func, cst.Attribute) and isinstance(func.value, cst.Subscript)):
            return None
        container = dotted_name(func.value.value)
        if container is None:
            return None
        pseudo = f"{container}{ELEMENT}.{func.attr.value}"
        display = f"{container}[...].{func.attr.value}"
        found = self._method_of_union(pseudo)
        if found is not None:
            return display, found[1]
        qualified, in_module = self._qualify(pseudo)
        if qualified is None or ELEMENT in qualified:
            return None
        return self._async_target(display, qualified, in_module)

    def _upload_save(self, func: cst.BaseExpression) -> tuple[str, str] | None:
        """`files["upload"].save(path)` where `files = await request.files`: a Quart
        `FileStorage`, whose `save` is a coroutine."""
        if not (isinstance(func, cst.Attribute) and func.attr.value == "save"):
            return None
        mapping = func.value
        if isinstance(mapping, cst.Subscript):
            mapping = mapping.value
        elif (
            isinstance(mapping, cst.Call)
            and isinstance(mapping.func, cst.Attribute)
            and mapping.func.attr.value == "get"
        ):
            mapping = mapping.func.value
        else:
            return None
        if not self._is_uploads(mapping):
            return None
        return self._async_target(
            f"{dotted_name(mapping) or 'files'}[...].save", UPLOAD_SAVE, False
        )

    def _is_uploads(self, expression: cst.BaseExpression) -> bool:
        if isinstance(expression, cst.Await):
            inner = expression.expression
            return (
                isinstance(inner, cst.Attribute)
                and inner.attr.value == "files"
                and self._is_quart(inner.value, "request")
            )
        if not isinstance(expression, cst.Name):
            return False
        for frame in self._scopes():
            if expression.value in frame.uploads:
                return True
            if expression.value in frame.locals:
                return False
        return False

    def _async_target(
        self, display: str, qualified: str, in_module: bool
    ) -> tuple[str, str] | None:
        target = self._target(qualified, in_module)
        if target is not None:
            if target.kind == "function" and target.is_async:
                return display, self._where(target)
            return None
        if qualified in KNOWN_COROUTINES:
            return display, KNOWN_COROUTINES[qualified] + f" of coroutines: `{qualified}`"
        return None

    @staticmethod
    def _where(target: Target) -> str:
        if target.origin == "library":
            return target.where + ", installed"
        if target.origin == "stdlib":
            return target.where + ", standard library"
        return target.where

    def _session_method(self, display: str, method: str) -> tuple[str, str] | None:
        target = self.index.resolve(f"sqlalchemy.ext.asyncio.AsyncSession.{method}")
        if target is not None and target.kind == "function":
            if target.is_async:
                return display, f"AsyncSession method, {target.where}"
            return None
        if method in SESSION_COROUTINES:
            return display, "AsyncSession method"
        return None

    def _is_session(self, receiver: cst.BaseExpression) -> bool:
        name = dotted_name(receiver)
        if name is None:
            return False
        head = name.split(".", 1)[0]
        last = name.rsplit(".", 1)[-1]
        if "." not in name:
            for frame in self._scopes():
                if name in frame.sync_sessions:
                    return False
                if name in frame.sessions:
                    return True
                if name in frame.locals:
                    # Bound here: by its name only when nothing else says what it holds.
                    return name in frame.guessable and name in self.session_names
            if name in self.context.imports:
                return False  # e.g. quart's cookie `session`
            return name in self.session_names
        if name == "g.db_session" and self.context.imports.get(head, "quart.g") in (
            "quart.g",
            "quart.globals.g",
        ):
            return True
        if head == "self" and name.count(".") == 1:
            owner = self._enclosing_class()
            if owner is not None and last in owner.attributes:
                return owner.attributes[last]
        return last in self.session_names

    def _plain_session_method(self, func: cst.BaseExpression) -> bool:
        """`session.add`, `session.add_all`, `session.expunge`: a plain AsyncSession method."""
        return (
            isinstance(func, cst.Attribute)
            and func.attr.value in _SESSION_VALUE_METHODS
            and self._is_session(func.value)
            and self._session_method(func.attr.value, func.attr.value) is None
        )

    def _popped_session(self, value: cst.BaseExpression) -> bool:
        """`g.pop("db_session", None)`, `g.get("db_session")`: the request's session."""
        if not (isinstance(value, cst.Call) and value.args):
            return False
        callee = dotted_name(value.func)
        if callee not in ("g.pop", "g.get"):
            return False
        if self.context.imports.get("g", "quart.g") not in ("quart.g", "quart.globals.g"):
            return False
        key = value.args[0].value
        return isinstance(key, cst.SimpleString) and key.evaluated_value in self.session_names

    def _is_sync_session(self, expression: cst.BaseExpression) -> bool:
        """A name bound to a synchronous `Session` in this scope or an enclosing one."""
        if not isinstance(expression, cst.Name):
            return False
        name = expression.value
        for frame in self._scopes():
            if name in frame.sync_sessions:
                return True
            if name in frame.sessions or name in frame.locals:
                return False
        return False

    def _is_quart(self, receiver: cst.BaseExpression, proxy: str) -> bool:
        if not isinstance(receiver, cst.Name) or self._is_local(receiver.value):
            return False  # `for request in client.pending:` is not Quart's proxy
        imported = self.context.imports.get(receiver.value)
        if imported is None and receiver.value == proxy:
            return any(m in ("quart", "quart.globals") for m in self.local.summary["star"])
        return imported in (f"quart.{proxy}", f"quart.globals.{proxy}")

    def _quart_member(self, proxy: str, member: str, in_table: bool) -> bool:
        """Whether `request.member`/`websocket.member` is a coroutine (an awaitable
        property): as the installed Quart defines it, else as the built-in table says."""
        target = self.index.resolve(f"{QUART_PROXY_CLASSES[proxy]}.{member}")
        if target is None or target.kind != "function":
            return in_table
        return target.is_async

    def _is_consumer(self, qualified: str) -> bool:
        """Whether the callee (its dotted name, imports resolved) runs a coroutine given to it."""
        last = qualified.rsplit(".", 1)[-1]
        return qualified in self.consumers_exact or last in self.consumers_last

    def _callee_name(self, display: str, qualified: str) -> str | None:
        """The callee's name for matching VALUE_TAKERS (`display` as written, `qualified`
        with imports resolved)."""
        if (
            display in VALUE_TAKERS
            and display not in self.context.imports
            and not any(display in frame.locals for frame in self._scopes())
        ):
            return display
        if qualified in VALUE_TAKERS and "." in qualified:
            return qualified
        if LOGGING_CALL.match(display):
            return "print"  # logging formats its arguments: a value taker like print
        head, _, last = display.rpartition(".")
        if head and last in ("loads", "dumps"):
            return "json.dumps"  # `self.json_module.loads(data)`: a serialiser's
        if head == "self" and last.startswith("assert"):
            return "print"  # unittest's `self.assertEqual(row, ...)` compares values
        return None

    def _qualify(self, dotted: str) -> tuple[str | None, bool]:
        """(absolute name, whether it lives in this module) for a dotted callee."""
        head, dot, rest = dotted.partition(".")
        functions = self.local.summary["functions"]
        classes = self.local.summary["classes"]
        if head in ("self", "cls") and rest:
            attribute, nested, member = rest.partition(".")
            owner = self._enclosing_class() if head == "self" and nested else None
            if owner is not None:
                owner = self._attribute_holder(owner, attribute)
            if owner is not None and attribute in owner.attribute_types:
                # `self.repository.save(...)`: a method of what the attribute holds
                held = self._held_class(*owner.attribute_types[attribute])
                if held is None:
                    del owner.attribute_types[attribute]
                    return None, False
                kind = CLASS if owner.attribute_types[attribute][2] == CLASS else KNOWN
                owner.attribute_types[attribute] = (*held, kind)
                return held[0] + "." + member, held[1]
            for frame in reversed(self.frames):
                if frame.kind == "class":
                    return f"{frame.qualname}.{rest}", True
        for frame in self._scopes():
            if head in frame.types:
                held = self._held_class(*frame.types[head])
                if held is not None:
                    frame.types[head] = (*held, CLASS if frame.types[head][2] == CLASS else KNOWN)
                    return held[0] + dot + rest, held[1]
                del frame.types[head]  # not a class's instance that can be told: a plain local
            if head in frame.locals or head in frame.sessions:
                return None, False  # a local variable of unknown type
            if frame.kind == "def":
                nested = f"{frame.qualname}.<locals>.{head}"
                if nested in functions or nested in classes:
                    return nested + dot + rest, True
        imported = self.context.imports.get(head)
        if imported is not None:
            absolute = absolute_import(imported, self.module, self.is_package)
            if not absolute:
                return None, False  # a relative import above the top-level package
            return absolute + dot + rest, False
        if head in functions or head in classes:
            return dotted, True
        starred = self._from_star_import(dotted)
        if starred is not None:
            return starred, False
        return None, False

    def _from_star_import(self, dotted: str) -> str | None:
        """`from quart import *` then `render_template(...)`: the absolute name in the
        first star-imported module that has it."""
        if dotted.startswith("_"):
            return None  # a star import leaves private names out
        for module in self.local.summary["star"]:
            candidate = f"{module}.{dotted}"
            if candidate in KNOWN_COROUTINES or self.index.resolve(candidate) is not None:
                return candidate
        return None

    def _target(self, qualified: str, in_module: bool) -> Target | None:
        if in_module:
            return self.index.resolve_in(self.local, qualified)
        return self.index.resolve(qualified)
