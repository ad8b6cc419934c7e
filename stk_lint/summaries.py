"""Module summaries: what STK202 needs to know of a module, from its text alone.

Each module gets a *summary*: a plain, JSON-serialisable dict computed by
``summarise(source, module, is_package)`` from the file's text alone, so it can be
cached per file (keyed by content hash) and computed in parallel workers.

The summary comes from an indentation-aware line scan, not from a parse. The
linter needs every module's summary *before* it checks the first file (a call in
``views.py`` may target ``models.py``, checked later), and the one libcst parse per
file happens during checking; a second parse would double the cost, and a line scan
over ``def``/``class``/``import`` lines costs a small fraction of it. The scan skips
strings (so code examples in docstrings do not count) and bracketed continuation
lines, which is all the structure these summaries need.

The annotation texts a summary keeps (return types, bindings, class attributes) are read
with the helpers at the end (`annotation_class`, `class_object_class`,
`COROUTINE_CALLABLE`).
"""

from __future__ import annotations

import keyword
import re
from dataclasses import dataclass
from typing import Any

from stk_lint.decoding import LINE_BREAK

Summary = dict[str, Any]

_SPECIAL = re.compile(r"\"\"\"|'''|[\"'#()\[\]{}]")

_SINGLE_END = {
    '"': re.compile(r'(?:\\.|[^"\\\n])*"'),
    "'": re.compile(r"(?:\\.|[^'\\\n])*'"),
}

_DEF = re.compile(r"(async\s+)?def\s+(\w+)")

# `class Name`, PEP 695 type parameters (`[T]`), then the bases.
_CLASS = re.compile(r"class\s+(\w+)\s*(?:\[.*?\])?\s*(?:\((.*?)\))?\s*:", re.S)

_YIELD = re.compile(r"\byield\b")

_IMPORT_NAME = re.compile(r"([\w.]+)(?:\s+as\s+(\w+))?")

_KEYWORDS_WITH_STRUCTURE = ("def", "async", "class", "import", "from")

# A module-level binding whose value says what the name holds: `session =
# async_scoped_session(...)`, `crud = CRUD[User](User)`, `client: Client = ...`,
# `Send = Callable[..., Awaitable[None]]`.
_MODULE_BINDING = re.compile(r"([A-Za-z_]\w*)\s*(?::\s*([^=]+?))?\s*=(?!=)\s*([\w.]+)\s*([(\[])")

# `run_with_session(job, ...)` calls `job(session, ...)`: the job's first parameter
# is an AsyncSession, wherever the job is defined.
# `name: Annotation` or `name: Annotation = value` in a class body.
_ANNOTATED = re.compile(r"[A-Za-z_]\w*\s*:(?!=)")

_CLASS_ATTRIBUTE = re.compile(r"([A-Za-z_]\w*)\s*:\s*([^=]+?)\s*(?:=(?!=).*)?")

RUN_WITH_SESSION = re.compile(r"\brun_with_session\(\s*([\w.]+)")


def _logical_lines(source: str):
    """(line, indent, text, mentions yield) per logical line; strings and comments skipped.

    Continuation lines (open brackets, backslashes, triple-quoted strings) are joined
    to the line they continue, so their indentation never closes a scope. Comments are
    cut from each physical line: in a multi-line import one would hide the names after.
    """
    depth = 0
    in_triple: str | None = None
    continued = False
    start = 0
    indent = 0
    parts: list[str] = []
    keep = False
    has_yield = False
    lines = LINE_BREAK.split(source) if "\r" in source else source.split("\n")
    for number, line in enumerate(lines, 1):
        pos = 0
        if in_triple is not None:
            end = line.find(in_triple)
            if end == -1:
                continue
            pos = end + 3
            in_triple = None
        elif depth == 0 and not continued:
            stripped = line.lstrip()
            if not stripped or stripped[0] == "#":
                continue
            start, indent = number, len(line) - len(stripped)
            word = stripped.split(None, 1)[0] if stripped[0].isalpha() else ""
            keep = word.startswith(_KEYWORDS_WITH_STRUCTURE) or (
                _MODULE_BINDING.match(stripped) is not None
                if indent == 0
                else _ANNOTATED.match(stripped) is not None  # in a class body, maybe
            )
            parts = []
            has_yield = False
        check_yield = "yield" in line
        code_end = len(line)
        while True:
            match = _SPECIAL.search(line, pos)
            if check_yield and _YIELD.search(line, pos, match.start() if match else len(line)):
                has_yield = True  # in code, not in a string or comment
            if match is None:
                break
            token = match.group()
            if token == "#":
                code_end = match.start()
                break
            if token in ('"""', "'''"):
                end = line.find(token, match.end())
                if end == -1:
                    in_triple = token
                    break
                pos = end + 3
            elif token in "\"'":
                closing = _SINGLE_END[token].match(line, match.end())
                if closing is None:
                    break
                pos = closing.end()
            else:
                depth = depth + 1 if token in "([{" else max(0, depth - 1)
                pos = match.end()
        if keep:
            parts.append(line[:code_end])
        continued = line[:code_end].rstrip().endswith("\\")  # not in a comment
        if depth == 0 and not continued and in_triple is None:
            text = " ".join(p.strip().rstrip("\\") for p in parts) if keep else ""
            yield start, indent, text, has_yield
    if parts and keep and (depth or continued or in_triple):
        yield start, indent, " ".join(p.strip() for p in parts), has_yield


