"""Checking Jinja templates with Vue markup, and JavaScript files.

Layers, each computed once per file on first use (see `context`): Jinja's tokens
and tree (`jinja`), a forgiving HTML tag scanner over the template with the Jinja
constructs blanked (`html`), one tree-sitter parse of the page scripts (`js`),
the Vue state they define (`js.Options.state`, `vue`), and icon names (`icons`).
Nothing here imports Jinja or tree-sitter until a template or JS file is checked.
"""
