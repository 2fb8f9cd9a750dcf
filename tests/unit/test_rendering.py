from html.parser import HTMLParser

import pytest

from quizapp.rendering import render_inline
from quizapp.rendering import render_markdown


def test_math_is_kept_as_text_for_katex():
    html = render_markdown("Let $x^2 < y$ and\n\n$$\\sum_i a_i$$")
    assert '<span class="math inline">x^2 &lt; y</span>' in html
    assert '<div class="math block">' in html


def test_double_dollar_inside_a_paragraph_stays_valid_html():
    html = render_markdown("Then $$a+b$$ holds.")
    assert '<span class="math display">a+b</span>' in html
    assert "<div" not in html


def test_currency_is_not_math():
    assert "math" not in render_markdown("It costs $5 and $10.")


def test_code_is_highlighted_by_pygments():
    html = render_markdown("```python\ndef f():\n    return 1\n```")
    assert '<span class="k">def</span>' in html


@pytest.mark.parametrize(
    "attack",
    [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "[click](javascript:alert(1))",
        "<a href='javascript:alert(1)'>x</a>",
        "![x](javascript:alert(1))",
        "<iframe src='https://evil.example'></iframe>",
        "<div style='position:fixed'>x</div>",
        "[x](data:text/html;base64,PHNjcmlwdD4=)",
    ],
)
def test_sanitises_dangerous_markup(attack):
    elements = parse(render_markdown(attack))
    for tag, attrs in elements:
        assert tag not in {"script", "iframe", "object", "embed", "style"}
        for name, value in attrs:
            assert not name.startswith("on") and name != "style"
            assert not (value or "").strip().lower().startswith(("javascript:", "data:"))


class _Collector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.elements = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, attrs))


def parse(html):
    collector = _Collector()
    collector.feed(html)
    return collector.elements


def test_links_get_safe_rel():
    html = render_markdown("[docs](https://example.org)")
    assert 'href="https://example.org"' in html and "noopener" in html


def test_inline_render_strips_the_paragraph():
    assert render_inline("**bold** $x$") == (
        '<strong>bold</strong> <span class="math inline">x</span>')


def test_math_may_start_or_end_with_a_digit():
    html = render_markdown("A $3 \\times 3$ kernel and $x^2$ and $10$.")
    assert html.count('class="math inline"') == 3


def test_table_alignment_becomes_classes_not_styles():
    html = render_markdown("| a | b |\n|:--|--:|\n| 1 | 2 |")
    assert '<td class="align-right">2</td>' in html
    assert "style=" not in html


def test_learner_text_is_sanitised_but_not_cached():
    from quizapp.rendering import render_untrusted_markdown

    before = render_markdown.cache_info().currsize
    html = render_untrusted_markdown("learner text <script>x</script> once only 1234")
    assert "<script" not in html
    assert render_markdown.cache_info().currsize == before


@pytest.mark.parametrize(("code", "language"), [
    ("def f(x):\n    return x < 1 and '</code><script>alert(1)</script>'\n\n", "python"),
    ("SELECT a, \"b\" FROM t WHERE c < 2 -- <img src=x onerror=alert(1)>", "sql"),
    ("x = '''\n```\n'''  # a fence inside the code\n\ty = 'é ∑ 😀'", "python"),
    ('print("&amp; <b>")', "no-such-language"),
    ("", "python"),
])
def test_learner_code_renders_as_markdown_would_without_its_passes(code, language):
    from quizapp.grading.code import fenced
    from quizapp.rendering import render_code
    from quizapp.rendering import render_untrusted_markdown

    html = render_code(code, language)
    assert html == render_untrusted_markdown(fenced(code, language))
    assert "<script" not in html and "<img" not in html