def absolute_import(target: str, module: str, is_package: bool) -> str:
    """`.models.Thing` imported in `stk.things.views` -> `stk.things.models.Thing`.

    "" when the dots climb above the top-level package (or the module is in none): such
    an import fails at run time, and it names nothing to resolve.
    """
    level = len(target) - len(target.lstrip("."))
    if level == 0:
        return target
    package = module if is_package else module.rpartition(".")[0]
    for _ in range(level - 1):
        package = package.rpartition(".")[0]
    if not package:
        return ""
    rest = target[level:]
    return f"{package}.{rest}" if rest else package


def _base_names(text: str) -> list[str]:
    """`Base["Thing"], mixins.Audit[int, str], metaclass=M` -> the base classes, without
    their subscripts (a generic's methods are its origin's) or keyword arguments."""
    names = []
    for base in top_level_items(text):
        base = base.split("[", 1)[0].strip()
        if re.fullmatch(r"[\w.]+", base):
            names.append(base)
    return names


def top_level_items(text: str) -> list[str]:
    """Split at the commas outside brackets."""
    items, depth, start = [], 0, 0
    for position, char in enumerate(text):
        if char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
        elif char == "," and depth == 0:
            items.append(text[start:position])
            start = position + 1
    items.append(text[start:])
    return items


def valid_summary(value: Any) -> bool:
    """Whether `value` has the shape `summarise` gives (a kept summary read back from
    the cache is used only then: a damaged one is a miss, never an error)."""
    if not isinstance(value, dict) or set(value) != _SUMMARY_KEYS:
        return False
    functions, classes = value["functions"], value["classes"]
    return (
        isinstance(value["module"], str)
        and isinstance(value["package"], bool)
        and isinstance(functions, dict)
        and all(
            isinstance(entry, list)
            and len(entry) == 2
            and type(entry[0]) is int
            and isinstance(entry[1], bool)
            for entry in functions.values()
        )
        and isinstance(classes, dict)
        and all(_strings(bases) for bases in classes.values())
        and isinstance(value["imports"], dict)
        and _strings(list(value["imports"].values()))
        and _strings(value["star"])
        and _strings(value["run_with_session"])
        and all(_string_map(value[key]) for key in ("returns", "bindings"))
    )


_SUMMARY_KEYS = frozenset(
    {
        "module",
        "package",
        "functions",
        "classes",
        "imports",
        "star",
        "run_with_session",
        "returns",
        "bindings",
    }
)


def _string_map(value: Any) -> bool:
    return isinstance(value, dict) and _strings(list(value.values()))


def _strings(values: Any) -> bool:
    return isinstance(values, list) and all(isinstance(v, str) for v in values)


