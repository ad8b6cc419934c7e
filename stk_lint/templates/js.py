"""JavaScript facts for the template and JS rules, from one tree-sitter parse.

Why a real parser: the rules need the options object given to `createApp`, the
keys `data()` returns, string literals (an icon name inside a template string or
a regex must not confuse a hand-written scanner) and comments. tree-sitter is a
compiled parser with error recovery: a script with a Jinja expression blanked out
or a syntax error still yields a tree. Loading it costs ~15 ms once per process
and parsing a page script well under a millisecond; it is imported only when a
template or JS file is checked.

Offsets: tree-sitter counts bytes. Callers give text where every non-ASCII
character is replaced by `_` (see `ascii_text`), so byte offsets are character
offsets of the original file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from typing import Any

# Composition API functions that build reactive state or hook the lifecycle.
COMPOSITION = frozenset(
    {"ref", "reactive", "computed", "watch", "watchEffect", "shallowRef", "shallowReactive"}
    | {"toRef", "toRefs", "readonly", "customRef", "provide", "inject"}
    | {"onMounted", "onBeforeMount", "onUpdated", "onBeforeUpdate", "onUnmounted"}
    | {"onBeforeUnmount", "onActivated", "onDeactivated", "onErrorCaptured"}
)
_STATE_OPTIONS = ("methods", "computed")
# How a page without a build step reaches Vue's global build.
VUE_GLOBALS = ("Vue", "window.Vue")
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_DEFAULT_DELIMITERS = re.compile(r"""^\[\s*(['"`])\{\{\1\s*,\s*(['"`])\}\}\2\s*,?\s*\]$""")


def default_delimiters(value: str) -> bool:
    """`['{{', '}}']`: Vue's own delimiters, which Jinja renders first."""
    return _DEFAULT_DELIMITERS.match(value.strip()) is not None


def ascii_text(text: str) -> str:
    return _NON_ASCII.sub("_", text)


@cache
def _parser() -> Any:
    import tree_sitter
    import tree_sitter_javascript

    return tree_sitter.Parser(tree_sitter.Language(tree_sitter_javascript.language()))


@dataclass
class StringLiteral:
    node: Any
    quote: str  # ', " or `
    segments: list[tuple[int, int]]  # content spans (template literals: between `${}`)


@dataclass(eq=False)  # compared by identity: one per object literal
class Options:
    """An object literal that configures a Vue app or component."""

    node: Any
    kind: str  # "app" (createApp), "component", "mixin" (a mixin or spread base of those)
    call: Any = None  # the createApp(...) call, for apps
    keys: dict[str, tuple[Any, Any]] = field(default_factory=dict)  # key -> (key node, value)
    # For mixins: the options that take this one in (`mixins: [x]`, `{...x}`); its state
    # exists wherever theirs does.
    owners: list[Options] = field(default_factory=list)

    def state(self, text: str) -> set[str]:
        """Names a Vue template of this component can read: data, methods, computed, props."""
        names: set[str] = set()
        data = self.keys.get("data")
        if data is not None:
            names |= _returned_keys(data[1], text)
        for option in _STATE_OPTIONS:
            value = self.keys.get(option)
            if value is not None and value[1].type == "object":
                names |= set(_object_keys(value[1], text))
        for option in ("props", "inject"):
            value = self.keys.get(option)
            if value is None:
                continue
            if value[1].type == "array":
                for item in value[1].named_children:
                    prop = _string_value(item, text)
                    if prop is not None:
                        names.add(prop)
            elif value[1].type == "object":
                names |= set(_object_keys(value[1], text))
        return names


@dataclass
class JsFacts:
    text: str
    strings: list[StringLiteral] = field(default_factory=list)
    comments: list[tuple[int, int]] = field(default_factory=list)
    options: list[Options] = field(default_factory=list)
    composition_calls: list[Any] = field(default_factory=list)  # call nodes
    pairs: list[Any] = field(default_factory=list)  # every `key: value` pair
    # `.mount('#id')` targets by what is mounted: a variable's name (`app`, from
    # `app.use(v).mount(...)` too) or the start of a chained `createApp(...)` call.
    mounts: dict[str | int, str] = field(default_factory=dict)

    def mount_target(self, options: Options) -> str | None:
        """The element id an app is mounted on (`#id` selectors only)."""
        call = options.call
        if call is None:
            return None
        target = self.mounts.get(call.start_byte)
        parent = call.parent
        if target is None and parent is not None:
            if parent.type == "variable_declarator":
                name = parent.child_by_field_name("name")
                target = self.mounts.get(_root_name(self.node_text(name))) if name else None
            elif parent.type == "assignment_expression":
                left = parent.child_by_field_name("left")
                target = self.mounts.get(_root_name(self.node_text(left))) if left else None
        return target

    def vue_state(self) -> set[str]:
        names: set[str] = set()
        for options in self.options:
            names |= options.state(self.text)
        return names

    def node_text(self, node: Any) -> str:
        return self.text[node.start_byte : node.end_byte]


def parse(text: str) -> JsFacts:
    """Facts of ASCII-safe JS text (see `ascii_text`)."""
    tree = _parser().parse(text.encode("ascii", "replace"))
    facts = JsFacts(text)
    calls: list[Any] = []
    declarations: dict[str, Any] = {}
    vue_names: dict[str, str] = {}  # local name -> what it is in Vue (`mk` -> `createApp`)
    assignments: list[Any] = []
    template_objects: list[Any] = []
    cursor = tree.walk()
    while True:
        node = cursor.node
        kind = node.type
        if kind == "string":
            facts.strings.append(_string(node))
        elif kind == "template_string":
            facts.strings.append(_template_string(node))
        elif kind == "comment":
            facts.comments.append((node.start_byte, node.end_byte))
        elif kind == "call_expression":
            calls.append(node)
        elif kind == "pair":
            facts.pairs.append(node)
            if _key_name(node.child_by_field_name("key"), text) == "template":
                template_objects.append(node.parent)
        elif kind == "variable_declarator":
            _declarator(node, text, declarations, vue_names)
        elif kind == "import_statement":
            _import(node, text, vue_names)
        elif kind == "assignment_expression":
            assignments.append(node)
        if kind not in ("string", "comment") and cursor.goto_first_child():
            continue
        while not cursor.goto_next_sibling():
            if not cursor.goto_parent():
                break
        else:
            continue
        break
    seen: set[tuple[int, int]] = set()
    for call in calls:
        _classify_call(call, text, declarations, vue_names, facts, seen)
    for obj in template_objects:
        _add_options(facts, obj, "component", None, text, seen)
    _add_assigned_options(facts, assignments, declarations, text)
    _add_mixins(facts, declarations, text, seen)
    return facts


def _add_mixins(
    facts: JsFacts, declarations: dict[str, Any], text: str, seen: set[tuple[int, int]]
) -> None:
    """The same-file mixins and spread bases of every options object, mixins of mixins
    included, each with the options that take it in."""
    by_span = {(o.node.start_byte, o.node.end_byte): o for o in facts.options}
    index = 0
    while index < len(facts.options):  # grows as mixins are found
        owner = facts.options[index]
        index += 1
        for shared in _shared_options(owner, declarations, text):
            span = (shared.start_byte, shared.end_byte)
            if span not in by_span:
                _add_options(facts, shared, "mixin", None, text, seen)
                by_span[span] = facts.options[-1]
            mixin = by_span[span]
            if mixin.kind == "mixin" and mixin is not owner and owner not in mixin.owners:
                mixin.owners.append(owner)


def _shared_options(options: Options, declarations: dict[str, Any], text: str) -> list[Any]:
    """Objects of this file whose options join these: `mixins: [listMixin]` and a
    spread `{...base}`, each a `const X = {...}` here."""
    found: list[Any] = []
    node = options.node
    if node.type != "object":
        return found
    candidates = [
        child.named_children[0]
        for child in node.named_children
        if child.type == "spread_element" and child.named_children
    ]
    mixins = options.keys.get("mixins")
    if mixins is not None and mixins[1] is not None and mixins[1].type == "array":
        candidates.extend(mixins[1].named_children)
    for candidate in candidates:
        target = _resolve(candidate, declarations, text)
        if target is not None and target.type == "object":
            found.append(target)
    return found


def _classify_call(
    call: Any,
    text: str,
    declarations: dict[str, Any],
    vue_names: dict[str, str],
    facts: JsFacts,
    seen: set[tuple[int, int]],
) -> None:
    function = call.child_by_field_name("function")
    arguments = call.child_by_field_name("arguments")
    if function is None:
        return
    args = [a for a in arguments.named_children if a.type != "comment"] if arguments else []
    if function.type == "identifier":
        name = text[function.start_byte : function.end_byte]
        member_of = None
    elif function.type == "member_expression":
        prop = function.child_by_field_name("property")
        obj = function.child_by_field_name("object")
        name = text[prop.start_byte : prop.end_byte] if prop else ""
        member_of = text[obj.start_byte : obj.end_byte] if obj else ""
    else:
        return
    if name == "mount" and function.type == "member_expression" and args:
        selector = _string_value(args[0], text)
        if selector and selector.startswith("#"):
            root = _mounted_root(function.child_by_field_name("object"), text, vue_names)
            if root is not None:
                facts.mounts.setdefault(root, selector[1:].strip())
    vue_function = name if member_of in VUE_GLOBALS else None
    if member_of is None:
        vue_function = vue_names.get(name, name)  # `mk` from `const { createApp: mk } = Vue`
    if vue_function == "createApp":
        target = _resolve(args[0], declarations, text) if args else None
        if target is not None and target.type == "object":
            _add_options(facts, target, "app", call, text, seen)
        elif not args:
            facts.options.append(Options(call, "app", call))  # createApp() with no options
    elif name in ("component", "defineComponent") and args:
        target = _resolve(args[-1], declarations, text)
        if target is not None and target.type == "object":
            _add_options(facts, target, "component", None, text, seen)
    from_vue = (member_of is None and name in vue_names) or member_of in VUE_GLOBALS
    if from_vue and vue_function in COMPOSITION:
        if member_of is None and _shadowed(call, name, text):
            return  # `function f(ref) { ref(1) }`: the parameter, not Vue's `ref`
        facts.composition_calls.append(call)


def _shadowed(node: Any, name: str, text: str) -> bool:
    """Whether `name` at `node` is a parameter or a block-local of an enclosing function,
    rather than the top-level name taken from Vue."""
    current = node.parent
    while current is not None:
        if current.type in _FUNCTIONS:
            parameters = current.child_by_field_name("parameters") or current.child_by_field_name(
                "parameter"
            )
            if parameters is not None and name in _bound_names(parameters, text):
                return True
        elif current.type == "statement_block" and name in _block_locals(current, text):
            return True
        elif current.type == "catch_clause":
            parameter = current.child_by_field_name("parameter")
            if parameter is not None and name in _bound_names(parameter, text):
                return True
        current = current.parent
    return False


def _block_locals(block: Any, text: str) -> set[str]:
    """Names declared directly in a `{ }` block: `const`/`let`/`var` and functions."""
    names: set[str] = set()
    for statement in block.named_children:
        if statement.type in ("lexical_declaration", "variable_declaration"):
            for declarator in statement.named_children:
                target = declarator.child_by_field_name("name")
                if target is not None:
                    names |= _bound_names(target, text)
        elif statement.type == "function_declaration":
            target = statement.child_by_field_name("name")
            if target is not None:
                names.add(text[target.start_byte : target.end_byte])
    return names


def _bound_names(pattern: Any, text: str) -> set[str]:
    """Names a parameter list or binding pattern binds (not those in default values)."""
    kind = pattern.type
    if kind in ("identifier", "shorthand_property_identifier_pattern"):
        return {text[pattern.start_byte : pattern.end_byte]}
    if kind in ("assignment_pattern", "object_assignment_pattern"):
        left = pattern.child_by_field_name("left") or pattern.named_children[0]
        return _bound_names(left, text)
    if kind == "pair_pattern":
        value = pattern.child_by_field_name("value")
        return _bound_names(value, text) if value is not None else set()
    if kind in ("formal_parameters", "object_pattern", "array_pattern", "rest_pattern"):
        names: set[str] = set()
        for child in pattern.named_children:
            names |= _bound_names(child, text)
        return names
    return set()


def _add_assigned_options(
    facts: JsFacts, assignments: list[Any], declarations: dict[str, Any], text: str
) -> None:
    """Options set after the object literal: `App.delimiters = config.delimiters` before
    `Vue.createApp(App)`. The literal's own keys win."""
    by_span = {(o.node.start_byte, o.node.end_byte): o for o in facts.options}
    for assignment in assignments:
        left = assignment.child_by_field_name("left")
        value = assignment.child_by_field_name("right")
        if left is None or value is None or left.type != "member_expression":
            continue
        owner = left.child_by_field_name("object")
        key = left.child_by_field_name("property")
        if owner is None or key is None or owner.type != "identifier":
            continue
        target = _resolve(owner, declarations, text)
        options = by_span.get((target.start_byte, target.end_byte)) if target else None
        if options is not None:
            options.keys.setdefault(text[key.start_byte : key.end_byte], (key, value))


def _root_name(name: str) -> str:
    return name.removeprefix("window.")


def _mounted_root(node: Any, text: str, vue_names: dict[str, str]) -> str | int | None:
    """What `X.mount(...)` mounts: `app` for `app.use(v).mount` and `window.app.mount`,
    the call's start for `createApp({...}).use(v).mount`."""
    while node is not None:
        if node.type == "call_expression":
            function = node.child_by_field_name("function")
            callee = _callee_name(function, text) if function is not None else ""
            if vue_names.get(callee, callee) == "createApp":
                return node.start_byte
            node = function
        elif node.type == "member_expression":
            obj = node.child_by_field_name("object")
            prop = node.child_by_field_name("property")
            if (
                obj is not None
                and prop is not None
                and text[obj.start_byte : obj.end_byte] == "window"
            ):
                return text[prop.start_byte : prop.end_byte]
            node = obj
        elif node.type == "identifier":
            return text[node.start_byte : node.end_byte]
        else:
            return None
    return None


def _callee_name(function: Any, text: str) -> str:
    if function.type == "member_expression":
        function = function.child_by_field_name("property")
    return text[function.start_byte : function.end_byte] if function is not None else ""


def _add_options(
    facts: JsFacts, obj: Any, kind: str, call: Any, text: str, seen: set[tuple[int, int]]
) -> None:
    key = (obj.start_byte, obj.end_byte)
    if key in seen:
        return
    seen.add(key)
    options = Options(obj, kind, call)
    for child in obj.named_children:
        if child.type == "pair":
            name = _key_name(child.child_by_field_name("key"), text)
            if name is not None:
                options.keys[name] = (
                    child.child_by_field_name("key"),
                    child.child_by_field_name("value"),
                )
        elif child.type == "method_definition":
            name_node = child.child_by_field_name("name")
            name = _key_name(name_node, text)
            if name is not None:
                options.keys[name] = (name_node, child)
        elif child.type == "shorthand_property_identifier":  # `{ delimiters, data }`
            options.keys[text[child.start_byte : child.end_byte]] = (child, child)
    facts.options.append(options)


def _resolve(node: Any, declarations: dict[str, Any], text: str) -> Any:
    """An identifier's `const X = {...}` value in the same script, else the node itself."""
    if node.type == "identifier":
        return declarations.get(text[node.start_byte : node.end_byte])
    return node


def _declarator(
    node: Any, text: str, declarations: dict[str, Any], vue_names: dict[str, str]
) -> None:
    name = node.child_by_field_name("name")
    value = node.child_by_field_name("value")
    if name is None or value is None:
        return
    if name.type == "identifier":
        declarations[text[name.start_byte : name.end_byte]] = value
    elif name.type == "object_pattern" and text[value.start_byte : value.end_byte] in VUE_GLOBALS:
        for child in name.named_children:
            if child.type == "shorthand_property_identifier_pattern":
                imported = local = text[child.start_byte : child.end_byte]
            elif child.type == "pair_pattern":
                key, val = child.child_by_field_name("key"), child.child_by_field_name("value")
                imported = text[key.start_byte : key.end_byte]
                local = text[val.start_byte : val.end_byte]
            else:
                continue
            vue_names[local] = imported


def _import(node: Any, text: str, vue_names: dict[str, str]) -> None:
    source = node.child_by_field_name("source")
    if source is None or _string_value(source, text) not in ("vue", "Vue"):
        return
    for specifier in _descendants(node, "import_specifier"):
        name = specifier.child_by_field_name("name")
        alias = specifier.child_by_field_name("alias") or name
        imported = text[name.start_byte : name.end_byte]
        vue_names[text[alias.start_byte : alias.end_byte]] = imported


def within_option(node: Any, option: str, text: str) -> bool:
    """Whether `node` lies inside the `option` method or `option: ...` pair of an object."""
    current = node.parent
    while current is not None:
        field = {"method_definition": "name", "pair": "key"}.get(current.type)
        if field and _key_name(current.child_by_field_name(field), text) == option:
            return True
        current = current.parent
    return False


def _descendants(node: Any, kind: str) -> list[Any]:
    found = []
    stack = [node]
    while stack:
        current = stack.pop()
        if current.type == kind:
            found.append(current)
        stack.extend(current.named_children)
    return found


def _key_name(node: Any, text: str) -> str | None:
    if node is None:
        return None
    if node.type in ("property_identifier", "identifier", "number"):
        return text[node.start_byte : node.end_byte]
    if node.type == "string":
        return _string_value(node, text)
    return None


def _string_value(node: Any, text: str) -> str | None:
    if node.type != "string":
        return None
    return text[node.start_byte + 1 : node.end_byte - 1]


def _string(node: Any) -> StringLiteral:
    start, end = node.start_byte, node.end_byte
    return StringLiteral(node, "'", [(start + 1, max(start + 1, end - 1))])


def _template_string(node: Any) -> StringLiteral:
    segments = []
    position = node.start_byte + 1
    for child in node.named_children:
        if child.type == "template_substitution":
            # Keep the `$`: text running into `${...}` is not a whole name (`ti ti-${x}`).
            segments.append((position, child.start_byte + 1))
            position = child.end_byte
    segments.append((position, max(position, node.end_byte - 1)))
    return StringLiteral(node, "`", [(a, b) for a, b in segments if b > a] or [])


def _object_keys(obj: Any, text: str) -> list[str]:
    keys = []
    for child in obj.named_children:
        if child.type == "pair":
            name = _key_name(child.child_by_field_name("key"), text)
        elif child.type == "method_definition":
            name = _key_name(child.child_by_field_name("name"), text)
        elif child.type == "shorthand_property_identifier":
            name = text[child.start_byte : child.end_byte]
        else:
            name = None
        if name is not None:
            keys.append(name)
    return keys


_FUNCTIONS = (
    "function_expression",
    "function_declaration",
    "arrow_function",
    "method_definition",
    "function",
)


def _returned_keys(value: Any, text: str) -> set[str]:
    """Keys of the object(s) `data()` returns: `data() { return {...} }`, `data: () => ({...})`."""
    body = value.child_by_field_name("body") if value.type in _FUNCTIONS else None
    if body is None:
        return set()
    if body.type != "statement_block":
        return (
            set(_object_keys(_unparenthesized(body), text))
            if _unparenthesized(body).type == "object"
            else set()
        )
    keys: set[str] = set()
    stack = list(body.named_children)
    while stack:
        node = stack.pop()
        if node.type in _FUNCTIONS:
            continue  # a nested function's return is not data()'s
        if node.type == "return_statement":
            returned = [c for c in node.named_children if c.type != "comment"]
            if returned:
                obj = _unparenthesized(returned[0])
                if obj.type == "object":
                    keys |= set(_object_keys(obj, text))
            continue
        stack.extend(node.named_children)
    return keys


def _unparenthesized(node: Any) -> Any:
    while node.type == "parenthesized_expression" and node.named_children:
        node = node.named_children[0]
    return node
