"""Every module imports on its own: an import cycle hidden by the order the test suite
happens to import things in would break `stk-lint` for the first user who hits it."""

import pkgutil
import subprocess
import sys

import stk_lint

SCRIPT = """
import importlib, sys
failed = []
for name in sys.argv[1:]:
    for loaded in [m for m in sys.modules if m == "stk_lint" or m.startswith("stk_lint.")]:
        del sys.modules[loaded]
    try:
        importlib.import_module(name)
    except Exception as error:
        failed.append(f"{name}: {type(error).__name__}: {error}")
print("\\n".join(failed))
"""


def test_every_module_imports_first():
    names = [
        info.name
        for info in pkgutil.walk_packages(stk_lint.__path__, "stk_lint.")
        if info.name != "stk_lint.__main__"
    ]
    assert "stk_lint.suppression" in names
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, *names], capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == ""
