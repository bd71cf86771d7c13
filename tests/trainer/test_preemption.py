"""SIGTERM or SIGUSR1 during training: a checkpoint at the current step, a clean exit, and an exact resume."""

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch
from omegaconf import OmegaConf

SCRIPT = Path(__file__).with_name("preempt_script.py")


def start(config, step_file, delay, resume=False):
    return subprocess.Popen([sys.executable, str(SCRIPT), str(config), str(step_file), str(delay),
                             "resume" if resume else "fresh"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def weights(path):
    return torch.load(path, map_location="cpu", weights_only=False)["state_dict"]


@pytest.mark.slow
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGUSR1], ids=["SIGTERM", "SIGUSR1"])
def test_signal_saves_the_current_step_and_the_resumed_run_is_exact(make_cfg, tmp_path, signum):
    cfg = make_cfg(num_train_epochs=2, eval_strategy="no", save_steps=100, lr_scheduler_type="linear")
    straight_cfg = cfg.copy()
    straight_cfg.train.save_dir = str(tmp_path / "straight")
    cfg.train.save_dir = str(tmp_path / "stopped")
    OmegaConf.save(straight_cfg, tmp_path / "straight.yaml")
    OmegaConf.save(cfg, tmp_path / "stopped.yaml")
    assert start(tmp_path / "straight.yaml", tmp_path / "s0", 0).wait(timeout=300) == 0

    step_file = tmp_path / "step"
    run = start(tmp_path / "stopped.yaml", step_file, 0.3)
    deadline = time.time() + 200
    while not (step_file.is_file() and step_file.read_text() and int(step_file.read_text()) >= 4):
        assert run.poll() is None and time.time() < deadline, run.communicate()[1][-3000:]
        time.sleep(0.05)
    run.send_signal(signum)
    out, err = run.communicate(timeout=120)
    assert run.returncode == 0, err[-3000:]
    assert "finished at step" not in out  # it stopped, it did not run to the end
    last = tmp_path / "stopped" / "checkpoints" / "last.ckpt"
    stopped_at = torch.load(last, map_location="cpu", weights_only=False)["global_step"]
    assert 4 <= stopped_at < 20

    resumed = start(tmp_path / "stopped.yaml", tmp_path / "s2", 0, resume=True)
    out, err = resumed.communicate(timeout=300)
    assert resumed.returncode == 0, err[-3000:]
    assert "finished at step 20" in out
    ours, theirs = weights(last), weights(tmp_path / "straight" / "checkpoints" / "last.ckpt")
    for name, value in theirs.items():
        assert torch.allclose(ours[name], value, atol=1e-6), name
