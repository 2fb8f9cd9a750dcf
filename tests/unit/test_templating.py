"""The app's Jinja environment renders exactly what Jinja's own would."""

from __future__ import annotations

import enum

import jinja2
import pytest
from flask import Flask
from markupsafe import Markup
from werkzeug.local import LocalProxy

from quizapp.templating import QuizEnvironment
from quizapp.templating import output_escape


class Html:
    def __html__(self) -> str:
        return "<b>already safe</b>"

    def __repr__(self) -> str:  # a stable test id on every xdist worker
        return "Html()"


class Colour(enum.StrEnum):
    RED = "<red>"


class Proxy(LocalProxy):  # reports str as its class, as werkzeug's proxies of a str do
    def __repr__(self) -> str:
        return "Proxy('a<b')"


class Counts(dict):  # a dict subclass may have attributes of its own
    total = "<the class attribute>"

    def __repr__(self) -> str:
        return "Counts()"


VALUES = ["plain", "<script>alert('x') & \"y\"</script>", Markup("<em>safe</em>"), 42, 3.5,
          -7, 1e300, float("inf"), float("nan"), 10**30, None, True, False, Html(),
          Colour.RED, ["<a>", Markup("<b>")], {"k": "<v>"}, "", "é ü 🙂",
          Proxy(lambda: "a<b"), jinja2.Undefined(name="gone"),
          {"total": 3, "items": "<shadowed>", "k": "<v>", 7: "int key"},
          Counts(total=1, k="<v>")]

TEMPLATES = [
    "{{ v }}",
    "<p title=\"{{ v }}\">{{ v }} and {{ v|e }} and {{ v|safe }}</p>",
    "{% set block %}<i>{{ v }}</i>{% endset %}{{ block }}|{{ block|length }}",
    "{% macro m(x) %}<u>{{ x }}</u>{% endmacro %}{{ m(v) }}{{ m(v)|upper }}",
    "{% macro c() %}[{{ caller() }}]{% endmacro %}{% call c() %}{{ v }}{% endcall %}",
    "{% filter upper %}{{ v }}<x>{% endfilter %}",
    "{% autoescape false %}{{ v }}{% endautoescape %}{{ v }}",
    "{{ v ~ '<tail>' }} {{ '%s'|format(v) }} {{ [v, v]|join(', ') }}",
    "{% for x in [v, v] %}{{ loop.index }}:{{ x }} {% endfor %}",
    "{{ missing }}|{{ missing is defined }}|{{ v.missing }}|{{ v if v else 'none' }}",
    "{{ v.total }}|{{ v.k }}|{{ v.items is defined }}|{{ v.keys is defined }}|{{ v['items'] }}"
    "|{{ v.missing is defined }}|{{ v.get('k') }}|{{ v.total is defined }}|{{ v.__class__ }}",
    "{% for key in v.keys() %}{{ key }},{% endfor %}|{{ v.items()|list|length }}",
]


def _outcome(environment: jinja2.Environment, template: str, value: object) -> str:
    """The rendered text, or the error the render raised."""
    try:
        return environment.from_string(template).render(v=value)
    except Exception as exc:  # the same failure on both sides is the same behaviour
        return f"{type(exc).__name__}: {exc}"


@pytest.mark.parametrize("template", TEMPLATES)
@pytest.mark.parametrize("value", VALUES, ids=repr)
def test_every_construct_renders_as_jinjas_own(template, value):
    ours = _outcome(QuizEnvironment(Flask(__name__), autoescape=True), template, value)
    assert ours == _outcome(jinja2.Environment(autoescape=True), template, value)


@pytest.mark.parametrize("value", VALUES, ids=repr)
def test_output_escape_is_markupsafes_escape_as_a_plain_string(value):
    from markupsafe import escape

    escaped = output_escape(value)
    assert type(escaped) is str and escaped == str(escape(value))


def test_the_app_renders_with_it_a_dict_cache_and_flat_globals(app):
    assert isinstance(app.jinja_env, QuizEnvironment)
    assert type(app.jinja_env.cache) is dict
    template = app.jinja_env.get_template("base.html")
    assert type(template.globals) is dict and template.globals["url_for"] is (
        app.jinja_env.globals["url_for"])
    assert app.jinja_env.get_template("base.html") is template  # cached
    module_globals = template.root_render_func.__globals__
    assert module_globals["escape"] is output_escape


def test_a_templates_own_globals_overlay_the_environments_without_changing_them(app):
    template = app.jinja_env.from_string("{{ csrf_token is defined }} {{ extra }}",
                                         globals={"extra": "<own>"})
    assert template.render() == "True &lt;own&gt;"
    assert "extra" not in app.jinja_env.globals


def test_dict_items_and_undefined_values_render_without_raising_anything():
    """``{{ d.key }}`` on a dict holding the key and an undefined value's output raise no
    exception on the way (a failed attribute look-up formats an ``AttributeError``: 15 per
    question page)."""
    import sys

    environment = QuizEnvironment(Flask(__name__), autoescape=True)
    template = environment.from_string("{{ d.total }}|{{ nothing }}|{{ d.k }}")
    raised: list[str] = []

    def trace(frame, event, arg):
        if event == "exception":
            raised.append(f"{frame.f_code.co_name}: {arg[0].__name__}")
        return trace

    def profile(frame, event, arg):
        if event == "c_exception":
            raised.append(f"C {arg!r}")

    sys.settrace(trace)
    sys.setprofile(profile)
    try:
        text = template.render(d={"total": 3, "k": "<v>"})
    finally:
        sys.settrace(None)
        sys.setprofile(None)
    assert text == "3||&lt;v&gt;"
    assert raised == []
