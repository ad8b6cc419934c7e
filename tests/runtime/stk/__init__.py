"""Test stand-in for the stk framework (see tests/runtime/README.md)."""
