"""Looking at results: predicted vs reference polynomials, learning curves, evaluation reports."""

from .comparison_vis import display_with_diff, load_eval_results, parse_poly

__all__ = ["display_with_diff", "load_eval_results", "parse_poly"]
