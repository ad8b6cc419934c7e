"""`stk-lint skill install` and `skill validate` from the command line."""

from pathlib import Path

import pytest
from click.testing import CliRunner

from stk_lint.cli import main
from stk_lint.skill import InstallError, install, packaged_skill, skill_files

SOURCE = packaged_skill()


def _tree(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def test_install_into_a_project(tmp_path):
    result = CliRunner().invoke(main, ["skill", "install", "--project", str(tmp_path)])
    assert result.exit_code == 0, result.output
    target = tmp_path / ".claude" / "skills" / "stk-dev"
    assert "installed the stk-dev skill" in result.output
    assert _tree(target) == {r.as_posix(): (SOURCE / r).read_bytes() for r in skill_files(SOURCE)}
    assert {"SKILL.md", "references/patterns.md", "references/rules.md"} <= set(_tree(target))
    # Nothing else appeared in the project.
    assert sorted(p.name for p in tmp_path.iterdir()) == [".claude"]


def test_install_for_the_user(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    result = CliRunner().invoke(main, ["skill", "install", "--user"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / ".claude" / "skills" / "stk-dev" / "SKILL.md").is_file()


def test_install_twice_is_a_no_op(tmp_path):
    target = tmp_path / "stk-dev"
    install(SOURCE, target)
    assert install(SOURCE, target) == f"{target}: already up to date"


def test_install_refuses_to_replace_a_different_skill_without_force(tmp_path):
    target = tmp_path / "stk-dev"
    target.mkdir()
    (target / "SKILL.md").write_text("---\nname: my-notes\ndescription: mine\n---\nmine\n")
    with pytest.raises(InstallError, match=r"a different skill \(my-notes\).*--force"):
        install(SOURCE, target)
    assert (target / "SKILL.md").read_text().endswith("mine\n")
    install(SOURCE, target, force=True)
    assert (target / "SKILL.md").read_bytes() == (SOURCE / "SKILL.md").read_bytes()


def test_install_refuses_an_edited_copy_without_force(tmp_path):
    target = tmp_path / "stk-dev"
    install(SOURCE, target)
    (target / "references" / "patterns.md").write_text("edited\n")
    with pytest.raises(
        InstallError, match=r"another version of the skill.*references/patterns\.md"
    ):
        install(SOURCE, target)


def test_install_never_writes_through_a_link_out_of_the_target(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    target = tmp_path / "stk-dev"
    target.mkdir()
    (target / "references").symlink_to(outside, target_is_directory=True)
    with pytest.raises(InstallError, match="leads outside"):
        install(SOURCE, target, force=True)
    assert list(outside.iterdir()) == []
    assert not (target / "SKILL.md").exists()  # checked before anything was written


def test_install_refuses_a_target_that_is_a_link(tmp_path):
    real = tmp_path / "real"
    real.mkdir()
    link = tmp_path / "stk-dev"
    link.symlink_to(real, target_is_directory=True)
    with pytest.raises(InstallError, match="symbolic link"):
        install(SOURCE, link, force=True)
    assert list(real.iterdir()) == []


def test_install_cli_reports_refusal_as_an_error(tmp_path):
    target = tmp_path / ".claude" / "skills" / "stk-dev"
    target.mkdir(parents=True)
    (target / "SKILL.md").write_text("---\nname: other\ndescription: x\n---\n")
    result = CliRunner().invoke(main, ["skill", "install", "--project", str(tmp_path)])
    assert result.exit_code == 2
    assert "--force" in result.output
    result = CliRunner().invoke(main, ["skill", "install", "--project", str(tmp_path), "--force"])
    assert result.exit_code == 0


def test_install_options_are_exclusive(tmp_path):
    result = CliRunner().invoke(main, ["skill", "install", "--user", "--project", str(tmp_path)])
    assert result.exit_code == 2
    assert "choose one" in result.output


def test_validate_the_shipped_skill():
    result = CliRunner().invoke(main, ["skill", "validate"])
    assert result.exit_code == 0, result.output
    assert result.output.rstrip().endswith(": valid")


def test_validate_an_installed_copy_checks_the_folder_name(tmp_path):
    install(SOURCE, tmp_path / "stk-dev")
    assert CliRunner().invoke(main, ["skill", "validate", str(tmp_path / "stk-dev")]).exit_code == 0
    install(SOURCE, tmp_path / "wrong-name")
    result = CliRunner().invoke(main, ["skill", "validate", str(tmp_path / "wrong-name")])
    assert result.exit_code == 1
    assert "does not match the folder name 'wrong-name'" in result.output


def test_catalogue_check_passes_on_a_fresh_catalogue():
    result = CliRunner().invoke(main, ["skill", "catalogue", "--check"])
    assert result.exit_code == 0, result.output
