"""Bad input to ``calt``: one line that says what to fix, exit status non-zero, traceback only with --verbose."""

import pytest

from calt.cli import main


def _single_error_line(capsys) -> str:
    err = capsys.readouterr().err.strip()
    assert "Traceback" not in err and len(err.splitlines()) == 1, err
    return err


def test_missing_config_file(tmp_path, capsys):
    assert main(["train", str(tmp_path / "missing.yaml")]) != 0
    assert f"config file not found: {tmp_path / 'missing.yaml'}" in _single_error_line(capsys)


def test_unknown_override_key_names_the_closest_valid_key(repo_root, capsys):
    assert main(["train", str(repo_root / "configs" / "train.yaml"), "train.learnig_rate=1e-3"]) != 0
    assert "unknown key 'train.learnig_rate'" in (line := _single_error_line(capsys))
    assert "did you mean 'train.learning_rate'?" in line


def test_documented_optional_key_is_a_valid_override(repo_root):
    from calt.cli.config_files import load_train_file as load_config

    config = load_config(repo_root / "configs" / "train.yaml", ["train.eval_strategy=epoch", "model.dropout=0.0"])
    assert config.train.eval_strategy == "epoch" and config.model.dropout == 0.0


def test_malformed_override(repo_root, capsys):
    assert main(["generate", str(repo_root / "configs" / "data.yaml"), "dataset.root_seed"]) != 0
    assert "is not of the form key=value" in _single_error_line(capsys)


@pytest.mark.parametrize("generator", ["calt.dataset.tasks.no_such_task", "no_such_package.tasks"])
def test_generator_path_that_does_not_resolve(repo_root, tmp_path, capsys, generator):
    args = ["generate", str(repo_root / "configs" / "data.yaml"), f"dataset.generator={generator}",
            f"dataset.save_dir={tmp_path / 'data'}"]
    assert main(args) != 0
    line = _single_error_line(capsys)
    assert "generator" in line and generator in line
    assert not (tmp_path / "data").exists()


def test_missing_data_file_says_to_generate_first(repo_root, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(repo_root)
    args = ["train", "configs/train.yaml", f"data.train_dataset_path={tmp_path / 'none.txt'}"]
    assert main(args) != 0
    assert "does not exist (run `calt generate`" in _single_error_line(capsys)


def test_verbose_shows_the_traceback(tmp_path):
    from calt.config import ConfigError as CLIError

    with pytest.raises(CLIError, match="config file not found"):
        main(["--verbose", "generate", str(tmp_path / "missing.yaml")])


def test_console_script_exit_status_and_message(run_calt, tmp_path):
    result = run_calt("generate", tmp_path / "missing.yaml")
    assert result.returncode != 0
    assert result.stderr.strip().startswith("calt: error: config file not found")
    assert "Traceback" not in result.stderr
