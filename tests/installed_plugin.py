"""The stk-dev plugin installed by the real Claude Code CLI, the way a new user installs it:
a fresh HOME, stk-lint nowhere on PATH, the README's two `claude plugin` commands on a
clone of this repository's last commit. Its hooks then run as Claude Code runs them.

Used by the slow test in tests/test_plugin.py and by bench/plugin_hook.py.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_APP = ROOT / "tests" / "sample_app"
# Where Claude Code keeps a plugin's data: plugins/data/<plugin@marketplace, sanitised>.
DATA = Path(".claude", "plugins", "data", "stk-dev-stk-lint")


def readme_install_commands() -> list[list[str]]:
    """The README's two commands that install the plugin ("## Claude Code")."""
    section = (ROOT / "README.md").read_text().split("\n## Claude Code\n", 1)[1]
    block = re.search(r"```sh\n(.*?)```", section, flags=re.DOTALL).group(1)
    return [line.split("#", 1)[0].split() for line in block.strip().splitlines()]


def _without_stk_lint(path_variable: str) -> str:
    """PATH minus every folder holding an stk-lint (the test's own virtualenv's)."""
    folders = path_variable.split(os.pathsep)
    return os.pathsep.join(f for f in folders if f and not (Path(f) / "stk-lint").exists())


def _claude(claude: str, args: list[str], env: dict[str, str]) -> None:
    done = subprocess.run([claude, *args], capture_output=True, text=True, env=env, timeout=300)
    if done.returncode != 0:
        raise AssertionError(f"claude {' '.join(args)}: {done.stdout}{done.stderr}")


@dataclass
class InstalledPlugin:
    root: Path  # the plugin's folder in Claude Code's cache
    data: Path  # what Claude Code passes as CLAUDE_PLUGIN_DATA
    env: dict[str, str]  # HOME, PATH without stk-lint, the machine's pip settings
    hooks: dict[str, str]  # event -> the command hooks.json gives

    @classmethod
    def install(cls, claude: str, scratch: Path) -> InstalledPlugin:
        clone = scratch / "clone"
        subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True, timeout=120)
        home = scratch / "home"
        for pip_config in (".config/pip/pip.conf", ".pip/pip.conf"):  # the machine's index
            original = Path.home() / pip_config
            if original.is_file():
                (home / pip_config).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy(original, home / pip_config)
        # A python3 outside any virtualenv, as on a fresh machine.
        system = scratch / "system-bin"
        system.mkdir()
        (system / "python3").symlink_to(Path(sys._base_executable).resolve())
        env = {key: value for key, value in os.environ.items() if not key.startswith("CLAUDE")}
        env.update(
            HOME=str(home),
            PATH=os.pathsep.join([str(system), _without_stk_lint(os.environ["PATH"])]),
            DISABLE_AUTOUPDATER="1",
            CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC="1",
        )
        assert shutil.which("stk-lint", path=env["PATH"]) is None
        add, install = readme_install_commands()
        _claude(claude, [*add[1:-1], str(clone)], env)  # the clone for the repository
        _claude(claude, install[1:], env)
        installed = json.loads(
            (home / ".claude" / "plugins" / "installed_plugins.json").read_text()
        )
        [record] = installed["plugins"]["stk-dev@stk-lint"]
        root = Path(record["installPath"])
        _claude(claude, ["plugin", "validate", "--strict", str(root)], env)
        hooks = json.loads((root / "hooks" / "hooks.json").read_text())["hooks"]
        commands = {}
        for event, entries in hooks.items():
            [[hook]] = [entry["hooks"] for entry in entries]
            commands[event] = hook["command"]
        return cls(root, home / DATA, env, commands)

    def start(self, event: str, project: Path, payload: dict, env=None, data=None):
        """The event's hook command as Claude Code runs it: `${CLAUDE_PLUGIN_ROOT}`
        substituted, the plugin's variables set, `sh -c` in the project, JSON on stdin."""
        command = self.hooks[event].replace("${CLAUDE_PLUGIN_ROOT}", str(self.root))
        env = {
            **(env or self.env),
            "CLAUDE_PLUGIN_ROOT": str(self.root),
            "CLAUDE_PLUGIN_DATA": str(data or self.data),
            "CLAUDE_PROJECT_DIR": str(project),
        }
        process = subprocess.Popen(
            ["/bin/sh", "-c", command],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=project,
            env=env,
        )
        return process, json.dumps(payload)

    def edit(self, path: Path, project: Path, env=None, data=None):
        return self.start("PostToolUse", project, edit_event(path, project), env, data)

    @staticmethod
    def finish(started, timeout: float = 300) -> tuple[int, str, str]:
        process, payload = started
        stdout, stderr = process.communicate(payload, timeout=timeout)
        return process.returncode, stdout, stderr


def edit_event(path: Path, project: Path) -> dict:
    """PostToolUse's input after an Edit, as Claude Code 2.1 sends it."""
    return {
        "session_id": "00000000-0000-0000-0000-000000000000",
        "transcript_path": str(project / "transcript.jsonl"),
        "cwd": str(project),
        "permission_mode": "default",
        "hook_event_name": "PostToolUse",
        "tool_name": "Edit",
        "tool_input": {
            "file_path": str(path),
            "old_string": "await g.db_session.commit()",
            "new_string": "g.db_session.commit()",
            "replace_all": False,
        },
        "tool_response": {"filePath": str(path), "structuredPatch": [], "userModified": False},
    }


def stk_project(folder: Path) -> tuple[Path, Path]:
    """The sample app in a git repository of its own, one `await` dropped from a view
    (STK202 at 69:9). Returns (the view with the finding, a clean module)."""
    shutil.copytree(SAMPLE_APP / "stk", folder / "stk")
    subprocess.run(["git", "init", "-q", str(folder)], check=True, timeout=60)
    views = folder / "stk" / "things" / "views.py"
    text = views.read_text()
    views.write_text(text.replace("await g.db_session.commit()", "g.db_session.commit()", 1))
    return views, folder / "stk" / "things" / "models.py"


def flask_project(folder: Path) -> list[Path]:
    """A plain Flask app with a template using Material Design Icons."""
    (folder / "templates").mkdir(parents=True)
    (folder / "requirements.txt").write_text("flask\nflask-sqlalchemy\n")
    (folder / "app.py").write_text("from flask import Flask\n\napp = Flask(__name__)\n")
    (folder / "templates" / "index.html").write_text('<i class="mdi mdi-home"></i>\n')
    return [folder / "app.py", folder / "templates" / "index.html"]
