"""The tests' helpers (``assert_equal``, ``assert_close``, ...) and the plain data they compare.

Standalone like ``runner.py`` (stdlib only; in a jail it sits beside the runner in
``/sandbox``). The test helpers compare the value a learner's code returned with the one a
test expects. Where the expected value is built-in data (numbers, strings, lists, dicts, sets,
tuples, numpy arrays and scalars), the learner's value is first converted to the same kind of
data through the built-in types' own methods: an object whose ``__eq__`` always answers True,
or a list subclass that claims to equal anything, then either becomes plain data or is refused
as not data at all, and the comparison that follows runs in C, never in the learner's code.

This closes the one-line ways to pass a test without solving it (an "always equal" object;
redefining ``assert_equal``, which the runner refreshes for every test). It cannot stop code
that digs through the runner's own process: docs/sandbox.md, "What a run can and cannot fake".
"""

from __future__ import annotations

import sys
from typing import Any

# Read through ``type``'s own descriptors and kept here, so neither a metaclass nor a learner
# who rebinds a built-in name changes what this module sees.
_type, _isinstance = type, isinstance
_flags = type.__dict__["__flags__"].__get__
_mro = type.__dict__["__mro__"].__get__
_module = type.__dict__["__module__"].__get__
_name = type.__dict__["__name__"].__get__
_HEAP_TYPE = 1 << 9  # Py_TPFLAGS_HEAPTYPE: a class made by Python code, whose methods can change
MAX_ITEMS = 1_000_000  # a value holding more is not compared element by element
_ATOMS = frozenset({bool, int, float, complex, str, bytes, type(None)})
# the built-in base of a class made in Python, and how its data is read through that base
_AS_BASE: dict[type, Any] = {
    bool: bool.__bool__, int: int.__index__, float: float.__float__,
    complex: lambda value: complex(complex.__getattribute__(value, "real"),
                                   complex.__getattribute__(value, "imag")),
    str: str.__str__, bytes: lambda value: bytes(memoryview(value)),
    list: lambda value: list(list.__iter__(value)),
    tuple: lambda value: tuple(tuple.__iter__(value)),
    set: lambda value: set(set.__iter__(value)),
    frozenset: lambda value: frozenset(frozenset.__iter__(value)),
    dict: lambda value: dict(dict.items(value)),
}
_CONTAINERS = (list, tuple, set, frozenset, dict)
# a dict's key and item views compare as sets do (``{1, 2} == d.keys()``): read them as sets
_SET_VIEWS = frozenset({type({}.keys()), type({}.items())})


class NotData(Exception):
    """The value is (or holds) an object of a class the learner's code could have made."""

    def __init__(self, kind: type) -> None:
        super().__init__(kind.__name__)
        self.kind = kind


def _builtin_base(kind: type) -> type:
    """The first class in ``kind``'s MRO defined in C (at the latest, ``object``)."""
    return next(base for base in _mro(kind) if not _flags(base) & _HEAP_TYPE)


def _is_numpy(kind: type) -> bool:
    return _module(kind) == "numpy"


def plain(value: Any, budget: list[int] | None = None) -> Any:
    """``value`` as plain built-in data (see the module's docstring); raises ``NotData``."""
    budget = [MAX_ITEMS] if budget is None else budget
    budget[0] -= 1
    if budget[0] < 0:
        raise NotData(_type(value))
    kind = _type(value)
    if _flags(kind) & _HEAP_TYPE:  # a class made in Python: read it as its C base
        return _from_python_class(value, kind, budget)
    if kind in _ATOMS or (_module(kind), _name(kind)) == ("decimal", "Decimal"):
        return value  # (the C Decimal: it compares numbers only)
    if kind in _CONTAINERS:
        if kind is dict:
            return {plain(k, budget): plain(v, budget) for k, v in dict.items(value)}
        return kind(plain(item, budget) for item in kind.__iter__(value))
    if _is_numpy(kind):
        if _name(kind) == "ndarray" and (value.dtype.kind == "O" or not _NUMPY_KEPT):
            # may hold any object; or numpy was first imported by the learner's code, and
            # the helpers have no numpy functions they can trust: compare as lists
            return plain(kind.tolist(value), budget)
        return value  # arrays of numbers and numpy scalars compare in C
    if kind in _SET_VIEWS:
        try:
            return {plain(item, budget) for item in value}
        except TypeError:  # unhashable values: compared as Python compares them
            raise NotData(kind) from None
    return _from_c_subclass(value, kind, budget)


def _from_python_class(value: Any, kind: type, budget: list[int]) -> Any:
    base = _builtin_base(kind)
    if base in _AS_BASE:
        return plain(_AS_BASE[base](value), budget)
    if _is_numpy(base) and _name(base) == "ndarray":
        return plain(base.view(value, base), budget)
    fractions = sys.modules.get("fractions")
    if fractions is not None and kind is fractions.Fraction:  # its fields, not its __eq__
        numerator = object.__getattribute__(value, "_numerator")
        denominator = object.__getattribute__(value, "_denominator")
        if _type(numerator) is int and _type(denominator) is int and denominator:
            return int.__truediv__(numerator, denominator)
        raise NotData(kind)
    if base is not object:  # e.g. a subclass of OrderedDict
        return _from_c_subclass(value, kind, budget)
    raise NotData(kind)


