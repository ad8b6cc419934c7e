"""The `stk-lint` console script.

`stk-lint hook claude` runs after every file Claude Code edits, so it starts without the
command-line interface, the rule registry or libcst: a file stk-lint does not handle costs
only the interpreter's start. Every other command goes to `stk_lint.cli`.
"""

import sys


def main() -> None:
    if sys.argv[1:] == ["hook", "claude"]:
        from stk_lint.hook import main as hook_main

        hook_main()
    from stk_lint.cli import main as cli_main

    cli_main()