def summarise(source: str, module: str, is_package: bool = False) -> Summary:
    """What other modules need to know about one module: a pure function of its text.

    ``functions``: qualified name in the module (``Thing.from_dict``,
    ``outer.<locals>.inner``) -> [line, is_async], where is_async means calling it
    returns a coroutine (not so for async generators); ``classes``: name -> base class
    expressions; ``imports``: module-level name -> absolute qualified target (how
    re-exports are followed); ``star``: modules imported with ``*``;
    ``run_with_session``: the names handed to ``run_with_session(...)`` in the module;
    ``returns``: qualified name -> return annotation as written, for functions that
    have one; ``bindings``: module-level name -> what it was bound to (see
    `_binding`), for names bound to a call, a subscript or with an annotation, and
    ``Class.attribute`` -> ``type:<annotation>`` for a class body's annotations.
    """
    functions: dict[str, list[Any]] = {}
    returns: dict[str, str] = {}
    bindings: dict[str, str] = {}
    classes: dict[str, list[str]] = {}
    imports: dict[str, str] = {}
    star: list[str] = []
    scopes: list[tuple[int, str, str]] = []  # (indent, kind, qualified prefix)
    for line, indent, text, has_yield in _logical_lines(source):
        while scopes and scopes[-1][0] >= indent:
            scopes.pop()
        definition = _DEF.match(text) if text else None
        if has_yield and not definition and scopes and scopes[-1][1] == "def":
            # An `async def` that yields is an async generator: calling it gives an
            # async iterator, used with `async for`, never awaited.
            functions[scopes[-1][2][: -len(".<locals>.")]][1] = False
        if not text:
            continue
        prefix = scopes[-1][2] if scopes else ""
        if definition:
            name = prefix + definition.group(2)
            # `async def gen(): yield x`: the yield on the def line is its own body's.
            functions[name] = [line, definition.group(1) is not None and not has_yield]
            annotation = _return_annotation(text, definition.end())
            if annotation:
                returns[name] = annotation
            scopes.append((indent, "def", name + ".<locals>."))
            continue
        klass = _CLASS.match(text)
        if klass:
            name = prefix + klass.group(1)
            classes[name] = _base_names(klass.group(2) or "")
            scopes.append((indent, "class", name + "."))
            continue
        if scopes:
            # Imports inside functions and classes are not module attributes; a class
            # body's annotations say what its instances' attributes hold.
            if scopes[-1][1] == "class":
                annotated = _CLASS_ATTRIBUTE.fullmatch(text)
                if annotated is not None and not keyword.iskeyword(annotated.group(1)):
                    bindings[prefix + annotated.group(1)] = f"type:{annotated.group(2)}"
            continue
        binding = _binding(text) if indent == 0 else None
        if binding is not None:
            bindings[binding[0]] = binding[1]
        elif text.startswith("import "):
            for item in text[len("import ") :].split(","):
                found = _IMPORT_NAME.fullmatch(item.strip())
                if found:
                    target, alias = found.groups()
                    if alias:
                        imports[alias] = target
                    else:
                        head = target.split(".", 1)[0]
                        imports[head] = head
        elif text.startswith("from ") and " import " in text:
            source_module, _, names = text[len("from ") :].partition(" import ")
            base = absolute_import(source_module.strip(), module, is_package)
            if not base:
                continue
            names = names.strip().strip("()")
            for item in names.split(","):
                item = item.strip()
                if item == "*":
                    star.append(base)
                    continue
                found = _IMPORT_NAME.fullmatch(item)
                if found and "." not in found.group(1):
                    name, alias = found.groups()
                    imports[alias or name] = f"{base}.{name}"
    handed = RUN_WITH_SESSION.findall(source) if "run_with_session" in source else []
    return {
        "module": module,
        "package": is_package,
        "functions": functions,
        "classes": classes,
        "imports": imports,
        "star": star,
        "run_with_session": sorted(set(handed)),
        "returns": returns,
        "bindings": bindings,
    }


def _return_annotation(text: str, start: int) -> str:
    """The return annotation of a `def` line (`-> Thing | None`), "" without one."""
    depth = 0
    position = start
    for position in range(start, len(text)):
        char = text[position]
        if char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
            if depth == 0:
                break
    rest = text[position + 1 :].lstrip()
    if not rest.startswith("->"):
        return ""
    depth = 0
    for end in range(2, len(rest)):
        char = rest[end]
        if char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
        elif char == ":" and depth == 0:
            return rest[2:end].strip()
    return ""


