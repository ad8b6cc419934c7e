"""stk-lint: the conformance linter that enforces the stk-dev skill."""

__version__ = "0.1.0"