def _from_c_subclass(value: Any, kind: type, budget: list[int]) -> Any:
    """A value of a C subclass of a built-in type (OrderedDict, defaultdict, bytearray ...)
    read through that built-in type."""
    for base, read in _AS_BASE.items():
        if _isinstance(value, base):
            return plain(read(value), budget)
    if _isinstance(value, (bytearray, memoryview)):
        return bytes(memoryview(value))
    raise NotData(kind)


class _LazyNumpy:
    """``np`` in the learner's namespace: numpy is imported on first use, not at start-up.

    Importing numpy is most of a run's CPU (about 60 ms here); plain-Python questions never
    touch it. Attribute access, ``isinstance(x, np.ndarray)`` and the like work as on the
    module itself; ``import numpy as np`` in the learner's code replaces the stand-in.
    """

    def __getattr__(self, name: str) -> Any:
        return getattr(_numpy(), name)

    def __repr__(self) -> str:
        return repr(_numpy())


def _numpy() -> Any:
    import numpy

    return numpy


_NUMPY_KEPT: dict[str, Any] = {}  # numpy's functions as they were before the learner's code
_NUMPY_NAMES = ("asarray", "allclose", "array_equal", "shape", "ndarray")


def keep_numpy() -> None:
    """Keep numpy's functions for the helpers; called before the learner's code runs (at
    start for a numpy job, whose tests use the array helpers, and before each job when numpy
    is already imported), so code that replaces ``numpy.allclose`` cannot pass."""
    if not _NUMPY_KEPT:
        numpy = _numpy()
        _NUMPY_KEPT.update({name: getattr(numpy, name) for name in _NUMPY_NAMES})


def numpy_functions() -> dict[str, Any]:
    """The array helpers' numpy functions: those kept before the learner's code, else (a job
    not classed as a numpy one) numpy's as they are now."""
    if _NUMPY_KEPT:
        return _NUMPY_KEPT
    numpy = _numpy()
    return {name: getattr(numpy, name) for name in _NUMPY_NAMES}


def _as_data(actual: Any, expected: Any) -> tuple[Any, Any]:
    """Both values as plain data (``plain``) when the test expects plain data; else
    unchanged (the test compares objects of the learner's own classes)."""
    try:
        expected = plain(expected)
    except (NotData, RecursionError):
        return actual, expected
    try:
        return plain(actual), expected
    except (NotData, RecursionError):
        kind = _name(_type(actual))
        raise AssertionError(f"expected {show(expected)}, got a value of type {kind}") from None


def helpers() -> dict[str, Any]:
    def assert_close(actual: Any, expected: Any, rtol: float = 1e-7, atol: float = 0.0) -> None:
        np = numpy_functions()
        actual, expected = _as_data(actual, expected)
        a, e = np["asarray"](actual), np["asarray"](expected)
        if a.shape != e.shape:
            raise AssertionError(f"expected shape {e.shape}, got shape {a.shape}: {show(a)}")
        try:
            ok = np["allclose"](a.astype(float), e.astype(float), rtol=rtol, atol=atol,
                                equal_nan=True)
        except (TypeError, ValueError):
            raise AssertionError(f"expected numbers like {show(e)}, got {show(a)}") from None
        if not ok:
            raise AssertionError(f"expected {show(e)}, got {show(a)}")

    def assert_shape(array: Any, shape: Any) -> None:
        got = numpy_functions()["shape"](array)
        if tuple(got) != tuple(shape):
            raise AssertionError(f"expected shape {tuple(shape)}, got shape {tuple(got)}")

    def assert_dtype(array: Any, kind: str) -> None:
        got = numpy_functions()["asarray"](array).dtype
        if got.kind != kind and not (kind == "i" and got.kind == "u"):
            raise AssertionError(f"expected dtype kind {kind!r}, got {got}")

    def assert_equal(actual: Any, expected: Any) -> None:
        actual, expected = _as_data(actual, expected)
        # numpy kept before the learner's code; else ``plain`` read any array as lists
        np = _NUMPY_KEPT or None
        if np is not None and (isinstance(actual, np["ndarray"])
                               or isinstance(expected, np["ndarray"])):
            a, e = np["asarray"](actual), np["asarray"](expected)
            if a.shape != e.shape or not np["array_equal"](a, e):
                raise AssertionError(f"expected {show(e)}, got {show(a)}")
        elif not expected == actual:  # noqa: SIM201 - plain data: the comparison runs in C
            raise AssertionError(f"expected {show(expected)}, got {show(actual)}")

    return {"np": _LazyNumpy(), "assert_close": assert_close, "assert_shape": assert_shape,
            "assert_dtype": assert_dtype, "assert_equal": assert_equal,
            "__name__": "__main__", "__builtins__": __builtins__}


def show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 300 else text[:300] + "…"
