"""Question excerpts on topic pages (rendering.excerpt): cut without leaving Markdown open."""

from __future__ import annotations

from quizapp.rendering import excerpt
from quizapp.rendering import render_inline


def test_a_short_first_line_is_kept_whole():
    assert excerpt("What is **bias**?\n\nMore text.") == "What is **bias**?"


def test_a_cut_inside_bold_drops_the_open_marker():
    text = "What is the probability of getting **at least two heads in a row when a fair coin " \
           "is tossed ten times in a row by a patient statistician**?"
    cut = excerpt(text)
    assert cut.endswith("…") and "**" not in cut and len(cut) <= 120
    assert "**" not in render_inline(cut) and "<strong>" not in render_inline(cut)


def test_a_cut_inside_code_or_math_drops_the_open_span():
    span = "`np.lib.stride_tricks.sliding_window_view(s, n_lags)`"
    code = "Which call " + "word " * 15 + span + " is " + "x " * 20
    assert "`" not in excerpt(code)
    formula = "$\\sum_{i=1}^{n} x_i^2 + y_i^2 + z_i^2 + w_i^2$"
    math = "Compute " + "word " * 20 + formula + " for " + "y " * 20
    assert excerpt(math).count("$") % 2 == 0


def test_empty_text():
    assert excerpt("") == "" and excerpt("   \n ") == ""
