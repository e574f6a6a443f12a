"""Property-based fuzzing of every parser and of the whole prepare path (issue 6, item 5).

Inputs come from ``tests/strategies.py``: valid-ish documents of each format with that
format's noise, the same documents damaged, and raw random text, JSON and bytes. Each goes
through ``parse_file`` (auto-detected and with ``--format`` forced), then
``attribute_quotes`` and ``units_for_thread``. Properties:

* the only exception is ``InputError``, whose message is one short line naming the file
  (no traceback text, no Python exception leaking through ``parse_file``'s safety net);
* no hang: a hard SIGALRM watchdog (generous: speed is checked by counting the quote
  matcher's work, never by timing, since CI machines vary);
* on success: ids unique, parents resolve and come first, depth = parent + 1 (roots 0 for an
  article, 1 for a comment), quotes inside the text and not overlapping, every unit is
  ``post.text[u.start:u.end]`` inside the post's own (unquoted) spans;
* every limit (max_posts, max_post_chars, max_depth, max_file_bytes) is enforced exactly at
  its value, with a message naming it.

Profiles: ``ci`` (default: ~1,500 inputs, under a minute on 2 cores) and ``full``
(``ARGMAP_FUZZ=full``: 8x each test's share, ~12,000 inputs). pytest's terminal summary
prints the inputs run per test, how many parsed, and the total with the time taken.
Nothing is written into the repository: input files go to a temporary folder, the example
database is off and Hypothesis' own caches live in the temporary folder.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import tempfile
import threading
import time
from bisect import bisect_right
from collections import Counter
from collections.abc import Callable, Container, Iterator
from contextlib import contextmanager
from difflib import SequenceMatcher
from pathlib import Path
from typing import Any
from unittest.mock import patch

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from hypothesis.configuration import set_hypothesis_home_dir

# Hypothesis caches (unicode tables, constants it collects from the code under test) go to
# the temporary folder, not .hypothesis/ in the repository; the example database is off.
if not os.environ.get("HYPOTHESIS_STORAGE_DIRECTORY"):
    set_hypothesis_home_dir(Path(tempfile.gettempdir()) / "argmap-hypothesis")

from argmap.config import Limits
from argmap.errors import InputError
from argmap.records import Thread
from ingest import quotes as quotes_mod
from ingest.formats import FORMATS, parse_file
from ingest.quotes import attribute_quotes
from ingest.units import units_for_thread
from tests import strategies as S

# --- profiles, budget, counting ----------------------------------------------------------

settings.register_profile(
    "ci",
    max_examples=100,
    deadline=None,  # no wall-clock limit per example: a busy machine is not a bug
    database=None,  # no .hypothesis/ folder in the repository
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile("full", settings.get_profile("ci"), max_examples=800)
PROFILE = os.environ.get("ARGMAP_FUZZ", "ci") or "ci"
if PROFILE not in ("ci", "full"):
    raise ValueError(f"ARGMAP_FUZZ={PROFILE!r}: use 'ci' (default) or 'full'")
SCALE = {"ci": 1, "full": 8}[PROFILE]
HARD_TIMEOUT_S = 300  # an example still running after this is a hang, not a slow machine

COUNTS: Counter[str] = Counter()  # inputs run, per test
PARSED: Counter[str] = Counter()  # of which at least one parse succeeded
FOUND: Counter[str] = Counter()  # posts, quotes found, units made on the prepare path
SPENT: list[float] = []  # seconds in this module's tests


def fuzz(examples: int, **overrides: Any) -> Callable[[Any], Any]:
    """This test's share of the profile's budget (``examples`` in ci, 8x that in full)."""
    return settings(settings.get_profile(PROFILE), max_examples=examples * SCALE, **overrides)


class _Summary:
    @staticmethod
    def pytest_terminal_summary(terminalreporter: Any) -> None:
        if not COUNTS:
            return
        total = sum(COUNTS.values())
        took = sum(SPENT)
        terminalreporter.write_sep("-", f"fuzz ({PROFILE} profile)")
        for name, n in sorted(COUNTS.items()):
            terminalreporter.write_line(f"  {name:<24} {n:>6} inputs, {PARSED[name]:>6} parsed")
        found = ", ".join(f"{n} {what}" for what, n in FOUND.items())
        terminalreporter.write_line(f"  prepare path: {found}")
        terminalreporter.write_line(f"fuzz: {total} generated inputs in {took:.1f} s")


_TMP: list[Path] = []  # the one scratch folder, outside the repository


@pytest.fixture(scope="module", autouse=True)
def _fuzz_session(request: pytest.FixtureRequest) -> Iterator[None]:
    if request.config.pluginmanager.get_plugin("argmap-fuzz-summary") is None:
        request.config.pluginmanager.register(_Summary(), "argmap-fuzz-summary")
    _TMP.append(Path(tempfile.mkdtemp(prefix="argmap-fuzz-")))
    started = time.monotonic()
    yield
    SPENT.append(time.monotonic() - started)
    shutil.rmtree(_TMP.pop(), ignore_errors=True)


class Hang(Exception):
    pass


@contextmanager
def bounded(seconds: int = HARD_TIMEOUT_S) -> Iterator[None]:
    if threading.current_thread() is not threading.main_thread():
        yield  # signals reach the main thread only
        return

    def alarm(_sig: int, _frame: Any) -> None:
        raise Hang(f"example still running after {seconds} s")

    old = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def write(content: str | bytes, suffix: str, stem: str) -> Path:
    path = _TMP[-1] / f"{stem}{suffix}"
    if isinstance(content, str):
        path.write_bytes(content.encode("utf-8"))
    else:
        path.write_bytes(content)
    return path


# --- properties --------------------------------------------------------------------------

# parse_file's safety net for Python errors a parser let out: a parser bug, not a message.
SAFETY_NET = re.compile(r"not a valid \w+ file \(\w+: ")
MAX_DETAIL = 300  # characters of message beyond the file name


def check_error(err: InputError, path: Path) -> None:
    msg = str(err)
    assert msg and msg == msg.strip(), repr(msg)
    assert len(msg.splitlines()) == 1 and "\n" not in msg and "\r" not in msg, repr(msg)
    assert "Traceback" not in msg and 'File "' not in msg, msg
    assert str(path) in msg, f"message does not name the file: {msg!r}"
    assert not SAFETY_NET.search(msg), f"a parser leaked a Python error: {msg}"
    assert len(msg) <= len(str(path)) + MAX_DETAIL, f"message too long ({len(msg)}): {msg[:400]}"


def check_thread(thread: Thread, path: Path, fmt: str | None, limits: Limits) -> None:
    assert thread.posts
    assert thread.format in FORMATS and (fmt is None or thread.format == fmt)
    assert thread.source == str(path)
    seen: dict[str, Any] = {}
    for p in thread.posts:
        assert isinstance(p.id, str) and p.id, repr(p.id)
        assert p.id not in seen, f"duplicate id {p.id!r}"
        assert p.kind in ("article", "comment")
        assert isinstance(p.text, str) and len(p.text) <= limits.max_post_chars
        if p.parent_id is None:
            assert p.depth == (0 if p.kind == "article" else 1), (p.id, p.depth)
        else:
            assert p.parent_id in seen, f"{p.id!r}: parent {p.parent_id!r} missing or after it"
            assert p.depth == seen[p.parent_id].depth + 1, (p.id, p.depth)
        assert p.depth <= limits.max_depth
        seen[p.id] = p
    assert len(thread.posts) <= limits.max_posts
    for p in thread.posts:
        check_quotes(p)
        for q in p.quotes:  # a file's credit stands only for another post holding the words
            assert q.from_post_id == "" or (q.from_post_id in seen and q.from_post_id != p.id)


def check_quotes(post: Any, origins: Container[str] | None = None, given: Any = ()) -> None:
    """Quotes lie inside the text, match it, never overlap; those not in ``given`` (declared
    by the file itself) credit one of ``origins`` (when given) or no post ("")."""
    end = 0
    for q in sorted(post.quotes, key=lambda q: (q.start, q.end)):
        assert 0 <= q.start <= q.end <= len(post.text), (post.id, q)
        assert q.start >= end, f"{post.id!r}: overlapping quotes {post.quotes}"
        assert post.text[q.start : q.end] == q.text, (post.id, q)
        assert isinstance(q.from_post_id, str), (post.id, q)  # "": origin unknown
        if origins is not None and q not in given:
            # "": quoted from outside the thread (a ">" line found in no post, or words an
            # ancestor had so quoted): never the replier's own words, credited to no post
            unsourced = q.from_post_id == ""
            assert unsourced or q.from_post_id in origins, (post.id, q.from_post_id, origins)
        end = q.end


class Origins:
    """Ids a reply may quote: its ancestors, any article of the thread, and ``declared``. A
    container, not a set: a set of every article per post made 3,000 articles quadratic."""

    def __init__(self, post: Any, by_id: dict[str, Any], articles: set[str], declared: set[str]):
        self.post_id, self.articles, self.declared = post.id, articles, declared
        self.chain: set[str] = set()
        pid = post.parent_id
        while pid is not None and pid in by_id and pid not in self.chain:
            self.chain.add(pid)
            pid = by_id[pid].parent_id

    def __contains__(self, pid: object) -> bool:
        if pid in self.chain or pid in self.declared:
            return True
        return pid in self.articles and pid != self.post_id


def check_prepared(thread: Thread) -> None:
    """attribute_quotes -> units_for_thread on a parsed thread; all offsets exact."""
    done = attribute_quotes(thread)
    assert [p.id for p in done.posts] == [p.id for p in thread.posts]
    by_id = done.by_id()
    # Words a file-declared (JSONL) quote credited elsewhere keep that credit when re-quoted.
    declared = {q.from_post_id for p in thread.posts for q in p.quotes}
    articles = {p.id for p in done.posts if p.kind == "article"}
    for before, p in zip(thread.posts, done.posts, strict=True):
        assert p.text == before.text and p.parent_id == before.parent_id
        assert set(before.quotes) <= set(p.quotes), "attribution dropped a quote"
        assert [q.start for q in p.quotes] == sorted(q.start for q in p.quotes)
        check_quotes(p, Origins(p, by_id, articles, declared), set(before.quotes))
    again = attribute_quotes(done)  # documented as idempotent
    assert again.posts == done.posts, "attribute_quotes is not idempotent"
    units = units_for_thread(done)
    FOUND["posts"] += len(done.posts)
    FOUND["quotes found"] += sum(len(p.quotes) for p in done.posts) - sum(
        len(p.quotes) for p in thread.posts
    )
    FOUND["units"] += len(units)
    assert len({u.id for u in units}) == len(units), "duplicate unit ids"
    last: dict[str, int] = {}
    own = {p.id: p.own_spans() for p in done.posts}  # sorted, disjoint
    for u in units:
        post = by_id[u.post_id]
        assert post.text[u.start : u.end] == u.text, (u.id, u.text)
        assert u.text == u.text.strip() and any(c.isalnum() for c in u.text), repr(u.text)
        spans = own[post.id]
        k = bisect_right(spans, (u.start, len(post.text) + 1)) - 1
        assert k >= 0 and u.end <= spans[k][1], (
            f"unit {u.id} is not inside {post.id!r}'s own words {spans[:20]}"
        )
        assert u.start >= last.get(u.post_id, 0), f"units of {u.post_id!r} overlap"
        last[u.post_id] = u.end
        assert (u.author, u.kind, u.depth, u.parent_id) == (
            post.author, post.kind, post.depth, post.parent_id
        )


def parse_or_error(
    path: Path, fmt: str | None = None, limits: Limits | None = None
) -> Thread | InputError:
    limits = limits or Limits()
    try:
        thread = parse_file(path, fmt, limits)
    except InputError as err:
        check_error(err, path)
        return err
    check_thread(thread, path, fmt, limits)
    return thread


def run_input(content: str | bytes, suffix: str, stem: str, formats: list[str | None]) -> None:
    """Parse one input with each of ``formats`` (None = detect); prepare whatever parses."""
    path = write(content, suffix, stem)
    COUNTS[stem] += 1
    with bounded():
        parsed = False
        for fmt in formats:
            out = parse_or_error(path, fmt)
            if isinstance(out, Thread):
                parsed = True
                check_prepared(out)
        PARSED[stem] += parsed


# --- structured documents of each format -------------------------------------------------


def _structured(fmt: str) -> Callable[[Any], None]:
    def body(doc: tuple[str, str]) -> None:
        run_input(doc[0], doc[1], f"structured_{fmt}", [None, fmt])

    return body


@pytest.mark.slow
@fuzz(150)
@given(S.slashdot_docs())
def test_slashdot_documents(doc: tuple[str, str]) -> None:
    _structured("slashdot")(doc)


def reddit_chain(title: str, *bodies: str) -> str:
    """A submission and a chain of replies, each answering the one before."""
    node: Any = ""
    for i, body in reversed(list(enumerate(bodies))):
        node = {"kind": "Listing", "data": {"children": [
            {"kind": "t1", "data": {"id": f"c{i}", "body": body, "replies": node}}]}}
    sub = {"kind": "t3", "data": {"id": "p", "title": title, "url": "https://x.y/t/"}}
    return json.dumps([{"kind": "Listing", "data": {"children": [sub]}}, node])


def reddit_sub(created_utc: str) -> str:
    sub = f'{{"kind":"t3","data":{{"id":"a","title":"t","created_utc":{created_utc}}}}}'
    return f'[{{"kind":"Listing","data":{{"children":[{sub}]}}}},{{"kind":"Listing"}}]'


@pytest.mark.slow
@fuzz(150)
@given(S.reddit_docs())
# Regressions: submission times past year 9999 or not numbers crashed _time (OverflowError)
# or leaked "ValueError: year 10000 is out of range"; NaN leaked "Invalid value NaN".
@example((reddit_sub("1e20"), ".json"))
@example((reddit_sub("253402300800"), ".json"))
@example((reddit_sub("NaN"), ".json"))
@example((reddit_sub("-Infinity"), ".json"))
# Regression: attribute_quotes was not idempotent. The first pass matched a run across the
# line end (crediting neither whole line 2), a second pass then credited line 2.
@example((reddit_chain("the", '&gt; the\nthe "the" the the the the',
                       'the the the the the the\nthe "&gt; the the "the"" the'), ".json"))
def test_reddit_documents(doc: tuple[str, str]) -> None:
    _structured("reddit")(doc)


def hn_comment(text: str) -> str:
    kid = {"id": 2, "type": "comment", "text": text, "children": []}
    return json.dumps({"id": 1, "type": "story", "title": "t", "children": [kid]})


@pytest.mark.slow
@fuzz(150)
@given(S.hn_docs())
# Regression: a comment's own U+E000 digits U+E001 was read as a code-block placeholder;
# 5,000 digits leaked "ValueError: Exceeds the limit (4300 digits)".
@example((hn_comment("a \ue000" + "9" * 5000 + "\ue001 b"), ".json"))
@example((hn_comment("&#57344;&#57344;1&#57345; <pre><code>x</code></pre>"), ".json"))
def test_hn_documents(doc: tuple[str, str]) -> None:
    _structured("hn")(doc)


@pytest.mark.slow
@fuzz(150)
@given(S.csv_docs())
def test_csv_documents(doc: tuple[str, str]) -> None:
    _structured("csv")(doc)


def jsonl_quoting(*quotes: str) -> str:
    reply = '{"id":"r","kind":"comment","text":"> one two\\nthree","parent_id":"a","quotes":['
    return '{"id":"a","kind":"article","text":"one two"}\n' + reply + ",".join(quotes) + "]}"


@pytest.mark.slow
@fuzz(150)
@given(S.jsonl_docs())
# Regressions: declared quotes were taken on trust: overlapping spans and a text that is
# not its span's ("None" from null) reached attribution, an infinite start crashed
# (OverflowError), a null origin became the post id "None", a float start was truncated.
# Each is now a one-line error. And a 500-character duplicate id filled the message.
@example((jsonl_quoting('{"text":"> one","from_post_id":"a","start":0,"end":5}',
                        '{"text":"one two","from_post_id":"a","start":2,"end":9}'), ".jsonl"))
@example((jsonl_quoting('{"text":null,"from_post_id":"a","start":1,"end":1}'), ".jsonl"))
@example((jsonl_quoting('{"text":"","from_post_id":null,"start":1,"end":1}'), ".jsonl"))
@example((jsonl_quoting('{"text":"","from_post_id":"a","start":Infinity,"end":1}'), ".jsonl"))
@example((jsonl_quoting('{"text":"","from_post_id":"a","start":1.0,"end":1}'), ".jsonl"))
@example(('{"id":"%s","kind":"comment","text":"a"}\n' % ("x" * 500) * 2, ".jsonl"))
def test_jsonl_documents(doc: tuple[str, str]) -> None:
    _structured("jsonl")(doc)


# --- damaged documents, wrong --format, raw input ----------------------------------------


@pytest.mark.slow
@fuzz(180)
@given(S.any_doc().flatmap(lambda d: st.tuples(st.just(d[0]), S.mutated(d[1]))),
       st.sampled_from(list(FORMATS)))
def test_damaged_documents(doc: tuple[str, tuple[str, str]], other: str) -> None:
    fmt, (text, suffix) = doc
    run_input(text, suffix, "damaged", [None, fmt, other])


@pytest.mark.slow
@fuzz(100)
@given(S.any_doc(), st.sampled_from(list(FORMATS)))
def test_wrong_format_forced(doc: tuple[str, tuple[str, str]], other: str) -> None:
    fmt, (text, suffix) = doc
    run_input(text, suffix, "wrong_format", [other])


@fuzz(100)
@given(S.raw_bytes())
def test_random_bytes(doc: tuple[bytes, str]) -> None:
    run_input(doc[0], doc[1], "random_bytes", [None, *FORMATS])


@fuzz(100)
@given(S.raw_text())
# Regression: a CSV header without id/comment was quoted whole in the message.
@example(("a" * 400 + ",b\n1,2\n", ".csv"))
def test_random_text(doc: tuple[str, str]) -> None:
    run_input(doc[0], doc[1], "random_text", [None, *FORMATS])


@fuzz(100)
@given(S.json_text())
def test_random_json(doc: tuple[str, str]) -> None:
    run_input(doc[0], doc[1], "random_json", [None, "reddit", "hn", "jsonl"])


# --- limits ------------------------------------------------------------------------------


def _expect_limit(path: Path, limits: Limits, needle: str) -> None:
    out = parse_or_error(path, None, limits)
    assert isinstance(out, InputError), f"{limits} not enforced"
    assert needle in str(out), str(out)


@pytest.mark.slow
@fuzz(100)
@given(S.any_doc())
def test_each_limit_is_enforced_at_its_value(doc: tuple[str, tuple[str, str]]) -> None:
    _fmt, (text, suffix) = doc
    path = write(text, suffix, "limits")
    COUNTS["limits"] += 1
    with bounded():
        thread = parse_or_error(path)
        if isinstance(thread, InputError):
            return
        PARSED["limits"] += 1
        n = len(thread.posts)
        longest = max(len(p.text) for p in thread.posts)
        deepest = max(p.depth for p in thread.posts)
        size = path.stat().st_size
        exact = Limits(max_file_bytes=size, max_posts=n, max_post_chars=longest,
                       max_depth=deepest)
        assert isinstance(parse_or_error(path, None, exact), Thread)
        _expect_limit(path, Limits(max_posts=n - 1), f"{n} posts, more than max_posts={n - 1}")
        _expect_limit(path, Limits(max_file_bytes=size - 1), f"max_file_bytes={size - 1}")
        if longest:
            _expect_limit(
                path, Limits(max_post_chars=longest - 1),
                f"is {longest} characters, more than max_post_chars={longest - 1}",
            )
        if deepest:
            _expect_limit(
                path, Limits(max_depth=deepest - 1),
                f"reply chain {deepest} deep, deeper than max_depth={deepest - 1}",
            )


def chain(fmt: str, depth: int) -> str:
    """A reply chain ``depth`` levels below the root, in ``fmt``."""
    import csv
    import io

    if fmt == "slashdot":
        lines = ["Title", "", "Comments Filter:"]
        lines += ["  " * d + "• reply at depth " + str(d) for d in range(1, depth + 1)]
        return "\n".join(lines)
    if fmt == "reddit":  # built as text: json.dumps itself recurses once per level
        sub = '{"kind":"Listing","data":{"children":[{"kind":"t3","data":{"id":"p"}}]}}'
        opens = "".join(
            f'{{"kind":"Listing","data":{{"children":[{{"kind":"t1","data":{{"id":"c{d}",'
            f'"body":"depth {d}","replies":'
            for d in range(1, depth + 1)
        )
        return f"[{sub},{opens}\"\"" + "}}]}}" * depth + "]"
    if fmt == "hn":
        opens = "".join(
            f'{{"id":{d},"type":"comment","text":"depth {d}","children":['
            for d in range(1, depth + 1)
        )
        return '{"id":0,"type":"story","title":"t","children":[' + opens + "]}" * depth + "]}"
    if fmt == "csv":
        buf = io.StringIO()
        w = csv.writer(buf)
        w.writerow(["id", "comment", "parent_id"])
        w.writerows(
            [str(d), f"depth {d}", str(d - 1) if d > 1 else ""] for d in range(1, depth + 1)
        )
        return buf.getvalue()
    rows = [{"id": "0", "kind": "article", "text": "root"}]
    rows += [{"id": str(d), "kind": "comment", "text": f"depth {d}", "parent_id": str(d - 1)}
             for d in range(1, depth + 1)]
    return "\n".join(json.dumps(r) for r in rows)


@fuzz(40)
@given(st.sampled_from(list(FORMATS)), st.integers(1, 700), st.integers(1, 600))
def test_deep_chains_hit_max_depth(fmt: str, depth: int, max_depth: int) -> None:
    path = write(chain(fmt, depth), "", "deep_chain")
    COUNTS["deep_chain"] += 1
    with bounded():
        out = parse_or_error(path, fmt, Limits(max_depth=max_depth))
        PARSED["deep_chain"] += isinstance(out, Thread)
        if depth > max_depth:
            assert isinstance(out, InputError)
            assert f"reply chain {depth} deep, deeper than max_depth={max_depth}" in str(out)
        else:
            assert isinstance(out, Thread), str(out)
            assert max(p.depth for p in out.posts) == depth


# --- big repetitive input: nothing superlinear ------------------------------------------

class MatcherWork:
    """The quote matcher's work, counted as its budget counts it (ingest/quotes.py: one
    step per searched reply token and occurrence of that token in the source)."""

    def __init__(self) -> None:
        self.per_reply: dict[int, int] = {}  # id(budget list) -> steps: one budget per reply
        self.max_sources = 0
        self._budgets: list[list[int]] = []  # kept alive so their ids stay unique
        self._steps = 0

    @contextmanager
    def counting(self) -> Iterator[None]:
        work = self

        class Counted(SequenceMatcher[str]):
            def find_longest_match(self, alo: int = 0, ahi: Any = None, blo: int = 0,
                                   bhi: Any = None) -> Any:
                keys: list[str] = self.a  # type: ignore[attr-defined]
                b2j: dict[str, list[int]] = self.b2j  # type: ignore[attr-defined]
                ahi = len(keys) if ahi is None else ahi
                work._steps += sum(1 + len(b2j.get(k, ())) for k in keys[alo:ahi])
                return super().find_longest_match(alo, ahi, blo, bhi)

        real_runs = quotes_mod._runs

        def runs(text: str, toks: Any, free: Any, sources: list[Any], budget: list[int]) -> Any:
            before = work._steps
            out = real_runs(text, toks, free, sources, budget)
            work._budgets.append(budget)
            work.per_reply[id(budget)] = work.per_reply.get(id(budget), 0) + work._steps - before
            work.max_sources = max(work.max_sources, len(sources))
            return out

        with patch.object(quotes_mod, "SequenceMatcher", Counted), \
                patch.object(quotes_mod, "_runs", runs):
            yield


def big(fmt: str, article: str, reply: str) -> tuple[str, str, str]:
    rows = [{"id": "a", "kind": "article", "text": article},
            {"id": "c", "kind": "comment", "text": reply, "parent_id": "a"}]
    return fmt, "\n".join(json.dumps(r) for r in rows), ".jsonl"


def declared_quotes(n: int) -> tuple[str, str, str]:
    text = "ab " * (2 * n)
    quotes = [{"text": "ab", "from_post_id": "a", "start": 6 * i, "end": 6 * i + 2}
              for i in range(n)]
    rows = [{"id": "a", "kind": "article", "text": "ab cd"},
            {"id": "c", "kind": "comment", "text": text, "parent_id": "a", "quotes": quotes}]
    return "jsonl", "\n".join(json.dumps(r) for r in rows), ".jsonl"


def many_threads(n: int) -> tuple[str, str, str]:
    rows = []
    for i in range(n):
        rows.append({"id": f"a{i}", "kind": "article", "text": f"article {i} says the police"})
        rows.append({"id": f"c{i}", "kind": "comment", "text": f"> article {i} says the police",
                     "parent_id": f"a{i}"})
    return "jsonl", "\n".join(json.dumps(r) for r in rows), ".jsonl"


@pytest.mark.slow
@fuzz(12)
@given(S.big_docs())
# Regressions, each once minutes or hours (times are for the code before the fix):
# a reply of "the the the the the X" to an article of "the ..." (greedy matching re-ran a
# full search per run: cubic; 2,000 words 59 s),
@example(big("jsonl", "the " * 2000, ("the " * 5 + "X ") * 333))
# a line with a long run of blanks (quotes._LINE's lazy group: 40,000 spaces 7.7 s),
@example(big("jsonl", "a b", "a" + " " * 40_000 + "b"))
# many short "> x" lines (each scanned every source: 4,000 lines 12 s),
@example(big("jsonl", "y " * 20_000, "> x\n" * 4000))
# thousands of <pre>/<p> in HN HTML (bs4 tree edits look up siblings: 4,000 <pre> 2 s),
@example(("hn", json.dumps({"id": 1, "type": "story", "title": "t", "children": [
    {"id": 2, "text": "<pre>x</pre><p>y" * 15_000, "children": []}]}), ".json"))
# a Slashdot comment opening "by x" then blanks (the by-line regex: 40,000 spaces 2 s),
@example(("slashdot", "T 1\n\nComments Filter:\n  • by x" + " " * 40_000 + "y\n", ".txt"))
# thousands of declared quotes (each word scanned every quote: 16,000 took 18 s),
@example(declared_quotes(16_000))
# and a file of many articles (each reply searched every article: 2,000 took 47 s).
@example(many_threads(3000))
def test_big_repetitive_input_stays_linear(doc: tuple[str, str, str]) -> None:
    fmt, text, suffix = doc
    path = write(text, suffix, "big")
    COUNTS["big"] += 1
    work = MatcherWork()
    with bounded(), work.counting():
        out = parse_or_error(path, fmt)
        if isinstance(out, Thread):
            PARSED["big"] += 1
            check_prepared(out)
    # Quote matching, the stage every superlinear regression above but the parsers' was in,
    # counts its own work: each reply searches a bounded number of sources and spends at
    # most MAX_MATCH_WORK over all rounds, so the whole file costs at most that per reply.
    assert work.max_sources <= quotes_mod.MAX_ANCESTORS + quotes_mod.MAX_ARTICLES, fmt
    assert max(work.per_reply.values(), default=0) <= quotes_mod.MAX_MATCH_WORK, fmt


# --- direct regressions -----------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "[" * 5000 + '"abc',  # deep and broken: a JSONDecodeError escaped detect_format
        "[" * 3000 + "1,,]",
        "[" * 3000 + '"' + '\\"' * 20_000,  # and json_nesting was quadratic (6 s)
    ],
)
def test_deep_broken_json_is_an_input_error(text: str) -> None:
    path = write(text, ".json", "deep_broken")
    with bounded():
        out = parse_or_error(path)
    assert isinstance(out, InputError) and "invalid JSON at line 1" in str(out)


def test_hn_private_use_characters_are_kept_verbatim() -> None:
    from ingest.formats.hn import html_to_text

    # A comment's own U+E000 digits U+E001 was taken for a code-block placeholder.
    assert html_to_text("a \ue0000\ue001 <pre>code</pre>") == "a \ue0000\ue001\n\ncode"
    assert html_to_text("&#57344;&#57344;0&#57345;<pre>x</pre>") == "\ue000\ue0000\ue001\n\nx"
    assert html_to_text("<pre>one</pre>\ue000\ue000<pre>two</pre>") == "one\n\n\ue000\ue000\n\ntwo"
