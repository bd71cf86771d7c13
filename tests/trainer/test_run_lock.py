"""One writer per save_dir: a second live run stops at once naming the first; a dead run's lock is taken over."""

import subprocess
import sys
import textwrap

import pytest

from calt.lightning.run_lock import SaveDirInUseError, hold_save_dir, release_save_dir

HOLD = textwrap.dedent("""
    import sys, time
    from calt.lightning.run_lock import hold_save_dir
    hold_save_dir(sys.argv[1])
    print("holding", flush=True)
    time.sleep(float(sys.argv[2]))
""")


def holder(save_dir, seconds):
    process = subprocess.Popen([sys.executable, "-c", HOLD, str(save_dir), str(seconds)], stdout=subprocess.PIPE,
                               text=True)
    assert process.stdout.readline().strip() == "holding"
    return process


def test_a_second_run_stops_at_once_and_names_the_first(tmp_path):
    first = holder(tmp_path, 60)
    try:
        with pytest.raises(SaveDirInUseError, match=rf"in use by another run \(pid {first.pid} on .*command: -c"):
            hold_save_dir(tmp_path)
    finally:
        first.kill()
        first.wait()


def test_the_lock_of_a_killed_run_is_taken_over(tmp_path, caplog):
    first = holder(tmp_path, 60)
    first.kill()  # SIGKILL: no clean-up ran, the note is still in the file
    first.wait()
    assert f"pid {first.pid}" in (tmp_path / ".calt.lock").read_text()
    hold_save_dir(tmp_path)
    try:
        assert f"taking over from a run that ended without releasing it (pid {first.pid}" in caplog.text
    finally:
        release_save_dir(tmp_path)
    assert (tmp_path / ".calt.lock").read_text() == ""  # a clean release leaves nothing to take over


def test_two_calt_train_processes_into_one_save_dir(make_cfg, tmp_path):
    """The documented Trainer takes the lock: a second process on the same save_dir fails before training."""
    first = holder(tmp_path / "run", 60)
    try:
        cfg = make_cfg()
        cfg.train.save_dir = str(tmp_path / "run")
        from engine_helpers import run_documented_script

        with pytest.raises(SaveDirInUseError, match=f"pid {first.pid}"):
            run_documented_script(cfg)
        assert not (tmp_path / "run" / "checkpoints").exists()
    finally:
        first.kill()
        first.wait()
