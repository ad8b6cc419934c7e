"""What template and JS rules see of a file: lazily computed layers and `report()`.

Each layer (Jinja tokens and tree, HTML tags, the scripts' JS tree, the page's Vue
state) is computed once, on first use, and shared by every rule. Rules report
0-based character offsets; `checked()` turns them into 1-based lines and columns for
the post-check stage (stk_lint.pipeline), with the file's suppression comments. Where
each Vue app's state applies is stk_lint.templates.vue's; the text that may name icons,
stk_lint.templates.icons'.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

from stk_lint.checked import Checked
from stk_lint.decoding import line_break_after, line_starts
from stk_lint.findings import Finding, Fix
from stk_lint.suppression import Directive, parse_directive
from stk_lint.templates import html, vue
from stk_lint.templates.html import Attribute, Document, Element, Tag
from stk_lint.templates.icons import IconText, markup_icons, string_markup_icons, tabler_names
from stk_lint.templates.vue import VueScopes

if TYPE_CHECKING:
    from stk_lint.rule import Rule
    from stk_lint.templates.jinja import JinjaScan, Output
    from stk_lint.templates.js import JsFacts

_JS_TYPES = frozenset({"", "text/javascript", "module", "application/javascript"})
_LINK_ATTRIBUTE = re.compile(r"^(?::|v-bind:)?(?:href|src)$", re.IGNORECASE)
_CSS_IMPORT = re.compile(r"@import\b[^;{}]*;?")


@dataclass
class Report:
    rule: type[Rule]
    start: int
    end: int
    message: str
    fix: Fix | None


@dataclass
class Place:
    """Where a Jinja output stands, as Vue sees the page."""

    kind: str  # "text", "attribute", "js-template", "script", "ignored"
    vue_names: frozenset[str]  # v-for / slot names of the enclosing elements
    quote: str = ""  # for "js-template": the string's quote
    # for "js-template": the component sets `${ }` delimiters of its own (Vue reads
    # each component's `delimiters`; the app's do not carry over to its components)
    own_delimiters: bool = True
    # the props and data of the component whose template holds it
    state: frozenset[str] = frozenset()
    attribute: Attribute | None = None  # for "attribute": the one whose value holds it
    tag: Tag | None = None  # for "attribute": the tag holding it


class SourceContext:
    def __init__(
        self, path: str, source: str, options: dict[str, Any], project: Any = None
    ) -> None:
        self.path = path
        self.source = source
        self.options = options
        self.project = project
        self.reports: list[Report] = []
        self._reported: set[tuple[str, int, int]] = set()

    def report(
        self, rule: type[Rule], start: int, end: int, message: str, fix: Fix | None = None
    ) -> None:
        key = (rule.code, start, end)
        if key in self._reported:
            return
        self._reported.add(key)
        self.reports.append(Report(rule, start, end, message, fix))

    @cached_property
    def _line_starts(self) -> list[int]:
        # A template's text has its line breaks normalised to "\n"; a .js file's are as
        # written (a CR-only file has as many lines as for any editor).
        return line_starts(self.text)

    @property
    def text(self) -> str:
        return self.source

    def position(self, offset: int) -> tuple[int, int]:
        """1-based (line, column) of a 0-based offset."""
        line = bisect.bisect_right(self._line_starts, offset)
        return line, offset - self._line_starts[line - 1] + 1

    def line_start(self, line: int) -> int:
        starts = self._line_starts
        return starts[min(max(line, 1), len(starts)) - 1]

    def directives(self) -> dict[int, Directive]:
        return {}

    def checked(self) -> Checked:
        """The reports as findings, each with the lines a suppression comment may stand
        on, for the post-check stage (stk_lint.pipeline.post_check)."""
        reports = []
        for report in self.reports:
            line, column = self.position(report.start)
            end_line, end_column = self.position(max(report.end, report.start))
            finding = Finding(
                path=self.path,
                line=line,
                column=column,
                code=report.rule.code,
                message=report.message,
                name=report.rule.name,
                end_line=end_line,
                end_column=end_column,
                fix=report.fix,
            )
            reports.append((finding, (line, end_line)))
        return Checked(reports, self.directives)

    def _directive(self, directives: dict[int, Directive], start: int, end: int) -> None:
        """The suppression comment between `start` and `end`, if it is one."""
        text = self.text
        comment = text[start:end]
        codes = parse_directive(comment)
        if codes is None:
            return
        line, column = self.position(start)
        line_end = line_break_after(text, end)[0]
        # Alone on its line: nothing before it and, unlike a `#` or `//` comment, nothing
        # after it (`{# ... #}<p>...</p>` shares its line with markup).
        own_line = (
            not text[self.line_start(line) : start].strip() and not text[end:line_end].strip()
        )
        # A comment over several lines, alone on them, covers the line after its end.
        key = self.position(end)[0] if own_line else line
        directives[key] = Directive(line, codes, own_line, column - 1, comment, start)

    @cached_property
    def tabler_names(self) -> frozenset[str]:
        return tabler_names(self.path, self.project)


class JsContext(SourceContext):
    """A `.js` file."""

    @cached_property
    def js(self) -> JsFacts:
        from stk_lint.templates import js

        return js.parse(js.ascii_text(self.source))

    def directives(self) -> dict[int, Directive]:
        directives: dict[int, Directive] = {}
        if "stk-lint" not in self.source and "noqa" not in self.source:
            return directives
        for start, end in self.js.comments:
            self._directive(directives, start, end)
        return directives

    def icon_texts(self) -> list[IconText]:
        source = self.source
        found = []
        for literal in self.js.strings:
            for a, b in literal.segments:
                found.append(IconText(a, source[a:b], "string"))
                found.extend(string_markup_icons(source, a, b, lambda x, y: source[x:y]))
        return found


_JINJA_SUFFIXES = (".jinja", ".jinja2", ".j2")
DEFAULT_TEMPLATE_FOLDERS = ("templates",)


def is_jinja_template(path: str, folders: Iterable[str]) -> bool:
    """`.jinja`/`.jinja2`/`.j2` files, and `.html` files under a template folder.

    A plain HTML file elsewhere (`static/`, docs) is not rendered by Jinja: its `{{ }}`
    belong to whatever reads it, so it is not lexed as Jinja.
    """
    normalized = path.replace("\\", "/")
    if normalized.lower().endswith(_JINJA_SUFFIXES):
        return True
    parts = normalized.split("/")[:-1]
    return any(part in folders for part in parts)


class TemplateContext(SourceContext):
    """A Jinja template holding Vue markup and page scripts."""

    @cached_property
    def is_jinja(self) -> bool:
        folders = self.options.get("template-folders") or DEFAULT_TEMPLATE_FOLDERS
        return is_jinja_template(self.path, folders)

    @cached_property
    def jinja(self) -> JinjaScan:
        from stk_lint.templates import jinja

        if not self.is_jinja:
            text = jinja.normalize_newlines(self.source)
            return jinja.JinjaScan(text=text, masked=text)
        return jinja.scan(self.source)

    @property
    def text(self) -> str:
        return self.jinja.text

    @cached_property
    def html(self) -> Document:
        return html.scan(self.jinja.masked)

    @cached_property
    def scripts(self) -> list[tuple[Tag, int, int]]:
        """JavaScript `<script>` elements: (tag, content start, content end)."""
        found = []
        for tag, start, end in self.html.raw_text:
            if tag.name != "script":
                continue
            kind = tag.attribute("type")
            if (kind.value or "").strip().lower() in _JS_TYPES if kind else True:
                found.append((tag, start, end))
        return found

    @cached_property
    def js(self) -> JsFacts:
        """One parse of every page script, the rest of the file blanked (same offsets)."""
        from stk_lint.templates import js

        masked = self.jinja.masked
        pieces = []
        pos = 0
        for _, start, end in self.scripts:
            pieces.append(re.sub(r"[^\n]", " ", masked[pos:start]))
            pieces.append(js.ascii_text(masked[start:end]))
            pos = end
        pieces.append(re.sub(r"[^\n]", " ", masked[pos:]))
        return js.parse("".join(pieces))

    @property
    def vue_state(self) -> frozenset[str]:
        """data() keys, methods, computed and props that the page's markup can read: the
        apps' (and their mixins') not mounted on an element of this file."""
        return self._vue_scopes.page

    @cached_property
    def _vue_scopes(self) -> VueScopes:
        """Where the state of each app and component applies (see `vue.scopes_of`)."""
        if not self.scripts:
            return VueScopes(frozenset(), {}, {}, frozenset())
        element_ids = {
            a.value.strip()
            for tag in self.html.tags
            if not tag.closing
            for a in tag.attributes
            if a.name.lower() == "id" and a.value
        }
        return vue.scopes_of(self.js, element_ids, self.text)

    def directives(self) -> dict[int, Directive]:
        directives: dict[int, Directive] = {}
        if "stk-lint" not in self.source and "noqa" not in self.source:
            return directives
        for comment in self.jinja.comments:
            self._directive(directives, comment.start, comment.end)  # with its `#}`
        if self.scripts:
            for start, end in self.js.comments:
                self._directive(directives, start, end)
        return directives

    # --- where things stand ------------------------------------------------------------

    @cached_property
    def _template_strings(self) -> list[tuple[int, int, str, bool, frozenset[str]]]:
        """JS string literals given as a component's `template:` option."""
        if not self.scripts:
            return []
        found = []
        for options in self.js.options:
            entry = options.keys.get("template")
            if entry is None or entry[1] is None:
                continue
            value = entry[1]
            if value.type in ("string", "template_string"):
                quote = "`" if value.type == "template_string" else "'"
                own = vue.own_delimiters(options, self.text)
                state = self._vue_scopes.by_string.get(
                    (value.start_byte, value.end_byte), frozenset()
                )
                found.append((value.start_byte, value.end_byte, quote, own, state))
        return found

    def place(self, start: int) -> Place:
        """Where the Jinja construct at `start` stands (see `places`)."""
        return self.places.get(start, Place("ignored", frozenset()))

    @cached_property
    def places(self) -> dict[int, Place]:
        """The place of every `{{ }}` (by start offset), raw ones included."""
        starts = sorted(
            [o.start for o in self.jinja.outputs] + [r.start for r in self.jinja.raw_outputs]
        )
        result: dict[int, Place] = {}
        if not starts:
            return result
        document = self.html
        skipped = sorted(
            [(a, b, "ignored") for a, b in document.comments]
            + [(a, b, "raw") for _, a, b in document.raw_text]
        )
        script_ranges = {(a, b) for _, a, b in self.scripts}
        index = 0
        stack: list[Element] = []  # the scanner's live stack: the final state at the end
        binding_cache: dict[int, tuple[set[str], set[str]]] = {}

        def bound_inside(elements: list[Element]) -> frozenset[str]:
            names: set[str] = set()
            for element in elements:
                names |= _bindings(element.tag, binding_cache)[1]
            return frozenset(names)

        skipped_starts = [a for a, _, _ in skipped]
        scopes = self._vue_scopes
        by_id = scopes.by_id

        def markup_place(
            kind: str,
            names: frozenset[str],
            elements: list[Element],
            attribute: Any = None,
            tag: Any = None,
        ) -> Place:
            """With the state (and delimiters) of the component whose `template: '#id'`
            element holds this, if any."""
            if not by_id:
                return Place(kind, names, attribute=attribute, tag=tag)
            state: frozenset[str] = frozenset()
            own = True
            for element in elements:
                id_attribute = element.tag.attribute("id")
                if id_attribute is not None and id_attribute.value:
                    element_id = id_attribute.value.strip()
                    state |= by_id.get(element_id, frozenset())
                    own = own and element_id not in scopes.without_delimiters
            return Place(kind, names, own_delimiters=own, state=state, attribute=attribute, tag=tag)

        def place_at(offset: int, tag: Tag | None, stack: list[Element]) -> Place:
            # Comments and script/style bodies never overlap: the one starting last before
            # `offset` is the only candidate.
            candidate = bisect.bisect_right(skipped_starts, offset) - 1
            if candidate >= 0 and offset < skipped[candidate][1]:
                a, b, kind = skipped[candidate]
                if kind == "ignored" or (a, b) not in script_ranges:
                    return Place("ignored", frozenset())
                for s, e, quote, own, state in self._template_strings:
                    if s < offset < e:
                        return Place("js-template", frozenset(), quote, own, state)
                return Place("script", frozenset())
            if vue.skipped_by_vue(stack, tag):
                return Place("ignored", frozenset())
            if tag is not None:
                bound = _bindings(tag, binding_cache)[0] if not tag.closing else set()
                attribute = next(
                    (a for a in tag.attributes if a.value_start <= offset < a.value_end), None
                )
                return markup_place("attribute", bound_inside(stack) | bound, stack, attribute, tag)
            return markup_place("text", bound_inside(stack), stack)

        for tag, stack in html.elements(document, len(self.text), self.jinja.branches):
            while index < len(starts) and starts[index] < tag.start:
                result[starts[index]] = place_at(starts[index], None, stack)
                index += 1
            while index < len(starts) and starts[index] < tag.end:
                result[starts[index]] = place_at(starts[index], tag, stack)
                index += 1
        for offset in starts[index:]:
            result[offset] = place_at(offset, None, stack)
        return result

    # --- icons -------------------------------------------------------------------------

    def icon_texts(self) -> list[IconText]:
        return self._icon_texts

    @cached_property
    def _icon_texts(self) -> list[IconText]:
        """Attribute values that name icons, `<v-icon>` text, script strings, Jinja code."""
        text = self.text
        jinja = self.jinja
        # `{% if %}...{% endif %}` blanked: the names each branch can render stand alone.
        found = list(markup_icons(self.html, len(text), jinja.branches, jinja.without_tags))
        if self.scripts:
            for literal in self.js.strings:
                for a, b in literal.segments:
                    found.append(IconText(a, text[a:b], "string"))
                    found.extend(string_markup_icons(text, a, b, jinja.without_tags))
        for start, end, kind in jinja.spans:
            if kind != "comment":  # `{{ icon_button('mdi-x') }}`, `{% set icon = 'ti ti-x' %}`
                found.append(IconText(start, text[start:end], "icon"))
        return found

    def element_content(self, element_id: str) -> str | None:
        """The text inside the element with this `id` (a component's `#id` template)."""
        tags = self.html.tags
        for index, tag in enumerate(tags):
            id_attribute = tag.attribute("id") if not tag.closing else None
            if id_attribute is None or (id_attribute.value or "").strip() != element_id:
                continue
            depth = 0  # nested elements of the same name
            for later in tags[index + 1 :]:
                if later.name != tag.name or later.self_closing:
                    continue
                if not later.closing:
                    depth += 1
                elif depth:
                    depth -= 1
                else:
                    return self.text[tag.end : later.start]
            return self.text[tag.end :]
        return None

    def style_imports(self) -> list[tuple[int, int, str]]:
        """`@import` rules of `<style>` elements: (start, end, rule)."""
        text = self.text
        return [
            (match.start(), match.end(), match.group())
            for tag, start, end in self.html.raw_text
            if tag.name == "style"
            for match in _CSS_IMPORT.finditer(text, start, end)
        ]

    def stylesheet_links(self) -> list[tuple[int, int, str]]:
        """`href`/`src` attribute values: (start, end, value)."""
        text = self.text
        return [
            (a.value_start, a.value_end, text[a.value_start : a.value_end])
            for tag in self.html.tags
            if not tag.closing
            for a in tag.attributes
            if a.value is not None and _LINK_ATTRIBUTE.match(a.name)
        ]

    def output_text(self, output: Output) -> str:
        return " ".join(self.text[output.inner_start : output.inner_end].split())


def _bindings(tag: Tag, cache: dict[int, tuple[set[str], set[str]]]) -> tuple[set[str], set[str]]:
    key = id(tag)
    if key not in cache:
        cache[key] = vue.bindings(tag)
    return cache[key]
