import pytest

from stk_lint.config import ConfigError, Settings, find_config, load_settings
from stk_lint.resolve import resolve

VIEW = (
    "import flask\nfrom sqlalchemy.orm import relationship\nr = relationship('X', lazy='raise')\n"
)


def test_config_is_found_upwards_and_applied(stk_lint, project):
    root = project(
        {
            "pyproject.toml": '[tool.stk-lint]\nignore = ["STK101"]\n',
            "pkg/sub/views.py": VIEW,
        }
    )
    assert find_config(root / "pkg" / "sub") == root / "pyproject.toml"
    result = stk_lint("check", "pkg/sub", "-q", cwd=root)
    assert [line.split()[1] for line in result.stdout.splitlines()] == ["STK301"]


def test_pyproject_without_our_table_is_passed_over(project):
    root = project(
        {
            "pyproject.toml": '[tool.stk-lint]\nignore = ["STK101"]\n',
            "sub/pyproject.toml": "[project]\nname = 'x'\n",
            "sub/a.py": "",
        }
    )
    assert find_config(root / "sub" / "a.py") == root / "pyproject.toml"


def test_rule_option_allowed_lazy(stk_lint, project):
    root = project(
        {
            "pyproject.toml": '[tool.stk-lint]\nallowed-lazy = ["selectin", "raise"]\n',
            "views.py": VIEW,
        }
    )
    result = stk_lint("check", ".", "-q", cwd=root)
    assert [line.split()[1] for line in result.stdout.splitlines()] == ["STK101"]


def test_per_file_ignores_and_exclude(stk_lint, project):
    root = project(
        {
            "pyproject.toml": (
                "[tool.stk-lint]\n"
                'extend-exclude = ["migrations/"]\n'
                '[tool.stk-lint.per-file-ignores]\n"tests/*" = ["STK1"]\n'
            ),
            "tests/test_x.py": VIEW,
            "migrations/env.py": VIEW,
            "app/views.py": "import flask\n",
        }
    )
    result = stk_lint("check", ".", "-q", cwd=root)
    assert [line.split()[:2] for line in result.stdout.splitlines()] == [
        ["app/views.py:1:8:", "STK101"],
        ["tests/test_x.py:3:23:", "STK301"],
    ]


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ('selct = ["STK1"]', "unknown key `selct`"),
        ('select = ["STK777"]', "unknown rule code or prefix `STK777`"),
        ('ignore = "STK101"', "`ignore` must be a list of strings"),
        ('allowed-lazy = "selectin"', "`allowed-lazy` must be a list of strings"),
        ('allowed-lazy = ["selectin", "bogus"]', "`allowed-lazy`: unknown value `bogus`"),
        ('allowed-lazy = ["True"]', "`allowed-lazy`: unknown value `True`"),
        ('per-file-ignores = { "a.py" = ["XYZ1"] }', "unknown rule code or prefix `XYZ1`"),
        ("per-file-ignores = 3", "must be a table"),
    ],
)
def test_invalid_configuration_is_a_clear_error(stk_lint, project, table, message):
    root = project({"pyproject.toml": f"[tool.stk-lint]\n{table}\n", "a.py": "x = 1\n"})
    result = stk_lint("check", ".", cwd=root)
    assert result.exit_code == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    with pytest.raises(ConfigError) as raised:
        resolve(load_settings(root / "pyproject.toml"))  # step one, else step two
    assert message in str(raised.value)


def test_broken_toml_is_a_clear_error(stk_lint, project):
    root = project({"pyproject.toml": "[tool.stk-lint\nselect=", "a.py": ""})
    result = stk_lint("check", ".", cwd=root)
    assert result.exit_code == 2 and "cannot read" in result.stderr


def test_opt_in_rules_need_an_explicit_selector():
    settings = resolve(Settings())
    assert all(rule.default_enabled for rule in settings.rules)
    assert resolve(Settings(select=["STK"])).rules == settings.rules


@pytest.mark.parametrize("key", ["exclude", "extend-exclude"])
def test_an_invalid_exclude_pattern_is_a_configuration_error(stk_lint, project, key):
    root = project({"pyproject.toml": f'[tool.stk-lint]\n{key} = ["ok/", "build\\\\"]\n'})
    result = stk_lint("check", ".", cwd=root)
    assert result.exit_code == 2
    assert f"`{key}`" in result.stderr and "build\\" in result.stderr
    assert "internal error" not in result.stderr


def test_an_invalid_per_file_ignores_pattern_is_a_configuration_error(stk_lint, project):
    root = project({"pyproject.toml": '[tool.stk-lint.per-file-ignores]\n"!" = ["STK101"]\n'})
    result = stk_lint("check", ".", cwd=root)
    assert result.exit_code == 2
    assert "`per-file-ignores`" in result.stderr and "internal error" not in result.stderr


@pytest.mark.parametrize(
    "text", ["tool = 1\n", 'tool = "stk-lint"\n', 'tool = ["stk-lint"]\n', "[tool]\nstk-lint = 3\n"]
)
@pytest.mark.parametrize("explicit", [False, True])
def test_a_tool_entry_that_is_not_a_table_is_a_configuration_error(
    stk_lint, project, text, explicit
):
    root = project({"pyproject.toml": text, "a.py": "x = 1\n"})
    args = ["--config", "pyproject.toml"] if explicit else []
    for cache in ([], ["--no-cache"]):
        result = stk_lint("check", *args, *cache, "a.py", cwd=root)
        assert result.exit_code == 2
        assert "must be a table" in result.stderr and "internal error" not in result.stderr


def test_allowed_lazy_takes_sqlalchemy_loader_names(project):
    names = ["select", "joined", "selectin", "subquery", "raise", "raise_on_sql"]
    names += ["noload", "immediate", "write_only", "dynamic"]
    root = project({"pyproject.toml": f"[tool.stk-lint]\nallowed-lazy = {names!r}\n"})
    assert resolve(load_settings(root / "pyproject.toml")).options["allowed-lazy"] == names
