import json

import pytest

from calt.io.visualization import display_with_diff, load_eval_results
from calt.io.visualization.comparison_vis import parse_terms, term_diff


def test_load_eval_results_returns_generated_and_reference(tmp_path):
    path = tmp_path / "eval_results.json"
    path.write_text(json.dumps([{"generated": "C1 E1", "reference": "C2 E1"}, {"generated": "a", "reference": "a"}]))
    assert load_eval_results(str(path)) == (["C1 E1", "a"], ["C2 E1", "a"])
    path.write_text(json.dumps([{"generated": "x"}]))
    with pytest.raises(ValueError, match="generated"):
        load_eval_results(str(path))


def test_wrong_terms_of_the_prediction_are_marked(capsys):
    gold, pred = "C3 E2 E0 + C-1 E0 E1", "C3 E2 E0 + C2 E0 E1 + C5 E1 E1"
    assert term_diff(parse_terms(gold), parse_terms(pred)) == {(0, 1): "coefficient", (1, 1): "extra"}
    tex = display_with_diff(gold, pred)
    assert tex.count(r"\cancel") == 2 and "3 x_{0}^{2}" in tex
    assert capsys.readouterr().out.strip() == tex
