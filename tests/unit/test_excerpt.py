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


def test_the_first_paragraph_is_one_excerpt_across_its_lines():
    """Bank bodies wrap lines: bold or code opened on the first line closes on the next."""
    text = "You roll a fair die 4 times. What is the chance of **at least\none six**?\n\nMore."
    assert excerpt(text) == ("You roll a fair die 4 times. "
                             "What is the chance of **at least one six**?")
    assert "<strong>at least one six</strong>" in render_inline(excerpt(text))


def test_fenced_code_is_skipped_for_the_text_after_it():
    text = "```python\nx = np.zeros((3, 4))\n```\n\nWhat is `x.shape` after the call?"
    assert excerpt(text) == "What is `x.shape` after the call?"
    assert excerpt("```sql\nSELECT 1;\n```") == "(a question shown as code)"


def test_cutting_one_open_marker_that_opens_another_is_cut_again():
    text = "A table is 4-anonymous on ZIP code, age and sex (e.g. ZIP `130**`, age 30-39, " \
           "female). In that class all four records share one diagnosis, which says what?"
    cut = excerpt(text, limit=60)
    assert cut.count("`") % 2 == 0 and cut.count("**") % 2 == 0
    display = "The policy $\\pi$ is trained to maximise " + "$$r(x, y) - \\beta \\log " * 4 + "$$"
    assert excerpt(display, limit=70).count("$$") % 2 == 0