def _binding(text: str) -> tuple[str, str] | None:
    """(name, what it holds) for a module-level `name = callee(...)` (`call:callee`),
    `name = Generic[...](...)` (`call:Generic`), `name: T = ...` (`type:T`) or `name =
    X[...]` (`alias:X[...]`, a type alias): None for any other line."""
    found = _MODULE_BINDING.match(text)
    if found is None:
        return None
    name, annotation, callee, bracket = found.groups()
    if annotation:
        return name, f"type:{annotation.strip()}"
    rest = text[found.end() - 1 :]
    if bracket == "[":
        close = _closing(rest)
        if close is not None and rest[close + 1 : close + 2] == "(":
            return name, f"call:{callee}"  # `crud = CRUD[User, Schema](User)`
        return name, f"alias:{callee}{rest}"
    close = _closing(rest)
    if close is not None and rest[close + 1 : close + 2] == "(":
        return name, f"call:{callee}()"  # `Session = factory(...)()`: a call's call
    return name, f"call:{callee}"


def _closing(text: str) -> int | None:
    """Where the bracket opening `text` closes."""
    depth = 0
    for position, char in enumerate(text):
        if char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
            if depth == 0:
                return position
    return None


@dataclass
class ModuleEntry:
    summary: Summary
    display: str  # how findings name the file
    standard: bool = False  # a module of Python's standard library


# `Callable[..., Awaitable[T]]`, `Callable[[A, B], Coroutine[Any, Any, T]]`.
COROUTINE_CALLABLE = re.compile(
    r"(?:typing\.|collections\.abc\.|abc\.)?Callable\[.*,\s*"
    r"(?:typing\.|collections\.abc\.|abc\.)?(?:Awaitable|Coroutine)\[.*\]\s*\]$",
    re.S,
)

_GENERATORS = frozenset({"AsyncIterator", "AsyncGenerator", "Iterator", "Generator"})

_OPTIONAL = re.compile(r"(?:typing\.)?Optional\[(.*)\]$", re.S)


def generator_arguments(annotation: str) -> list[str] | None:
    """`AsyncIterator[X]` -> ["X"], `Generator[A, B, C]` -> ["A", "B", "C"]; None for
    anything but an iterator or generator."""
    origin, bracket, arguments = annotation.replace('"', "").replace("'", "").partition("[")
    if not bracket or origin.strip().rsplit(".", 1)[-1] not in _GENERATORS:
        return None
    return [item.strip() for item in top_level_items(arguments.rstrip().removesuffix("]"))]


_CLASS_OBJECT = re.compile(
    r"(?:typing\.)?(?:type|Type)\[\s*([A-Za-z_][\w.]*)\s*\](?:\s*\|\s*None)?"
    r"|(?:typing\.)?Optional\[\s*(?:typing\.)?(?:type|Type)\[\s*([A-Za-z_][\w.]*)\s*\]\s*\]"
)


def class_object_class(annotation: str) -> str | None:
    """`X` for an annotation naming the class X itself: `type[X]`, `Type[X]`, `type[X]
    | None`, `Optional[type[X]]` (calling the value makes an X)."""
    text = annotation.replace('"', "").replace("'", "").strip()
    found = _CLASS_OBJECT.fullmatch(text)
    return (found.group(1) or found.group(2)) if found else None


def annotation_class(annotation: str) -> str | None:
    """The one dotted name an annotation's text names, through quotes, `X | None` and
    `Optional[X]`; a generic's origin (`Result[T]` -> `Result`). None for unions of
    several, `Callable[...]` and anything else."""
    text = annotation.replace('"', "").replace("'", "").strip()
    optional = _OPTIONAL.match(text)
    if optional:
        text = optional.group(1)
    names = [part.strip() for part in top_level_items(text.replace("|", ","))]
    names = [name for name in names if name != "None"]
    if len(names) != 1:
        return None
    name = names[0].split("[", 1)[0].strip()
    if not re.fullmatch(r"[A-Za-z_][\w.]*", name) or name.rsplit(".", 1)[-1] in (
        "Callable",
        "Awaitable",
        "Coroutine",
        "Any",
    ):
        return None
    return name


# Built-in classes no coroutine is an instance of (a name the module does not rebind).
BUILTIN_CLASSES = frozenset(
    {"str", "bytes", "bytearray", "int", "float", "complex", "bool", "dict", "list", "tuple"}
    | {"set", "frozenset"}
)
