"""Sage is installed here (CI installs calt[sage]); without it every Sage feature fails with one install line."""

import importlib

import pytest

import calt.optional as optional
from calt.dataset import DatasetPipeline
from calt.dataset.backends import SageNotInstalledError, get_generator_class, require_sage
from calt.io.preprocessor.load_preprocessors.text_to_sage import TextToSageLoadPreprocessor
from calt.io.validation import FormatChecker

INSTALL = "pip install 'calt[sage]' (or bash scripts/setup.sh --sage)"


def test_sage_imports_here_with_what_calt_needs():
    sage = require_sage("the tests")
    ring = sage.PolynomialRing(sage.GF(7), "x, y", order="degrevlex")
    x, y = ring.gens()
    assert ring.ideal([x**2 - y, y**2 - 1]).groebner_basis() == [x**2 - y, y**2 - 1]
    assert str(sage.PolynomialRing(sage.ZZ, "t")("t^2 - 1").factor()) == "(t - 1) * (t + 1)"
    assert ring("3*x^2 + y") == 3 * x**2 + y  # the preparser (passagemath-repl) parses ring elements
    assert type(sage.MatrixSpace(sage.GF(31), 2, 2).zero()).__name__ == "Matrix_modn_dense_float"  # LinBox
    assert get_generator_class("sagemath").__module__ == "calt.dataset.sagemath.dataset_generator"


@pytest.fixture
def without_sage(monkeypatch):
    """Make every ``sage`` import in ``require_sage`` fail as it does where SageMath is not installed."""
    real = importlib.import_module

    def import_module(name, *args):
        if name.split(".")[0] == "sage":
            raise ModuleNotFoundError("No module named 'sage'", name="sage")
        return real(name, *args)

    monkeypatch.setattr(optional, "import_module", import_module)


def one_line(error) -> str:
    message = str(error.value)
    assert "\n" not in message and error.value.__cause__ is None and error.value.__suppress_context__
    return message


def test_backend_sagemath_without_sage_says_how_to_install_it(without_sage, tmp_path):
    config = dict(save_dir=str(tmp_path), num_train_samples=1, num_test_samples=1, batch_size=1, n_jobs=1,
                  root_seed=0, backend="sagemath")
    with pytest.raises(SageNotInstalledError) as error:
        DatasetPipeline.from_config(config, lambda seed: ("1", "1")).run()
    assert one_line(error) == f"backend 'sagemath' needs SageMath: {INSTALL}, or set `backend: sympy` in data.yaml"
    assert isinstance(error.value, ImportError)
    assert not list(tmp_path.iterdir())  # nothing written


def test_sage_features_without_sage_say_how_to_install_it(without_sage):
    with pytest.raises(SageNotInstalledError) as error:
        FormatChecker(variable_names="x")
    assert one_line(error) == f"FormatChecker needs SageMath: {INSTALL}"
    with pytest.raises(SageNotInstalledError) as error:
        TextToSageLoadPreprocessor()
    assert one_line(error) == (
        f"TextToSageLoadPreprocessor needs SageMath: {INSTALL}, "
        "or use TextToSympyLoadPreprocessor(delimiter, variables, domain)"
    )


def test_a_broken_sage_install_names_the_failing_import(monkeypatch):
    def import_module(name, *args):
        raise ImportError("libsingular.so: cannot open shared object file")

    monkeypatch.setattr(optional, "import_module", import_module)
    expected = r"\(importing it failed: ImportError: libsingular.so: .*\): pip install"
    with pytest.raises(SageNotInstalledError, match=expected):
        require_sage("backend 'sagemath'")
