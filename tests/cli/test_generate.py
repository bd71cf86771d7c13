"""``calt generate``: the default task's data.yaml writes train and test files."""

from calt.cli import main


def test_generate_default_task_with_overrides(repo_root, tmp_path, capsys):
    save_dir = tmp_path / "data"
    args = ["generate", str(repo_root / "configs" / "data.yaml"), f"dataset.save_dir={save_dir}",
            "dataset.num_train_samples=50", "dataset.num_test_samples=7"]
    assert main(args) == 0
    train_lines = (save_dir / "train_raw.txt").read_text().splitlines()
    test_lines = (save_dir / "test_raw.txt").read_text().splitlines()
    assert len(train_lines) == 50 and len(test_lines) == 7
    problem, answer = train_lines[0].split(" # ")
    assert problem.startswith("C") and answer.startswith("C")
    assert f"-> {save_dir}" in capsys.readouterr().out
