"""The bank Markdown cache is bounded by total size, not only by its number of entries."""

from __future__ import annotations

from quizapp.rendering import SizedCache
from quizapp.rendering import render_inline
from quizapp.rendering import render_markdown


def doubled(text: str) -> str:
    return text * 2


def test_total_size_stays_under_the_bound_and_oldest_entries_go_first():
    cache = SizedCache(doubled, max_chars=3_000, max_entries=1_000)
    for i in range(100):
        assert cache(f"{i:03d}" + "x" * 97) == (f"{i:03d}" + "x" * 97) * 2
        assert cache.cache_info().chars <= 3_000
    info = cache.cache_info()
    assert info.currsize == 10  # 300 characters per entry (text plus result)
    assert info.chars == 3_000
    cache("099" + "x" * 97)
    assert cache.cache_info().hits == 1
    cache("000" + "x" * 97)  # evicted long ago: rendered again
    assert cache.cache_info().misses == 101


def test_a_recently_used_entry_survives_eviction():
    cache = SizedCache(doubled, max_chars=2_400, max_entries=1_000)  # eight 300-char entries
    for letter in "abcdefgh":
        cache(letter * 100)
    cache("a" * 100)  # now the most recent
    cache("i" * 100)  # evicts b, the least recent
    misses = cache.cache_info().misses
    cache("a" * 100)
    assert cache.cache_info().misses == misses
    cache("b" * 100)
    assert cache.cache_info().misses == misses + 1


def test_an_entry_over_an_eighth_of_the_budget_is_not_cached():
    cache = SizedCache(doubled, max_chars=8_000, max_entries=1_000)
    assert cache("y" * 400) == "y" * 800
    assert cache.cache_info().currsize == 0
    cache("y" * 300)
    assert cache.cache_info().currsize == 1


def test_none_renders_uncached_as_before():
    assert render_markdown(None) == ""  # an optional field left empty
    cache = SizedCache(str, max_chars=100, max_entries=10)
    cache(None)
    assert cache.cache_info().currsize == 0


def test_entry_count_still_bounds_the_cache():
    cache = SizedCache(doubled, max_chars=10**9, max_entries=5)
    for i in range(20):
        cache(str(i))
    assert cache.cache_info().currsize == 5


def test_bank_markdown_caches_are_bounded_by_size(monkeypatch):
    for cache in (render_markdown, render_inline):
        assert cache.max_chars <= 8_000_000  # a few tens of MB per worker at most
        monkeypatch.setattr(cache, "max_chars", 40_000)
        cache.cache_clear()
    texts = [f"Paragraph {i} with $x_{i}$ and **bold**. " * 10 for i in range(60)]
    for text in texts:
        assert "katex" not in render_inline(text)
        assert render_markdown(text).startswith("<p>Paragraph")
    for cache in (render_markdown, render_inline):
        info = cache.cache_info()
        assert 0 < info.chars <= 40_000
        assert info.currsize < len(texts)
        cache.cache_clear()


def test_short_learner_answers_share_a_bounded_cache_and_long_ones_are_not_kept():
    from quizapp import rendering

    rendering._render_short_untrusted_inline.cache_clear()
    assert rendering.render_untrusted_inline("gradient *descent*") == "gradient <em>descent</em>"
    assert rendering.render_untrusted_inline("gradient *descent*") == "gradient <em>descent</em>"
    info = rendering._render_short_untrusted_inline.cache_info()
    assert (info.hits, info.misses, info.currsize) == (1, 1, 1)
    long_answer = "word " * 100  # over SHORT_ANSWER_CHARS: rendered, never cached
    assert rendering.render_untrusted_inline(long_answer).startswith("word word")
    assert rendering._render_short_untrusted_inline.cache_info().currsize == 1
    assert "<script>" not in rendering.render_untrusted_inline("<script>x</script>ok")  # escaped
    assert rendering._render_short_untrusted_inline.max_chars <= 1_000_000
