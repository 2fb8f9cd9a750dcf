"""One-line ways to pass a test without solving it fail; honest answers still pass."""

from __future__ import annotations

import pytest

from tests.sandbox.conftest import run_code
from tests.sandbox.conftest import verdicts

ALWAYS_EQUAL = ("class Anything:\n"
                "    def __eq__(self, other):\n        return True\n"
                "    def __ne__(self, other):\n        return False\n"
                "    __hash__ = object.__hash__\n")


def passes(source: str, tests: list[str]) -> list[bool]:
    return [passed for passed, _ in verdicts(run_code(source, tests))]


def test_the_refusal_says_what_came_back():
    result = run_code(ALWAYS_EQUAL + "def solve():\n    return Anything()\n",
                      ["assert_equal(solve(), 4)"])
    assert verdicts(result)[0][1] == ("AssertionError: expected 4, got a value of type Anything "
                                      "(line 1 of the test)")


ANY_SOLUTION = ["assert_equal(solve(1), [2, 3])", "assert_equal(solve(2), {'a': 1})",
                "assert_close(solve(3), [0.5, 0.25])"]
# tests without numpy's names: the job stays a plain one (``pool.kind_of``)
PLAIN_TESTS = ["assert_equal(solve(1), [1, 2, 3])", "assert_equal(solve(1), {'a': 1})",
               "assert_equal(solve(2), 'abc')"]
FORGERIES = {
    "always equal": ALWAYS_EQUAL + "def solve(x):\n    return Anything()\n",
    "always equal items": ALWAYS_EQUAL + "def solve(x):\n    return [Anything(), Anything()]\n",
    "list subclass": "class Claims(list):\n    def __eq__(self, other):\n        return True\n"
                     "def solve(x):\n    return Claims()\n",
    "dict subclass": "class Claims(dict):\n    def __eq__(self, other):\n        return True\n"
                     "def solve(x):\n    return Claims()\n",
    "helpers renamed": "assert_equal = assert_close = lambda *args, **kwargs: None\n"
                       "def solve(x):\n    return 0\n",
    "helper's code": "assert_equal.__code__ = (lambda *args, **kwargs: None).__code__\n"
                     "def solve(x):\n    return 0\n",
    "numpy patched": "import numpy\nnumpy.allclose = lambda *args, **kwargs: True\n"
                     "numpy.array_equal = lambda *args, **kwargs: True\n"
                     "def solve(x):\n    return 0\n",
}
PLAIN_FORGERIES = {
    # numpy imported by the learner's code only (a plain job), then patched
    "numpy imported and patched": "m = __import__('num' + 'py')\n"
                                  "m.asarray = lambda x, *a, **k: m.zeros(())\n"
                                  "m.array_equal = lambda *a, **k: True\n"
                                  "def solve(x):\n    return m.zeros(())\n",
    "helpers' module": "try:\n    import checks\n    checks._as_data = lambda a, e: (0, 0)\n"
                       "    checks.helpers = lambda: {}\nexcept ImportError:\n    pass\n"
                       "def solve(x):\n    return 0\n",
}


@pytest.mark.parametrize(("source", "tests"), [
    *((source, ANY_SOLUTION) for source in FORGERIES.values()),
    *((source, PLAIN_TESTS) for source in PLAIN_FORGERIES.values())],
    ids=[*FORGERIES, *PLAIN_FORGERIES])
def test_a_one_line_forgery_passes_no_test(source, tests):
    assert passes(source, tests) == [False] * len(tests)


def test_values_python_calls_equal_still_pass():
    source = ("import collections, fractions, decimal\n"
              "class LRU(collections.OrderedDict):\n    pass\n"
              "class Graph(collections.defaultdict):\n    pass\n"
              "def lru():\n    return LRU(a=1)\n"
              "def graph():\n    g = Graph(list)\n    g['a'].append(1)\n    return g\n"
              "def half():\n    return fractions.Fraction(1, 2)\n"
              "def dec():\n    return decimal.Decimal('0.5')\n"
              "def raw():\n    return bytearray(b'ab')\n"
              "def items():\n    return {'a': [1]}.items()\n")
    tests = ["assert_equal(lru(), {'a': 1})", "assert_equal(graph(), {'a': [1]})",
             "assert_equal(half(), 0.5)", "assert_close(half(), 0.5)",
             "assert_equal(dec(), 0.5)", "assert_equal(raw(), b'ab')",
             "assert_equal(items(), {'a': [1]}.items())", "assert_equal(half(), 0.25)"]
    assert passes(source, tests) == [True] * 7 + [False]


def test_subclasses_of_builtin_types_compare_by_their_data():
    source = ("import collections\n"
              "class Words(collections.Counter):\n    pass\n"
              "class Pair(tuple):\n    def __eq__(self, other):\n        return True\n"
              "def count(text):\n    return Words(text.split())\n"
              "def pair(a, b):\n    return Pair((a, b))\n"
              "def ordered(x):\n    return collections.OrderedDict(x=x)\n")
    tests = ["assert_equal(count('a b a'), {'a': 2, 'b': 1})",
             "assert_equal(count('a b a'), {'a': 1})",
             "assert_equal(pair(1, 2), (1, 2))", "assert_equal(pair(1, 2), (2, 1))",
             "assert_equal(ordered(3), {'x': 3})",
             "assert_equal({'a': 1, 'b': 2}.keys(), {'a', 'b'})",  # as plain Python compares
             "assert_equal({'a': 1}.items(), {('a', 1)})"]
    assert passes(source, tests) == [True, False, True, False, True, True, True]


def test_numpy_values_and_subclasses_compare_by_their_data():
    source = ("import numpy as np\n"
              "class Loose(np.ndarray):\n"
              "    def __eq__(self, other):\n        return np.ones(np.shape(other), bool)\n"
              "def scaled(x):\n    return (np.asarray(x, float) * 2).view(Loose)\n"
              "def total(x):\n    return np.float64(sum(x))\n")
    tests = ["assert_equal(scaled([1, 2]), np.array([2.0, 4.0]))",
             "assert_equal(scaled([1, 2]), np.array([9.0, 9.0]))",
             "assert_close(scaled([1, 2]), [2, 4])", "assert_close(scaled([1, 2]), [2, 5])",
             "assert_equal(total([1, 2]), 3)", "assert_equal(total([1, 2]), 4)"]
    assert passes(source, tests) == [True, False, True, False, True, False]


def test_objects_of_the_learners_own_classes_still_compare_with_their_eq():
    """A test that expects an object of the learner's class (say, a Vector) is about that
    class's ``__eq__``: it is used as before."""
    source = ("class Vector:\n"
              "    def __init__(self, *xs):\n        self.xs = xs\n"
              "    def __add__(self, other):\n"
              "        return Vector(*(a + b for a, b in zip(self.xs, other.xs)))\n"
              "    def __eq__(self, other):\n"
              "        return isinstance(other, Vector) and self.xs == other.xs\n")
    tests = ["assert_equal(Vector(1, 2) + Vector(1, 1), Vector(2, 3))",
             "assert_equal(Vector(1, 2) + Vector(1, 1), Vector(2, 4))"]
    assert passes(source, tests) == [True, False]


def test_a_value_nested_too_deeply_to_read_fails_cleanly():
    source = ("def deep():\n    x = []\n    for _ in range(100_000):\n        x = [x]\n"
              "    return x\n")
    outcome = verdicts(run_code(source, ["assert_equal(deep(), [])"]))
    assert outcome[0][0] is False
    assert "got a value of type list" in outcome[0][1]
