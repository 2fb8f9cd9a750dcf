"""The Jinja environment quizapp renders with: Flask's, minus four costs paid on every page.

Templates were about a fifth of the answer loop's CPU (callgrind, ``benchmarks/
instructions.py --exclude flask.templating:_render``), and a sampling profile of the
question and feedback pages put a third of that outside the templates' own code:

- **Output escaping.** Every ``{{ value }}`` under autoescape calls ``markupsafe.escape``,
  which wraps its result in a new ``Markup`` (a Python-level ``__new__``) only for the
  result to be joined into the page's string. Compiled templates here call
  ``output_escape`` instead: the same escaping (markupsafe's own C function; an object
  with ``__html__`` gives that), returned as the plain string it is joined as. Jinja emits
  ``escape(...)`` only around output expressions, whose results are yielded or buffered
  and then joined (a ``{% set %}`` block, a macro or ``caller()`` wraps the joined text in
  ``Markup`` itself), so nothing downstream sees the difference.
- **Template globals.** Jinja keeps each template's globals as a ``ChainMap`` over the
  environment's, and copies them into every render's context (and every include's) through
  ``ChainMap``'s Python-level iteration and look-ups. Here they are a plain dict taken when
  the template loads. Flask refuses new template globals once the app has handled a
  request, and quizapp adds its own in ``create_app``, before any template loads.
- **Dictionary look-ups.** ``{{ progress.total }}`` on a dict tries the attribute first,
  as Jinja must (``d.items`` is the method), and the failed attribute raised and formatted
  an ``AttributeError`` before the item was read: fifteen times on a question page. For an
  exact ``dict``, whose instances have no attributes of their own, the name is looked up
  among the type's attributes instead, and the item read at once when it is not one.
  Likewise an undefined value (Jinja's default ``Undefined``) is output as the empty string
  it prints as, without the failed ``__html__`` look-up.
- **The template cache.** Jinja's ``LRUCache`` takes a lock and moves the key in a deque
  on every ``{% extends %}`` and ``{% include %}``; the app's templates are a fixed set,
  so the cache is a plain dict (``cache_size=-1``, Jinja's own option).
"""

from __future__ import annotations

from collections.abc import MutableMapping
from typing import Any

import markupsafe
from flask.templating import Environment
from jinja2 import Template
from jinja2 import Undefined

# markupsafe's C escaping of a str to a str (the function its ``escape`` wraps in Markup).
_escape_inner = getattr(markupsafe, "_escape_inner", None) or (
    lambda text: str(markupsafe.escape(text)))
JINJA_OPTIONS = {"cache_size": -1}  # a dict cache: the templates are a fixed set
_DICT_ATTRIBUTES = frozenset(dir(dict))  # all a dict instance has: it has no __dict__
_PLAIN_NUMBERS = frozenset({int, float, bool})  # exact types: a subclass may print otherwise


def output_escape(value: Any, /) -> str:
    """``str(markupsafe.escape(value))`` without the ``Markup`` object in between."""
    if type(value) is str:  # by far the most common case (not __class__: a proxy lies)
        return _escape_inner(value)
    if type(value) in _PLAIN_NUMBERS:  # digits, sign, point, e, inf, nan: nothing to escape
        return str(value)
    if type(value) is Undefined:  # prints as "" (its subclasses may not)
        return ""
    if hasattr(value, "__html__"):
        return str(value.__html__())
    return _escape_inner(str(value))


class QuizTemplate(Template):
    """A template whose compiled code escapes its output with ``output_escape``."""

    @classmethod
    def _from_namespace(cls, environment: Any, namespace: MutableMapping[str, Any],
                        globals: MutableMapping[str, Any]) -> Template:
        if namespace.get("escape") is markupsafe.escape:
            namespace["escape"] = output_escape  # the module's functions look it up here
        return super()._from_namespace(environment, namespace, globals)


class QuizEnvironment(Environment):
    """Flask's environment with ``QuizTemplate``, flat template globals and direct dict
    look-ups."""

    template_class = QuizTemplate

    def make_globals(self, d: MutableMapping[str, Any] | None) -> MutableMapping[str, Any]:
        """The environment's globals overlaid with the template's own, copied into one
        dict when the template loads (Jinja's ``ChainMap`` read through on every render)."""
        return {**self.globals, **(d or {})}

    def getattr(self, obj: Any, attribute: str) -> Any:
        """Jinja's ``obj.attribute``: the attribute, else the item, else undefined; for an
        exact dict without such an attribute, the item straight away."""
        if type(obj) is dict and attribute not in _DICT_ATTRIBUTES:
            try:
                return obj[attribute]
            except (TypeError, LookupError):
                return self.undefined(obj=obj, name=attribute)
        # Jinja's own ``getattr``, written out: a page makes about fifty of these look-ups,
        # and the ``super()`` call around it was a fifth of each.
        try:
            return getattr(obj, attribute)
        except AttributeError:
            pass
        try:
            return obj[attribute]
        except (TypeError, LookupError, AttributeError):
            return self.undefined(obj=obj, name=attribute)
