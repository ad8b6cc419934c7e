"""A run over many files: discovery, the cache, the project pass and parallel checking.

The order of work keeps the cheap path cheap. Files are discovered and (with the
cache on) read and hashed; every file whose cache entry still matches is answered
from it. Only when something must really be checked is the configuration resolved
against the rule registry (stk_lint.resolve) and the pipeline imported (libcst and the
rules), so a run where nothing changed never imports them. The files left are checked
in this process or, with `jobs` > 1, in worker processes, each through the one entry
point the hook and the server use too (stk_lint.request); the result is the same
either way, sorted.
"""

from __future__ import annotations

import contextlib
import dataclasses
import gc
import hashlib
import os
import traceback
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from stk_lint.cache import Cache, digest
from stk_lint.config import Settings
from stk_lint.decoding import decode
from stk_lint.files import PYTHON, discover, read_source, size_limit
from stk_lint.findings import Finding
from stk_lint.paths import is_dir

if TYPE_CHECKING:
    from stk_lint.resolve import Resolved

# Below this much source, starting worker processes costs more than it saves.
PARALLEL_MIN_BYTES = 200_000


# Rules that read the project index (`Rule.needs_project`), named here so that a run
# answered from the cache decides without importing the registry (a test keeps it true).
# Of those, STK601-603 read the app index (stk_lint.app_scan.APP_RULES).
PROJECT_RULES = ("STK102", "STK202", "STK601", "STK602", "STK603")


@dataclass
class RunResult:
    findings: list[Finding] = field(default_factory=list)  # remaining after any fixes
    files: int = 0
    cached: int = 0  # files answered from the cache
    fixed: list[Finding] = field(default_factory=list)  # fixed (or, for a diff, fixable)
    diffs: list[bytes] = field(default_factory=list)  # in each file's own encoding
    fix_errors: list[str] = field(default_factory=list)  # "path: why it was not fixed"
    warnings: list[str] = field(default_factory=list)  # files named but not checked, and why
    # "path: error": files a bug in stk-lint kept from being checked (the run goes on).
    errors: list[str] = field(default_factory=list)


@dataclass
class _File:
    path: Path
    display: str
    language: str
    data: bytes | None = None  # read once by the runner when the cache is on
    key: str | None = None


def default_jobs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def display_path(path: Path) -> str:
    """The path as the user gave it (relative paths stay relative)."""
    return path.as_posix()


def configuration_digest(settings: Settings, skips: bool) -> str:
    """Everything in the settings that can change a checked file's findings.

    Taken as written (codes upper-cased), before the rule registry validates it: a run
    answered from the cache must not need the registry, and an entry only exists for
    a configuration that was validated when the entry was written.
    """
    return digest(
        os.path.abspath(settings.root),
        settings.select,
        settings.extend_select,
        settings.ignore,
        settings.per_file_ignores,
        settings.options,
        skips,
    )


def run(
    paths: list[Path],
    settings: Settings,
    force_exclude: bool = False,
    jobs: int = 1,
    use_cache: bool = False,
    skips: bool = True,
    fix: str | None = None,
    unsafe_fixes: bool = False,
) -> RunResult:
    """Check every file. With fix="apply" write the fixes back, with fix="diff" only
    diff them (both in this process, without the cache)."""
    result = RunResult()
    files = [
        _File(path, display_path(path), language)
        for path, language in discover(paths, settings, force_exclude, result.warnings.append)
    ]
    result.files = len(files)
    if not files:
        # As ruff does: a run that checked nothing says so (the exit code stays 0).
        result.warnings.append(
            "no file was checked: the paths given hold no Python, HTML/Jinja template or "
            "JavaScript file, or only excluded ones"
        )
    cache = Cache(settings.root, configuration_digest(settings, skips)) if use_cache else None
    limit = size_limit(settings.options)
    if cache is not None:
        for item in files:
            try:
                data = read_source(item.path, limit)
            except OSError:
                data = None
            # Unreadable or too large: the engine reports it (STK003); never cached.
            item.data = data if isinstance(data, bytes) else None
    project, dependency = _project_pass(files, settings, cache, paths)
    app_dependency = _app_pass(files, settings, cache, paths, project)
    if fix is not None:
        _fix(files, _resolve(settings), project, fix, unsafe_fixes, result)
        return result

    per_file: list[list[Finding] | None] = [None] * len(files)
    if cache is not None:
        from stk_lint.templates.icons import stylesheet_stamp

        for index, item in enumerate(files):
            if item.data is None:
                continue
            content = hashlib.sha256(item.data).hexdigest()
            item.key = digest(
                content,
                item.language,
                dependency if item.language == PYTHON else "",
                stylesheet_stamp(str(item.path)),  # STK502's names: the project's own
                app_dependency if _references_app(item) else "",
            )
            per_file[index] = cache.get_findings(_entry_name(item), item.key)
            if per_file[index] is not None:
                item.data = None  # answered: do not hold its text
                result.cached += 1

    todo = [index for index, found in enumerate(per_file) if found is None]
    if not files:
        _resolve(settings)  # a configuration error is reported even with nothing to check
    if todo:
        checked = _check([files[index] for index in todo], _resolve(settings), jobs, project, skips)
        for index, findings in zip(todo, checked, strict=True):
            item = files[index]
            if isinstance(findings, str):
                result.errors.append(f"{item.display}: {findings}")
                per_file[index] = []
                continue
            per_file[index] = findings
            if cache is not None and item.key is not None:
                cache.put_findings(_entry_name(item), item.key, findings)
    result.findings = sorted(f for findings in per_file if findings for f in findings)
    if cache is not None:
        cache.save()
        if project is not None:
            cache.save_summaries()
    return result


