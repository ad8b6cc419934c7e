"""Reading annotations as written (libcst nodes) for STK202: the one class an
annotation names, `type[X]`, container elements, sessions, `isinstance` checks that ask
whether a value is awaitable.
"""

from __future__ import annotations

import re

import libcst as cst

from stk_lint.python_rule import dotted_name
from stk_lint.summaries import class_object_class

# The words of a quoted annotation, as the rule reads them.
TYPE_NAME = re.compile(r"[A-Za-z_][\w.]*")


WRAPPERS = frozenset({"Optional", "Union", "typing.Optional", "typing.Union"})

MAPPINGS = frozenset(
    {"dict", "Dict", "Mapping", "MutableMapping", "defaultdict", "DefaultDict", "OrderedDict"}
)
SEQUENCES = frozenset({"list", "List", "Sequence", "MutableSequence", "deque", "Deque"})

# `Callable[..., Awaitable[T]]` and kin, as `stk_lint.summaries.COROUTINE_CALLABLE` reads them.
AWAITABLE_RESULT = frozenset({"Awaitable", "Coroutine"})
# Classes a coroutine may be an instance of (`isinstance(x, Awaitable)` is a fair question).
AWAITABLE_TYPES = frozenset(
    {"Awaitable", "Coroutine", "CoroutineType", "Future", "Task", "Generator", "object"}
)


def annotated_type(annotation: cst.BaseExpression) -> str | None:
    """The one class an annotation names, through `X | None`, `Optional[X]`,
    `Union[X, None]` and quotes (`"X"`): None when it names several or none."""
    names = {name for name in type_names(annotation) if name not in WRAPPERS}
    names.discard("None")
    return names.pop() if len(names) == 1 else None


def type_names(annotation: cst.BaseExpression) -> list[str]:
    if isinstance(annotation, cst.SimpleString):
        # A forward reference: its words, read without parsing (brackets, `|`, `None`).
        text = annotation.evaluated_value
        return TYPE_NAME.findall(text) if isinstance(text, str) else []
    if isinstance(annotation, cst.BinaryOperation) and isinstance(annotation.operator, cst.BitOr):
        return type_names(annotation.left) + type_names(annotation.right)
    if isinstance(annotation, cst.Subscript):
        if dotted_name(annotation.value) in WRAPPERS:
            return [
                name
                for element in annotation.slice
                if isinstance(element.slice, cst.Index)
                for name in type_names(element.slice.value)
            ]
        return [dotted_name(annotation.value) or ""]  # `list[X]` is a list, not an X
    return [dotted_name(annotation) or ""]


CLASS_OBJECTS = frozenset({"type", "Type", "typing.Type"})


def class_object_annotation(annotation: cst.BaseExpression) -> str | None:
    """The dotted name X of `type[X]`, `Type[X]`, `type[X] | None`, `Optional[type[X]]`:
    the value is the class X itself, and calling it makes an X."""
    if isinstance(annotation, cst.SimpleString):
        text = annotation.evaluated_value
        return class_object_class(text) if isinstance(text, str) else None
    if isinstance(annotation, cst.BinaryOperation) and isinstance(annotation.operator, cst.BitOr):
        sides = [annotation.left, annotation.right]
        others = [side for side in sides if dotted_name(side) != "None"]
        return class_object_annotation(others[0]) if len(others) == 1 else None
    if not isinstance(annotation, cst.Subscript) or len(annotation.slice) != 1:
        return None
    element = annotation.slice[0].slice
    if not isinstance(element, cst.Index):
        return None
    origin = dotted_name(annotation.value)
    if origin in ("Optional", "typing.Optional"):
        return class_object_annotation(element.value)
    return dotted_name(element.value) if origin in CLASS_OBJECTS else None


# Modules of abstract classes and special forms a coroutine may satisfy (`Awaitable`,
# `Hashable`, `Any`, a `Protocol`).
ABSTRACT_MODULES = frozenset({"typing", "typing_extensions", "collections", "_collections_abc"})
ABSTRACT_MODULES |= {"abc", "types", "builtins"}


def note_signature(
    found: dict[str, tuple[cst.Parameters, int] | None], name: str, node: cst.FunctionDef
) -> None:
    decorators = [dotted_name(d.decorator) for d in node.decorators]
    if name in found or any(d not in ("staticmethod", "classmethod") for d in decorators):
        found[name] = None  # overloads, or a decorator that may change the signature
        return
    found[name] = (node.params, "staticmethod" in decorators)


def session_annotation(annotation: cst.BaseExpression) -> str | None:
    """`async` for an `AsyncSession` annotation, `sync` for a SQLAlchemy `Session`."""
    last = (annotated_type(annotation) or "").rsplit(".", 1)[-1]
    if last == "AsyncSession":
        return "async"
    if last == "Session":
        return "sync"
    return None


def element_annotation(annotation: cst.BaseExpression) -> cst.BaseExpression | None:
    """The element type of `dict[K, V]` (V), `list[T]`, `Sequence[T]`, `deque[T]` (T)."""
    if isinstance(annotation, cst.SimpleString) or not isinstance(annotation, cst.Subscript):
        return None
    origin = (dotted_name(annotation.value) or "").rsplit(".", 1)[-1]
    if origin in MAPPINGS and len(annotation.slice) == 2:
        element = annotation.slice[1].slice
    elif origin in SEQUENCES and len(annotation.slice) == 1:
        element = annotation.slice[0].slice
    else:
        return None
    return element.value if isinstance(element, cst.Index) else None


def asks_if_awaitable(call: cst.Call) -> bool:
    """`isinstance(x, Awaitable)`, `isinstance(x, (asyncio.Future, Coroutine))`: asks
    whether the value is one, which a coroutine may well be."""
    if dotted_name(call.func) != "isinstance" or len(call.args) < 2:
        return False
    checked = call.args[1].value
    classes = [e.value for e in checked.elements] if isinstance(checked, cst.Tuple) else [checked]
    for value in classes:
        name = (dotted_name(value) or "").rsplit(".", 1)[-1]
        if not name or name in AWAITABLE_TYPES:
            return True
    return False
