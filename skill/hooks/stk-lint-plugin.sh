#!/bin/sh
# The stk-dev plugin's hooks (hooks.json): `sh stk-lint-plugin.sh post-tool-use` after each
# Edit/Write, `sh stk-lint-plugin.sh session-start` when a session starts. The work is done
# by stk_lint.plugin, from the checker source the plugin carries, with the system Python.
# Exit 2 means findings and nothing else: any failure of the plugin's own (no Python 3.11+,
# a missing file, a crash) is exit 0 with one line on stderr, so an edit is never blocked.
here=$(dirname "$0")
launcher="$here/stk_lint_plugin.py"
if [ ! -f "$launcher" ]; then
    echo "stk-lint plugin: not checked: $launcher is missing; reinstall the plugin" >&2
    exit 0
fi
if ! command -v python3 >/dev/null 2>&1; then
    echo "stk-lint plugin: not checked: no python3 on PATH (stk-lint needs Python 3.11+)" >&2
    exit 0
fi
python3 -I "$launcher" "$@"
status=$?
case $status in
    0 | 2) exit "$status" ;;
esac
echo "stk-lint plugin: not checked: its launcher exited with status $status" >&2
exit 0
