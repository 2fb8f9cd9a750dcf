import pytest

from quizapp.charts import bar_chart
from quizapp.charts import line_chart


def test_bars_scale_to_a_round_maximum():
    chart = bar_chart([("a", 1), ("b", 2)])
    # plot area 136 px high (180 - 14 - 30); the axis tops out at 2
    a, b = chart.bars
    assert (b.height, b.y) == (136, 14) and (a.height, a.y) == (68, 82)
    # two slots of (600 - 64 - 32) / 2 = 252 px; a bar fills the middle 70 %
    assert a.x == pytest.approx(64 + 252 * 0.15) and a.width == pytest.approx(252 * 0.7)
    assert (chart.plot_left, chart.plot_right) == (64, 568)
    assert [t.label for t in chart.ticks] == ["0", "1", "2"]


def test_line_gaps_split_the_line():
    chart = line_chart([("1", 10), ("2", None), ("3", 30), ("4", 50)], top=100, unit="%")
    assert len(chart.lines) == 2 and len(chart.dots) == 3
    assert chart.lines[0] == "64.0,136.4"  # 13.6 px (10 % of 136) above the baseline, y 150
    assert chart.ticks[-1].label == "100%"


def test_count_axes_have_no_fractional_ticks():
    assert [t.label for t in bar_chart([("a", 1), ("b", 0)]).ticks] == ["0", "1"]
    assert [t.label for t in bar_chart([("a", 5)]).ticks] == ["0", "5"]
    answers = line_chart([("1", 0), ("2", 1)])
    assert [t.label for t in answers.ticks] == ["0", "1"]
    rates = line_chart([("1", 12.5), ("2", 40.0)], top=100, unit="%")
    assert [t.label for t in rates.ticks] == ["0%", "50%", "100%"]


def test_a_single_point_sits_mid_plot_not_on_the_axis_labels():
    chart = line_chart([("06 Dec", 1550.0)], top=1600, bottom=1400)
    (x, _, _), = chart.dots
    assert x == round((chart.plot_left + chart.plot_right) / 2, 1)
    assert chart.x_labels == [(x, "06 Dec")]