def _resolve(settings: Settings) -> Resolved:
    """Configuration step two (imports the registry: only once something is checked)."""
    from stk_lint.resolve import resolve

    return resolve(settings)


def _entry_name(item: _File) -> str:
    # The displayed path is in the findings; the absolute one decides per-file settings.
    return f"{item.display}\0{os.path.abspath(item.path)}"


def _project_pass(
    files: Sequence[_File], settings: Settings, cache: Cache | None, paths: list[Path]
) -> tuple[Any, str]:
    """The project index STK202 resolves calls with (stk_lint.project), and a digest of
    the facts in it that a checked file's findings may depend on.

    Each Python file's summary is a line scan of its text, cached by content; the
    digest covers every summary, and the size and age of the project modules that were
    not checked this time but may be read on demand (a run over a sub-folder), so a
    cached result is used only while what it was computed from is unchanged. Installed
    libraries are not part of it: after upgrading one, run once with `--no-cache`.
    """
    if not any(settings.selects(code) for code in PROJECT_RULES):
        return None, ""
    from stk_lint.project import Packages, ProjectIndex
    from stk_lint.summaries import summarise, valid_summary

    if cache is not None:
        cache.load_summaries()  # libraries and project modules read on demand
    project = ProjectIndex()
    packages = Packages()
    facts: list[Any] = []
    for item in files:
        if item.language != PYTHON:
            continue
        data = item.data
        if data is None:
            try:
                read = read_source(item.path, size_limit(settings.options))
            except OSError:
                continue
            if isinstance(read, int):
                continue  # too large to check
            data = read
            if cache is None:
                item.data = data  # read once: the check uses it
        try:
            module, is_package, root, resolved = packages.locate(item.path)
        except OSError:
            continue
        key = digest(hashlib.sha256(data).hexdigest(), module, is_package)
        cached = cache.get(_entry_name(item), key, "facts:project") if cache else None
        if isinstance(cached, list) and len(cached) == 1 and valid_summary(cached[0]):
            summary = cached[0]
        else:
            text, _ = decode(data, PYTHON)
            if text is None:
                continue
            try:
                summary = summarise(text, module, is_package)
            except Exception:  # a bug in stk-lint: the file's own check reports it
                continue
            if cache is not None:
                cache.put(_entry_name(item), key, [summary], "facts:project")
        project.add_summary(item.path, summary, item.display, root, resolved)
        facts.append(summary)
    if settings.config_path is not None:
        project.add_project_root(settings.root)
    if cache is None:
        return project, ""
    facts.sort(key=lambda summary: summary["module"])
    return project, digest(facts, _unchecked_modules(project, files, settings, paths))


