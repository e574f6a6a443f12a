"""Quote attribution: which words of a reply were copied from an ancestor post.

Repliers paste their parent whole above the answer, copy a line, prefix lines with ``>``
or ``>>``, or put a fragment in quotes. Those words must be credited to the post they came
from, never to the replier (DESIGN.md), so every reply gets ``Post.quotes`` and its
``own_text`` (records.py) is what remains.

Method: word-level matching (``difflib.SequenceMatcher.find_longest_match``, repeated on
what is still unmatched, so quotes taken out of order are found) between the reply and each
ancestor (parent, grandparent, ..., the article). A matched run only becomes a quote when
the reply *presents* it as one, so a shared common phrase stays the replier's:
  - a long run (>= 8 words, >= 40 chars) wherever it is: pasted text;
  - a whole line (>= 4 words, >= 20 chars) or a whole sentence (>= 6 words, >= 30 chars)
    matched by one run: a copied line or sentence;
  - a ``>``/``>>`` line whose words are all found in an ancestor (any length); one found in
    no post of the thread quotes an unknown source (from_post_id ""): still not the replier's;
  - a fragment in straight or curly double quotes (>= 4 words, >= 20 chars) of whose words
    at least 60% are found (the rest is a quoter's paraphrase of the same source).
Matching ignores case, punctuation, whitespace and curly-vs-straight quotes; a last word cut
by the site ("camer") matches the word it starts. Each quote span also covers its ``>``
markers and quote characters so ``own_text`` keeps no dangling marks. Words the ancestor
itself quoted are credited to their original post.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import replace
from difflib import SequenceMatcher
from itertools import accumulate

from argmap.records import Post, Quote, Thread

MAX_ANCESTORS = 40  # nearer ones suffice: a parent's own quotes already carry older words
# Every article is a source for every reply only while there are this few; a file of many
# threads (JSONL) gives each reply its own thread's article, or attribution is quadratic
# (2,000 articles with a reply each took 47 s).
MAX_ARTICLES = 8
MIN_RUN = 3  # shorter shared runs are never evidence of quoting on their own
# Matching work allowed per reply (all rounds), counted as find_longest_match counts it: one
# step per (searched reply token, occurrence of that token in the source). Real replies use
# a few thousand; a reply of "the the the X" against an article of "the the ..." would use
# billions (8 KB of each took a minute, cubic in size). Past it, sources that would cost
# more are not searched: their words stay the replier's, and the thread still ingests.
MAX_MATCH_WORK = 4_000_000
LONG_WORDS, LONG_CHARS = 8, 40
LINE_WORDS, LINE_CHARS = 4, 20
SENT_WORDS, SENT_CHARS = 6, 30
FRAG_WORDS, FRAG_CHARS, FRAG_COVER = 4, 20, 0.6

_WORD = re.compile(r"\w+(?:['’]\w+)*")
_QUOTES = "\"'“”‘’„«»"
_LEFT = re.compile(r"(?:^|(?<=[\s(]))(?:[>\"'“”‘’„«][ \t]*)+[,;:…]*[ \t]*$", re.MULTILINE)
_RIGHT = re.compile(r"[.,;:!?…)\]\"'”’»]*")
_FRAG = re.compile(r"[\"“„«][^\"“”„«»\n]+[\"”»]")
_SENT = re.compile(r"\S[^\n]*?(?:[.!?…]+[\"'”’)\]]*(?=\s|$)|$)", re.MULTILINE)
# Group 1: a line without the spaces/tabs around it. Greedy up to its last other character:
# a lazy group re-scanned every run of inner blanks, quadratic on "a" + 100k spaces + "b".
_LINE = re.compile(r"^[ \t]*(\S(?:[^\n]*[^ \t\n])?)[ \t]*$", re.MULTILINE)

Tokens = list[tuple[str, int, int]]  # (match key, start, end)
Source = tuple[list[str], list[str]]  # (match keys, owner post id per key)


def _tokens(text: str) -> Tokens:
    return [(m[0].lower().replace("’", "'"), m.start(), m.end()) for m in _WORD.finditer(text)]


def word_keys(text: str) -> list[str]:
    """The words of ``text`` as quote matching compares them (case, punctuation ignored)."""
    return [k for k, _s, _e in _tokens(text)]


def _ancestors(post: Post, by_id: dict[str, Post], articles: list[Post]) -> list[str]:
    """Ids of the parent, then up the chain; articles last even if the chain misses them."""
    out: list[str] = []
    pid = post.parent_id
    while pid is not None and pid in by_id and pid not in out and len(out) < MAX_ANCESTORS:
        out.append(pid)
        pid = by_id[pid].parent_id
    return out + [a.id for a in articles if a.id not in out and a.id != post.id]


def _source(anc: Post) -> Source:
    """(match keys, owner per key) of an ancestor; words it quoted belong to their origin."""
    keys: list[str] = []
    owners: list[str] = []
    if anc.kind == "article" and anc.title:
        for k, _s, _e in _tokens(anc.title):
            keys.append(k)
            owners.append(anc.id)
    quotes = sorted((q for q in anc.quotes if q.start < q.end), key=lambda q: q.start)
    disjoint = all(a.end <= b.start for a, b in zip(quotes, quotes[1:], strict=False))
    starts = [q.start for q in quotes]
    for k, s, e in _tokens(anc.text):
        if disjoint:  # the one quote that can hold the word: bisect, not a scan per word
            i = bisect_right(starts, s) - 1
            q = quotes[i] if i >= 0 and e <= quotes[i].end else None
        else:
            q = next((q for q in anc.quotes if q.start <= s and e <= q.end), None)
        keys.append(k)
        owners.append(q.from_post_id if q else anc.id)
    return keys, owners


def _runs(
    text: str, toks: Tokens, free: list[bool], sources: list[Source], budget: list[int]
) -> tuple[list[str | None], list[int]]:
    """Greedy longest-first matched runs: (owner per reply token, run number per token)."""
    keys = [k for k, _s, _e in toks]
    last_on_line = [
        i == len(toks) - 1 or "\n" in text[toks[i][2] : toks[i + 1][1]] for i in range(len(toks))
    ]
    matchers = [SequenceMatcher(None, keys, src, autojunk=False) for src, _o in sources]
    # price[si][i]: work of searching reply tokens [0, i) in source si (see MAX_MATCH_WORK).
    price = [
        list(accumulate((1 + len(sm.b2j.get(k, ())) for k in keys), initial=0))  # type: ignore[attr-defined]
        for sm in matchers
    ]
    owner: list[str | None] = [None] * len(toks)
    run_of = [-1] * len(toks)
    regions, i = [], 0
    while i < len(toks):  # maximal stretches of tokens not already inside a quote
        j = i
        while j < len(toks) and free[j]:
            j += 1
        if j > i:
            regions.append((i, j))
        i = j + 1
    runs = 0
    while regions:
        lo, hi = regions.pop()
        best = (0, 0, 0, 0)  # length, reply start, source start, source index
        for si, sm in enumerate(matchers):
            cost = price[si][hi] - price[si][lo]
            if cost > budget[0]:
                continue
            budget[0] -= cost
            src = sources[si][0]
            a, b, n = sm.find_longest_match(lo, hi, 0, len(src))
            if n and a + n < hi and b + n < len(src) and last_on_line[a + n]:
                cut = keys[a + n]  # a last word cut by the site: "camer" of "cameras"
                n += len(cut) >= 2 and src[b + n].startswith(cut)
            if n > best[0]:
                best = (n, a, b, si)
        n, a, b, si = best
        if n < MIN_RUN:
            continue
        for k in range(n):
            owner[a + k] = sources[si][1][b + k]
            run_of[a + k] = runs
        runs += 1
        regions += [(lo, a), (a + n, hi)]
    return owner, run_of


def _extend(text: str, s: int, e: int) -> tuple[int, int]:
    """Widen a span over the quote marks and ``>`` markers around it on its line."""
    line_start = text.rfind("\n", 0, s) + 1
    m = _LEFT.search(text, line_start, s)
    if m:
        s = m.start()
    m2 = _RIGHT.match(text, e)
    end = m2.end() if m2 else e
    while end > e and end < len(text) and text[end].isalnum() and text[end - 1] in _QUOTES:
        end -= 1  # an opening quote of the next word is not ours
    return s, end


def _inside(toks: Tokens, s: int, e: int) -> list[int]:
    """Indexes of the tokens lying wholly within ``[s, e)`` (tokens are sorted, disjoint)."""
    lo = bisect_left(toks, s, key=lambda t: t[1])
    hi = bisect_right(toks, e, key=lambda t: t[2])
    return list(range(lo, max(lo, hi)))


def _credited(
    text: str, toks: Tokens, owner: list[str | None], run_of: list[int]
) -> list[tuple[int, int]]:
    """Character spans of the reply that present matched words as quoted."""
    spans: list[tuple[int, int]] = []

    def one_run(idx: list[int]) -> bool:
        return bool(idx) and run_of[idx[0]] >= 0 and all(run_of[i] == run_of[idx[0]] for i in idx)

    i = 0
    while i < len(toks):  # long runs
        j = i
        while j + 1 < len(toks) and run_of[j + 1] == run_of[i] >= 0:
            j += 1
        if run_of[i] >= 0 and j - i + 1 >= LONG_WORDS and toks[j][2] - toks[i][1] >= LONG_CHARS:
            spans.append(_extend(text, toks[i][1], toks[j][2]))
        i = j + 1
    for m in _LINE.finditer(text):  # whole lines, ">" lines
        s, e = m.span(1)
        idx = _inside(toks, s, e)
        marked = m[1].startswith(">")
        if marked and idx and all(owner[i] is not None for i in idx):
            spans.append((s, e))
        elif len(idx) >= LINE_WORDS and e - s >= LINE_CHARS and one_run(idx):
            spans.append((s, e))
    for m in _SENT.finditer(text):  # whole sentences
        idx = _inside(toks, m.start(), m.end())
        if len(idx) >= SENT_WORDS and m.end() - m.start() >= SENT_CHARS and one_run(idx):
            spans.append(_extend(text, m.start(), m.end()))
    for m in _FRAG.finditer(text):  # "quoted fragments"
        idx = _inside(toks, m.start(), m.end())
        found = sum(owner[i] is not None for i in idx)
        if len(idx) >= FRAG_WORDS and m.end() - m.start() - 2 >= FRAG_CHARS:
            if found >= FRAG_COVER * len(idx):
                spans.append(_extend(text, m.start(), m.end()))
    return spans


def _short_marked(text: str, toks: Tokens, owner: list[str | None], sources: list[Source]) -> None:
    """``>`` lines too short for a run (``> No.``): credit an exact word match in an ancestor."""
    # (source, n) -> n-word sequence -> its first position: built once, not scanned per line.
    first: dict[tuple[int, int], dict[tuple[str, ...], int]] = {}
    for m in _LINE.finditer(text):
        idx = _inside(toks, *m.span(1))
        if not m[1].startswith(">") or not idx or len(idx) >= MIN_RUN:
            continue
        want = [toks[i][0] for i in idx]
        for si, (keys, owners) in enumerate(sources):
            grams = first.get((si, len(want)))
            if grams is None:
                grams = first[si, len(want)] = {}
                for b in range(len(keys) - len(want) + 1):
                    grams.setdefault(tuple(keys[b : b + len(want)]), b)
            at = grams.get(tuple(want))
            if at is not None:
                for k, i in enumerate(idx):
                    owner[i] = owners[at + k]
                break


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for s, e in sorted(spans):
        if out and s < out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], e))
        else:
            out.append((s, e))
    return out


def _quotes_of(post: Post, sources: list[Source], budget: list[int]) -> list[Quote]:
    text = post.text
    toks = _tokens(text)
    # Spans the post already quotes, merged so each word/span is checked by bisection (a
    # JSONL post may declare thousands of quotes); empty ones only block spans around them.
    taken = _merge([(q.start, q.end) for q in post.quotes if q.start < q.end])
    taken_starts = [s for s, _e in taken]
    taken_ends = [e for _s, e in taken]
    points = sorted(q.start for q in post.quotes if q.start == q.end)

    def in_taken(pos: int) -> bool:
        i = bisect_right(taken_starts, pos) - 1
        return i >= 0 and pos < taken_ends[i]

    def meets_taken(s: int, e: int) -> bool:
        i = bisect_right(taken_ends, s)
        j = bisect_right(points, s)
        return (i < len(taken) and taken_starts[i] < e) or (j < len(points) and points[j] < e)

    free = [not in_taken(s) for _k, s, _e in toks]
    owner, run_of = _runs(text, toks, free, sources, budget)
    _short_marked(text, toks, owner, sources)
    quotes: list[Quote] = []
    for s, e in _merge(_credited(text, toks, owner, run_of)):
        if meets_taken(s, e):
            continue
        idx = _inside(toks, s, e)
        known = [o for i in idx if (o := owner[i]) is not None]
        if not known:
            continue
        who: list[str] = []
        for i in idx:  # words the reply changed inside a quote go with their neighbours
            o = owner[i]
            who.append(o if o is not None else (who[-1] if who else known[0]))
        # One quote per stretch with the same origin; cut at the whitespace between them.
        start, k0 = s, 0
        for k in range(1, len(idx) + 1):
            if k < len(idx) and who[k] == who[k0]:
                continue
            end = e
            if k < len(idx):
                te, ns = toks[idx[k - 1]][2], toks[idx[k]][1]
                gap = text[te:ns]
                end = te + next((g for g, c in enumerate(gap) if c.isspace()), len(gap))
            quotes.append(Quote(text[start:end], who[k0], start, end))
            if k < len(idx):
                start = end + len(text[end:ns]) - len(text[end:ns].lstrip())
            k0 = k
    return sorted([*post.quotes, *quotes], key=lambda q: q.start)


def _unsourced_marked(post: Post) -> list[Quote]:
    """``>`` lines left unattributed: the post marks them as someone else's words (the linked
    article, another site), so they are quoted from an unknown source, never its own."""
    taken = _merge([(q.start, q.end) for q in post.quotes])
    ends = [e for _s, e in taken]
    found: list[Quote] = []
    for m in _LINE.finditer(post.text):
        s, e = m.span(1)
        if not m[1].startswith(">") or not _WORD.search(m[1]):
            continue
        i = bisect_right(ends, s)  # the first credited span ending after this line starts
        if i < len(taken) and taken[i][0] < e:
            continue  # already (partly) credited to a post of the thread
        found.append(Quote(post.text[s:e], "", s, e))
    return sorted([*post.quotes, *found], key=lambda q: q.start) if found else post.quotes


def attribute_quotes(thread: Thread) -> Thread:
    """Fill ``quotes`` of every reply with the words it copied from an ancestor.

    Returns a new Thread (posts replaced, the input is not mutated). Parents are processed
    before their replies, so text a parent itself quoted is credited to its original author.
    Idempotent: quotes already present are kept and their words are not matched again.
    """
    by_id = thread.by_id()
    articles = [p for p in thread.posts if p.kind == "article"]
    kids = thread.replies()
    order = [p.id for p in thread.posts if p.parent_id is None or p.parent_id not in by_id]
    for pid in order:  # breadth first: a parent always before its replies (cycles never)
        order.extend(kids[pid])
    done = dict(by_id)
    sources: dict[str, Source] = {}
    root: dict[str, str] = {}  # post id -> id of the top of its reply tree
    for pid in order:
        post = by_id[pid]
        parent = post.parent_id
        root[pid] = root[parent] if parent is not None and parent in root else pid
        top = by_id[root[pid]]
        if len(articles) <= MAX_ARTICLES:
            chain = _ancestors(post, by_id, articles)
        else:
            chain = _ancestors(post, by_id, [top] if top.kind == "article" else [])
        if post.kind == "article":
            continue
        if not chain:
            done[pid] = replace(post, quotes=_unsourced_marked(post))
            continue
        for a in chain:
            if a not in sources:
                sources[a] = _source(done[a])
        # Found quotes free the rest of the reply to match differently (a run that crossed
        # a line end credited neither line), so search again until nothing new is found:
        # a second attribute_quotes then finds nothing either. The budget spans the rounds.
        srcs = [sources[a] for a in chain]
        budget = [MAX_MATCH_WORK]
        quotes = _quotes_of(post, srcs, budget)
        while len(quotes) > len(post.quotes):
            post = replace(post, quotes=quotes)
            quotes = _quotes_of(post, srcs, budget)
        done[pid] = replace(post, quotes=_unsourced_marked(replace(post, quotes=quotes)))
    return replace(thread, posts=[done[p.id] for p in thread.posts])
