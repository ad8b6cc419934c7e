"""`stk-lint server` for tests/test_server.py, with one fault planted: checking a file
whose name contains `boom_fails` raises, as a bug in a rule would."""

from stk_lint import pipeline as engine
from stk_lint.server import main

_check_source = engine.check_source


def check_source(source, path, *args, **kwargs):
    if "boom_fails" in path:
        raise RuntimeError("boom: a planted fault")
    return _check_source(source, path, *args, **kwargs)


engine.check_source = check_source
main()
