"""The Claude Code plugin's hooks (skill/hooks/hooks.json), run by the system Python.

`claude plugin install` copies the plugin folder `skill/` into Claude Code's cache; the
checker's source travels in it as `checker/` (pyproject.toml, README.md and this package),
so the plugin needs nothing but a Python 3.11+ on PATH. This module runs from that source
with the standard library only (stk_lint.scope, stk_lint.hook's input parsing and
stk_lint.config's table look-up import nothing else), before any environment with
libcst exists.

- ``post-tool-use`` (after each Edit/Write): a file stk-lint does not check, or outside an
  stk project (stk_lint.scope), exits 0 at once. Otherwise the file is checked by
  `stk-lint hook claude` of, in this order: the project's own `.venv` (the project's root,
  then ``$CLAUDE_PROJECT_DIR``), an `stk-lint` on PATH, or the plugin's environment in
  ``$CLAUDE_PLUGIN_DATA``, built on first need from the source the plugin carries.
- ``server`` (the plugin's language server, `lspServers` in plugin.json): runs
  `stk-lint server` of the same checker, found the same way (a project's own stk-lint only
  if it has the server: `stk-lint server --probe`), in place of this process, so Claude
  Code talks to it directly. It starts in any project (a folder below may be an stk
  project); the server itself says nothing outside stk projects.
- ``session-start``: in an stk project with no stk-lint of its own, starts building that
  environment in the background, so the first edit usually finds it ready.

The environment is keyed by the Python that builds it and a digest of the source, so a
new plugin version (or a different Python) gets a new one; it is built by one detached
process at a time (a file lock), in a temporary folder renamed into place when complete,
so a session never sees half an environment and a killed hook never leaves one. A failed
build is not retried for `RETRY_AFTER` seconds; its log stays in the data folder.

Exit codes are the hook's contract: 2 means findings and nothing else. Any failure of the
plugin's own (no environment, a crash of the checker, a timeout) is exit 0 with one line
on stderr.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import IO, Any

EXIT_OK, EXIT_FEEDBACK = 0, 2
PREFIX = "stk-lint plugin:"
FINDINGS = re.compile(r"stk-lint: \d+ problems? in ")  # the first line of findings
READY = "stk-lint-plugin.json"  # written last in an environment: it is complete
WAIT_FOR_BUILD = 150.0  # seconds an edit waits for the environment (hooks.json: 300)
BUILD_TIMEOUT = 600.0  # seconds one build may take
CHECK_TIMEOUT = 120.0  # seconds one check may take
RETRY_AFTER = 600.0  # seconds before a failed build is tried again
SOURCE = Path(__file__).resolve().parent.parent  # holds pyproject.toml and stk_lint/
BIN = "Scripts" if os.name == "nt" else "bin"
EXE = ".exe" if os.name == "nt" else ""


class NotChecked(Exception):
    """A failure of the plugin's own: exit 0 with the message as one line."""


def data_folder(environ: dict[str, str]) -> Path:
    """``$CLAUDE_PLUGIN_DATA`` (Claude Code 2.1.78+), else a user cache folder."""
    given = environ.get("CLAUDE_PLUGIN_DATA")
    if given:
        return Path(given)
    cache = environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(cache) / "stk-lint" / "claude-plugin"


def environment_name() -> str:
    """The Python that builds the environment and a digest of the source it installs (its
    contents, about 1 ms: a plugin copied again unchanged keeps its environment)."""
    digest = hashlib.sha256()
    files = [SOURCE / "pyproject.toml"]
    for folder, subfolders, names in os.walk(SOURCE / "stk_lint"):
        subfolders[:] = sorted(name for name in subfolders if name != "__pycache__")
        files.extend(Path(folder) / name for name in sorted(names) if not name.endswith(".pyc"))
    for path in files:
        digest.update(f"{path.relative_to(SOURCE).as_posix()}\0".encode())
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    python = f"{sys.implementation.name}{sys.version_info[0]}{sys.version_info[1]}"
    return f"{python}-{digest.hexdigest()[:16]}"


