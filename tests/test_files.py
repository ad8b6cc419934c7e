import os
from pathlib import Path

from stk_lint.config import Settings, settings_from_table
from stk_lint.files import discover, language_of


def names(root, paths=None, settings=None, force_exclude=False, cwd=None):
    os.chdir(cwd or root)
    found = discover(paths or [Path(".")], settings or Settings(root=root), force_exclude)
    return [path.as_posix() for path, _ in found]


def test_languages():
    assert language_of("app/views.py") == "python"
    assert language_of("templates/things/index.html") == "template"
    assert language_of("templates/base.jinja2") == "template"
    assert language_of("static/js/navigation.js") == "js"
    assert language_of("static/vendor/vue.min.js") is None
    assert language_of("README.md") is None


def test_walk_honours_gitignore_and_default_excludes(project, monkeypatch):
    root = project(
        {
            ".gitignore": "generated/\n*.local.py\n",
            "app/views.py": "",
            "app/settings.local.py": "",
            "app/templates/index.html": "",
            "app/static/js/app.js": "",
            "app/static/js/vue.min.js": "",
            "generated/out.py": "",
            "node_modules/pkg/index.js": "",
            "env/pyvenv.cfg": "",
            "env/lib/site.py": "",
            ".venv/lib/x.py": "",
            "app/sub/.gitignore": "secret.py\n",
            "app/sub/secret.py": "",
            "app/sub/open.py": "",
        }
    )
    (root / ".git").mkdir()
    monkeypatch.chdir(root)
    assert names(root) == [
        "app/static/js/app.js",
        "app/sub/open.py",
        "app/templates/index.html",
        "app/views.py",
    ]
    # Walking a sub-folder still honours the .gitignore above it.
    assert names(root, [Path("app/sub")]) == ["app/sub/open.py"]


def test_config_exclude_and_explicit_files(project, monkeypatch):
    root = project({"migrations/env.py": "", "app/views.py": ""})
    monkeypatch.chdir(root)
    settings = settings_from_table({"extend-exclude": ["migrations/"]}, root / "pyproject.toml")
    assert names(root, settings=settings) == ["app/views.py"]
    explicit = [Path("migrations/env.py")]
    assert names(root, explicit, settings) == ["migrations/env.py"]
    assert names(root, explicit, settings, force_exclude=True) == []


def test_each_file_once_and_symlink_loops_end(project, monkeypatch):
    root = project({"app/views.py": ""})
    (root / "app" / "loop").symlink_to(root / "app", target_is_directory=True)
    monkeypatch.chdir(root)
    assert names(root, [Path("app"), Path("app/views.py"), Path(".")]) == ["app/views.py"]


def test_gitignore_above_a_relative_path_applies(project, monkeypatch):
    # The walk yields relative paths; the .gitignore files above the walked folder are
    # matched against the same files, whether the folder is named or is the current one.
    root = project(
        {
            ".gitignore": "gen_*.py\n/a/b/\n",
            "a/x.py": "",
            "a/gen_x.py": "",
            "a/b/y.py": "",
        }
    )
    (root / ".git").mkdir()
    assert names(root, [Path("a")]) == ["a/x.py"]
    assert names(root, [Path(".")], cwd=root / "a") == ["x.py"]
    assert names(root, [Path("../a")], cwd=root / "a") == ["../a/x.py"]


def test_gitignore_lines_git_tolerates_are_skipped(project, monkeypatch):
    # git ignores a line it cannot read (a trailing backslash, a lone `!` or `\`); the
    # other lines of the file still apply.
    root = project(
        {
            ".gitignore": "build\\\n!\n\\\ngen_*.py\n",
            "a/x.py": "",
            "a/gen_x.py": "",
            "sub/.gitignore": "!\nsecret.py\n",
            "sub/secret.py": "",
            "sub/open.py": "",
        }
    )
    (root / ".git").mkdir()
    assert names(root) == ["a/x.py", "sub/open.py"]
    assert names(root, [Path("a")]) == ["a/x.py"]


def test_exclusions_apply_below_a_folder_named_on_the_command_line(project, monkeypatch):
    # As in ruff: a folder given on the command line is walked even if its own path has
    # an excluded name in it (`build`, or a .gitignore above); below it, they still apply.
    root = project(
        {
            ".gitignore": "out/\n",
            "build/proj/a.py": "",
            "build/proj/build/gen.py": "",
            "build/proj/node_modules/lib.js": "",
            "build/proj/sub/b.py": "",
            "out/proj/c.py": "",
            "out/proj/out/d.py": "",
        }
    )
    (root / ".git").mkdir()
    assert names(root) == []
    assert names(root, [Path("build/proj")]) == ["build/proj/a.py", "build/proj/sub/b.py"]
    assert names(root, [Path(".")], cwd=root / "build" / "proj") == ["a.py", "sub/b.py"]
    assert names(root, [Path("out/proj")]) == ["out/proj/c.py"]
    # An anchored pattern of the configuration still applies below the folder.
    settings = settings_from_table({"extend-exclude": ["build/proj/sub/"]}, root / "x.toml")
    assert names(root, [Path("build/proj")], settings) == ["build/proj/a.py"]
    # --force-exclude applies `exclude` to the paths given, folders too.
    assert names(root, [Path("build/proj")], force_exclude=True) == []


def test_plain_name_patterns_match_as_pathspec_does():
    """The default exclusions are decided without pathspec; the answer must be its."""
    import random

    import pathspec

    from stk_lint.config import DEFAULT_EXCLUDE
    from stk_lint.patterns import Patterns

    names = ["build", "dist", ".venv", "a", "x.min.js", "y.MIN.js", "node_modules", "src"]
    names += ["b.py", "__pycache__", "foo.egg-info", "builder", "venv2", "site-packages", "."]
    pattern_sets = [
        list(DEFAULT_EXCLUDE),
        ["build/", "*.egg-info", "a?", "# a comment", ""],
        ["src", "*.py"],
        ["dist/", "x*", "a+b"],
        [],
    ]
    rng = random.Random(7)
    for patterns in pattern_sets:
        ours = Patterns(patterns)
        assert ours._names is not None, patterns  # the fast path is the one under test
        spec = pathspec.GitIgnoreSpec.from_lines(patterns)
        for _ in range(3000):
            parts = [rng.choice(names) for _ in range(rng.randint(1, 4))]
            path = "/".join(parts) + rng.choice(["", "/"])
            assert ours.matches(path) == spec.match_file(path), (patterns, path)


def test_other_patterns_go_to_pathspec():
    from stk_lint.patterns import Patterns

    for patterns in (["/build"], ["a/b"], ["!keep.py", "*.py"], ["**/gen"], ["[ab].py"]):
        assert Patterns(patterns)._names is None, patterns
    assert Patterns(["a/b"]).matches("a/b/c.py")
    assert not Patterns(["*.py", "!keep.py"]).matches("keep.py")
