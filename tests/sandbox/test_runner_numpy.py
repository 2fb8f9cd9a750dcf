"""numpy is imported in the jail only when a run uses it; ``np`` is there all the same."""

from __future__ import annotations

from tests.sandbox.conftest import run_code
from tests.sandbox.conftest import verdicts

NOT_LOADED = 'import sys\nassert ("num" + "py") not in sys.modules'


def test_a_plain_python_run_never_imports_numpy():
    result = run_code("def double(x):\n    return 2 * x\n",
                      ["assert double(4) == 8", "assert_equal(double(2), 4)", NOT_LOADED])
    assert verdicts(result) == [(True, ""), (True, ""), (True, "")]


def test_np_is_available_without_an_import():
    result = run_code("total = int(np.arange(4).sum())\n",
                      ["assert total == 6", "assert isinstance(np.zeros(2), np.ndarray)",
                       NOT_LOADED])
    assert [passed for passed, _ in verdicts(result)] == [True, True, False]


def test_the_array_helpers_load_numpy_when_called():
    result = run_code("values = [0.1 + 0.2, 1.0]\n",
                      ["assert_close(values, [0.3, 1.0])", "assert_shape(values, (2,))",
                       "assert_close(values, [0.3, 2.0])"])
    outcome = verdicts(result)
    assert [passed for passed, _ in outcome] == [True, True, False]
    assert "expected" in outcome[2][1]


def test_arrays_made_by_an_indirect_import_compare_as_arrays():
    result = run_code('arr = __import__("num" + "py").array([1, 2])\n',
                      ["assert_equal(arr, [1, 2])", "assert_equal(arr, [1, 3])"])
    outcome = verdicts(result)
    assert outcome[0] == (True, "") and outcome[1][0] is False
    assert "expected" in outcome[1][1]