class Environment:
    """The plugin's own environment for one Python and one source, under `data`/envs."""

    def __init__(self, data: Path, name: str | None = None) -> None:
        self.folder = data / "envs"
        self.name = name or environment_name()
        self.path = self.folder / self.name
        self.failed = self.folder / f"{self.name}.failed"
        self.log = self.folder / f"{self.name}.log"

    @property
    def python(self) -> Path:
        return self.path / BIN / f"python{EXE}"

    def ready(self) -> bool:
        return (self.path / READY).is_file()

    def recent_failure(self) -> str | None:
        """The reason of a failed build younger than RETRY_AFTER, else None."""
        try:
            if time.time() - self.failed.stat().st_mtime < RETRY_AFTER:
                return self.failed.read_text(encoding="utf-8").strip() or "failed"
        except OSError:
            pass
        return None

    def start_build(self) -> subprocess.Popen[bytes]:
        """A detached builder: it outlives a hook that Claude Code stops."""
        self.folder.mkdir(parents=True, exist_ok=True)
        code = "import sys; sys.path.insert(0, sys.argv[1]); from stk_lint.plugin import build_main; build_main()"
        return subprocess.Popen(
            [sys.executable, "-I", "-c", code, str(SOURCE), str(self.folder.parent), self.name],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            cwd=self.folder,  # not the project: its modules must not shadow pip's or ours
            start_new_session=True,
        )

    def wait(self, budget: float) -> Path:
        """The environment's Python, building it if needed within `budget` seconds."""
        if self.ready():
            return self.python
        reason = self.recent_failure()
        if reason is not None:
            minutes = RETRY_AFTER / 60
            raise NotChecked(f"{reason} (see {self.log}; tried again {minutes:.0f} minutes on)")
        started = time.time()
        builder = self.start_build()
        while time.time() - started < budget:
            if self.ready():
                return self.python
            if builder.poll() is not None:
                if self.ready():
                    return self.python
                reason = self.recent_failure() or f"the build exited with {builder.returncode}"
                raise NotChecked(f"{reason} (see {self.log})")
            time.sleep(0.1)
        raise NotChecked(
            f"its environment is still being built (log: {self.log}); later edits are checked"
        )

    def build(self) -> None:
        """Build the environment unless it is ready, or a build that failed while this
        one waited for the lock (one builder at a time)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        started = time.time()
        with _locked(self.folder / ".lock"):
            if self.ready() or self._failed_since(started):
                return
            for stale in self.folder.glob(".build-*"):  # left by a builder that was killed
                shutil.rmtree(stale, ignore_errors=True)
            temporary = self.folder / f".build-{os.getpid()}"
            with open(self.log, "w", encoding="utf-8") as log:
                try:
                    _build_into(temporary, log)
                    (temporary / READY).write_text(
                        json.dumps({"source": str(SOURCE), "python": sys.executable}) + "\n",
                        encoding="utf-8",
                    )
                    if self.path.exists():  # without READY: not complete, not to be trusted
                        shutil.rmtree(self.path)
                    os.replace(temporary, self.path)
                except Exception as error:  # recorded: the next edits do not retry at once
                    shutil.rmtree(temporary, ignore_errors=True)
                    print(f"failed: {error}", file=log)
                    message = str(error) if isinstance(error, NotChecked) else repr(error)
                    self.failed.write_text(
                        f"its environment could not be built: {message}\n", encoding="utf-8"
                    )
                    return
            self.failed.unlink(missing_ok=True)
            self._prune()

    def _failed_since(self, moment: float) -> bool:
        try:
            return self.failed.stat().st_mtime >= moment - 1  # file times may be coarse
        except OSError:
            return False

    def _prune(self) -> None:
        """Remove this Python's environments of other sources (older plugin versions)."""
        python = self.name.split("-", 1)[0]
        for other in self.folder.glob(f"{python}-*"):
            if other.is_dir() and other.name != self.name:
                shutil.rmtree(other, ignore_errors=True)
            elif other.suffix in (".log", ".failed") and not other.name.startswith(self.name):
                other.unlink(missing_ok=True)