def _app_pass(
    files: Sequence[_File],
    settings: Settings,
    cache: Cache | None,
    paths: list[Path],
    project: Any,
) -> str:
    """The app index STK601-603 answer from (stk_lint.app_index), set on the project
    index; returns a digest of what it knows (templates, endpoints) for the cache keys of
    the files that may reference it.

    When the run walked each app's whole import root, its Python files are every one the
    index reads: while their contents are the same, the index is read back whole from the
    cache, not rebuilt file by file (template folders are still listed: they are not in
    it)."""
    if project is None:
        return ""
    from stk_lint.app_index import AppIndexes
    from stk_lint.app_scan import APP_RULES, index_apps, index_digest

    enabled = [code for code in APP_RULES if settings.selects(code)]
    if not enabled:
        return ""

    entry = f"\0app-index\0{os.path.abspath(settings.root)}"
    key = ""
    if cache is not None:
        key = digest(
            [
                (item.display, item.language, hashlib.sha256(item.data).hexdigest())
                if item.language == PYTHON and item.data is not None
                else (item.display, item.language)
                for item in files
            ],
            [str(path) for path in paths],
        )
        known = AppIndexes.from_json(cache.get_sealed(entry, key, "facts:app-index"))
        walked = [path.resolve() for path in paths if path.is_dir()]
        if known is not None and all(
            any(Path(root).is_relative_to(w) for w in walked) for root in known.by_root
        ):
            project.app_index = known
            return index_digest(known)
    checked = [(item.path, item.display, item.language, item.data) for item in files]
    index_apps(project, enabled, checked, paths, settings, cache)
    if cache is None:
        return ""
    cache.put_sealed(entry, key, project.app_index.to_json(), "facts:app-index")
    return index_digest(project.app_index)


def _references_app(item: _File) -> bool:
    from stk_lint.app_scan import references_app

    return item.data is not None and references_app(item.language, item.data)


def _unchecked_modules(
    project: Any, files: Sequence[_File], settings: Settings, paths: list[Path]
) -> list[tuple[str, int, int]]:
    """(path, mtime, size) of the project's Python files outside this run, under import
    roots the run did not walk whole."""
    walked = [path.resolve() for path in paths if is_dir(path)]
    roots = [root for root in project.roots if not any(root.is_relative_to(w) for w in walked)]
    if not roots:
        return []
    checked = {item.path.resolve() for item in files}
    found = []
    for path, language in discover(roots, settings):
        if language == PYTHON and path.resolve() not in checked:
            with contextlib.suppress(OSError):
                stat = path.stat()
                found.append((str(path.resolve()), stat.st_mtime_ns, stat.st_size))
    return sorted(found)


def _fix(
    files: Sequence[_File],
    settings: Resolved,
    project: Any,
    mode: str,
    unsafe_fixes: bool,
    result: RunResult,
) -> None:
    from stk_lint.request import CheckRequest, run_request

    for item in files:
        # Fixing reads the file again: it must see the bytes it is about to replace.
        request = CheckRequest(
            item.path,
            item.display,
            settings,
            project,
            language=item.language,
            fix=mode,
            unsafe_fixes=unsafe_fixes,
            exclusions=False,
        )
        try:
            outcome = run_request(request)
        except Exception as error:  # a bug in stk-lint: this file only (never half-written)
            result.errors.append(f"{item.display}: {_describe(error)}")
            continue
        result.fixed.extend(outcome.fixed)
        if outcome.diff:
            result.diffs.append(outcome.diff)
        if outcome.error:
            result.fix_errors.append(f"{item.display}: {outcome.error}")
            # The file was left as it was (the warning says why): its fixes are not on offer.
            result.findings.extend(dataclasses.replace(f, fix=None) for f in outcome.findings)
        else:
            result.findings.extend(outcome.findings)
    result.findings.sort()


# --- checking -------------------------------------------------------------------------

# (path, displayed path, language, content or None)
_Task = tuple[str, str, str, bytes | None]

# What every file's request shares, set in each worker process by _start_worker:
# (resolved settings, project index, whether the pre-parse skips apply).
_worker_state: tuple[Resolved, Any, bool] | None = None


def _check(
    items: Sequence[_File], settings: Resolved, jobs: int, project: Any, skips: bool
) -> list[list[Finding] | str]:
    tasks: list[_Task] = [
        (str(item.path), item.display, item.language, item.data) for item in items
    ]
    with _collecting_rarely():
        if jobs > 1 and len(tasks) > 1 and _total_size(items) >= PARALLEL_MIN_BYTES:
            return _check_parallel(tasks, jobs, settings, project, skips)
        return [_check_task(task, settings, project, skips) for task in tasks]


