"""The languages stk-lint checks, named once for the whole package.

Rules declare the ones they check (`Rule.languages`); file discovery maps suffixes to
them. A module of constants only, so that every layer (decoding, discovery, the rule
API) can import it without importing anything else.
"""

PYTHON = "python"
TEMPLATE = "template"
JS = "js"
ANY = "any"  # checker-level rules (syntax errors, unreadable files): every language