@contextlib.contextmanager
def _locked(path: Path):
    try:
        import fcntl
    except ImportError:  # Windows: no lock; the rename into place still keeps it whole
        yield
        return
    with open(path, "a+b") as stream:
        fcntl.flock(stream, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(stream, fcntl.LOCK_UN)


def _run_logged(command: list[str], log: IO[str]) -> None:
    print("$ " + " ".join(command), file=log, flush=True)
    done = subprocess.run(
        command, stdin=subprocess.DEVNULL, stdout=log, stderr=log, timeout=BUILD_TIMEOUT
    )
    if done.returncode != 0:
        raise NotChecked(f"`{' '.join(command[:4])} ...` exited with {done.returncode}")


def _host_pip_installs_elsewhere() -> bool:
    """Whether this Python's pip can install into another environment (`--python`, pip
    22.3+): the environment is then made without pip, which takes a second, not ten."""
    try:
        from importlib.metadata import version

        major, minor = (int(part) for part in version("pip").split(".")[:2])
    except Exception:  # no pip, or a version string of another shape
        return False
    return (major, minor) >= (22, 3)


def _build_into(target: Path, log: IO[str]) -> None:
    """A virtual environment at `target` with stk-lint installed from SOURCE."""
    staging = target / "source"  # a copy: the plugin's own folder stays untouched
    python = str(target / BIN / f"python{EXE}")
    # The `server` extra: the plugin's language server runs from this environment too.
    install = ["install", "--no-input", "--disable-pip-version-check", f"{staging}[server]"]
    if _host_pip_installs_elsewhere():
        _run_logged([sys.executable, "-m", "venv", "--without-pip", str(target)], log)
        pip = [sys.executable, "-m", "pip", "--python", python]
    else:
        _run_logged([sys.executable, "-m", "venv", str(target)], log)
        pip = [python, "-m", "pip"]
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(SOURCE / "stk_lint", staging / "stk_lint", ignore=ignore)
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(SOURCE / name, staging / name)
    _run_logged([*pip, *install], log)
    shutil.rmtree(staging)
    _run_logged(
        [python, "-I", "-c", "import libcst, stk_lint.pipeline, stk_lint.hook, stk_lint.server"],
        log,
    )


def build_main() -> None:
    """The detached builder: argv is [source, data folder, environment name]."""
    Environment(Path(sys.argv[2]), sys.argv[3]).build()


def pinned_checker(roots: list[Path]) -> list[str] | None:
    """The project's own stk-lint: in a root's `.venv`, else on PATH."""
    for root in dict.fromkeys(roots):
        candidate = root / ".venv" / BIN / f"stk-lint{EXE}"
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return [str(candidate)]
    found = shutil.which("stk-lint")
    return [found] if found else None


def run_checker(command: list[str], payload: str, stderr: IO[str]) -> int:
    """`stk-lint hook claude` on the payload: its exit 2 with findings passes through;
    any other failure becomes exit 0 and one line."""
    try:
        done = subprocess.run(
            [*command, "hook", "claude"],
            input=payload.encode("utf-8"),
            capture_output=True,
            timeout=CHECK_TIMEOUT,
        )
    except subprocess.TimeoutExpired:
        raise NotChecked(f"{command[0]} took more than {CHECK_TIMEOUT:.0f} s") from None
    except OSError as error:
        raise NotChecked(f"cannot run {command[0]}: {error}") from error
    text = done.stderr.decode("utf-8", "replace")
    if done.returncode == EXIT_FEEDBACK and FINDINGS.match(text):
        stderr.write(text)
        return EXIT_FEEDBACK
    if done.returncode == EXIT_OK:
        stderr.write(text)  # the hook's own note on input it could not use, if any
        return EXIT_OK
    last = text.strip().splitlines()[-1:] or ["no message"]
    raise NotChecked(f"{command[0]} exited with {done.returncode}: {last[0][:200]}")


def post_tool_use(payload_text: str, environ: dict[str, str], stderr: IO[str]) -> int:
    from stk_lint.hook import CHECKED_SUFFIXES, edited_file
    from stk_lint.scope import project_scope

    try:
        payload: Any = json.loads(payload_text or "null")
    except (ValueError, RecursionError):  # RecursionError: nesting too deep for json
        path, note = None, "not JSON"
    else:
        path, note = edited_file(payload)
    if path is None:
        if note:
            print(f"{PREFIX} ignoring input it cannot read ({note})", file=stderr)
        return EXIT_OK
    if path.suffix.lower() not in CHECKED_SUFFIXES or not path.is_file():
        return EXIT_OK
    scope = project_scope(path)
    if not scope.stk:
        return EXIT_OK
    roots = [scope.root]
    if environ.get("CLAUDE_PROJECT_DIR"):
        roots.append(Path(environ["CLAUDE_PROJECT_DIR"]))
    command = pinned_checker(roots)
    if command is None:
        python = Environment(data_folder(environ)).wait(WAIT_FOR_BUILD)
        command = [str(python), "-I", "-m", "stk_lint"]
    return run_checker(command, payload_text, stderr)


def session_start(environ: dict[str, str]) -> int:
    from stk_lint.scope import project_scope

    project = Path(environ.get("CLAUDE_PROJECT_DIR") or os.getcwd())
    scope = project_scope(project)
    if not scope.stk or pinned_checker([scope.root, project]) is not None:
        return EXIT_OK
    environment = Environment(data_folder(environ))
    if not environment.ready() and environment.recent_failure() is None:
        environment.start_build()
    return EXIT_OK


def has_server(command: list[str]) -> bool:
    """Whether this stk-lint has `stk-lint server` (a version with it, and pygls)."""
    try:
        done = subprocess.run(
            [*command, "server", "--probe"],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=CHECK_TIMEOUT,
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0


def server_command(environ: dict[str, str]) -> list[str]:
    """`stk-lint server` of the checker the hook would use, for the session's project."""
    from stk_lint.scope import project_root

    project = Path(environ.get("CLAUDE_PROJECT_DIR") or os.getcwd())
    command = pinned_checker([project_root(project), project])
    if command is None or not has_server(command):
        python = Environment(data_folder(environ)).wait(BUILD_TIMEOUT)
        command = [str(python), "-I", "-m", "stk_lint"]
    return [*command, "server"]


def run(argv: list[str], stdin: IO[str], stderr: IO[str], environ: dict[str, str]) -> int:
    """The whole hook; returns the exit code. Never raises."""
    if argv == ["server"]:  # stdin is the language server's: not read here
        try:
            command = server_command(environ)
            stderr.flush()
            os.execv(command[0], command)
        except NotChecked as reason:
            print(f"{PREFIX} no language server: {reason}", file=stderr)
        except Exception as error:
            print(f"{PREFIX} no language server: {type(error).__name__}: {error}", file=stderr)
        return 1
    try:
        payload = stdin.read()
        if argv == ["post-tool-use"]:
            return post_tool_use(payload, environ, stderr)
        if argv == ["session-start"]:
            return session_start(environ)
        raise NotChecked(f"unknown hook {' '.join(argv)!r}")
    except NotChecked as reason:
        print(f"{PREFIX} not checked: {reason}", file=stderr)
    except Exception as error:  # never block an edit because the plugin failed
        print(f"{PREFIX} not checked: {type(error).__name__}: {error}", file=stderr)
    return EXIT_OK


def main() -> None:
    sys.exit(run(sys.argv[1:], sys.stdin, sys.stderr, dict(os.environ)))