def _tune_gc() -> None:
    """Collect cycles rarely. libcst allocates hundreds of thousands of nodes per file and
    frees them by reference counting (its trees hold no cycles), yet each allocation burst
    sets off collections that scan every object alive, the imported modules' included:
    a twentieth of a cold run. Frozen objects are never scanned again."""
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)


@contextlib.contextmanager
def _collecting_rarely() -> Iterator[None]:
    """_tune_gc for the duration of a check, then as before (stk-lint used as a library,
    or many runs in one test process, must not keep its objects frozen)."""
    thresholds = gc.get_threshold()
    _tune_gc()
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
        gc.unfreeze()


def _total_size(items: Sequence[_File]) -> int:
    total = 0
    for item in items:
        if item.data is not None:
            total += len(item.data)
        else:
            with contextlib.suppress(OSError):
                total += item.path.stat().st_size
        if total >= PARALLEL_MIN_BYTES:
            break
    return total


def _check_task(task: _Task, settings: Resolved, project: Any, skips: bool) -> list[Finding] | str:
    """The file's findings, or what went wrong when a bug in stk-lint stopped the check
    (the other files are still checked)."""
    from stk_lint.request import CheckRequest, check_request

    path, display, language, data = task
    request = CheckRequest(
        Path(path),
        display,
        settings,
        project,
        data=data,
        language=language,
        skips=skips,
        exclusions=False,
    )
    try:
        return check_request(request)
    except Exception as error:
        return _describe(error)


def _describe(error: Exception) -> str:
    """What went wrong in a file's check, for the error line naming it."""
    if os.environ.get("STK_LINT_DEBUG"):
        return traceback.format_exc()
    return f"{type(error).__name__}: {error}"


def _start_worker(settings: Resolved, project: Any, skips: bool) -> None:
    global _worker_state
    _tune_gc()  # inherited with fork; not with spawn
    _worker_state = (settings, project, skips)
    if project is not None:
        from stk_lint.summary_store import SUMMARIES

        SUMMARIES.take_added()  # the parent's, inherited by fork: it has them already


def _check_chunk(tasks: list[_Task]) -> tuple[list[list[Finding] | str], dict[str, Any]]:
    """The chunk's findings, and the module summaries the worker read on demand (the
    parent keeps them for the next run)."""
    assert _worker_state is not None
    settings, project, skips = _worker_state
    findings = [_check_task(task, settings, project, skips) for task in tasks]
    if project is None:
        return findings, {}
    from stk_lint.summary_store import SUMMARIES

    return findings, SUMMARIES.take_added()


def _check_parallel(
    tasks: list[_Task], jobs: int, settings: Resolved, project: Any, skips: bool
) -> list[list[Finding] | str]:
    """Chunks of files, biggest first, each about 1/(8 * jobs) of the bytes: big files
    go alone and early, so no worker is left with one at the end. Results are put
    back in the original order."""
    sizes = [_task_size(task) for task in tasks]
    order = sorted(range(len(tasks)), key=lambda i: -sizes[i])
    budget = max(1, sum(sizes) // (jobs * 8))
    chunks: list[list[int]] = []
    current: list[int] = []
    filled = 0
    for index in order:
        current.append(index)
        filled += sizes[index]
        if filled >= budget or len(current) >= 64:
            chunks.append(current)
            current, filled = [], 0
    if current:
        chunks.append(current)
    # Imported here: a warm run, and any run of one process, never needs them.
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    # fork shares the already imported pipeline with the workers; elsewhere they import it.
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    results: list[list[Finding] | str] = [[] for _ in tasks]
    with ProcessPoolExecutor(
        max_workers=min(jobs, len(chunks)),
        mp_context=context,
        initializer=_start_worker,
        initargs=(settings, project, skips),
    ) as pool:
        futures = [
            (chunk, pool.submit(_check_chunk, [tasks[i] for i in chunk])) for chunk in chunks
        ]
        for chunk, future in futures:
            findings, summaries = future.result()
            for index, found in zip(chunk, findings, strict=True):
                results[index] = found
            if summaries:
                from stk_lint.summary_store import SUMMARIES

                SUMMARIES.merge(summaries)
    return results


def _task_size(task: _Task) -> int:
    path, _, _, data = task
    if data is not None:
        return len(data)
    try:
        return os.stat(path).st_size
    except OSError:
        return 0
