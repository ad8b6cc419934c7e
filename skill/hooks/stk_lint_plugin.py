"""Runs stk_lint.plugin from the checker source the plugin carries (../checker).

Kept to syntax every Python 3 reads, so an older python3 on PATH gets a clear note (and a
newer python3.1x, if there is one, does the work) instead of a SyntaxError.
"""
# ruff: noqa: UP031, UP036, RUF005  (the old spellings are the point here)

import os
import shutil
import sys

NEWER = ("python3.14", "python3.13", "python3.12", "python3.11")


def main():
    if sys.version_info < (3, 11):
        if not os.environ.get("STK_LINT_PLUGIN_REEXEC"):
            for name in NEWER:
                found = shutil.which(name)
                if found:
                    os.environ["STK_LINT_PLUGIN_REEXEC"] = "1"
                    os.execv(found, [found, "-I", os.path.abspath(__file__)] + sys.argv[1:])
        sys.stderr.write(
            "stk-lint plugin: not checked: stk-lint needs Python 3.11+, python3 is %d.%d\n"
            % sys.version_info[:2]
        )
        sys.exit(0)
    here = os.path.dirname(os.path.abspath(__file__))
    sys.path.insert(0, os.path.join(os.path.dirname(here), "checker"))
    from stk_lint.plugin import main as plugin_main

    plugin_main()


main()
