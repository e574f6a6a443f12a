"""Thread-level stance and key points on the hand-labelled threads (tests/data/thread_labels/).

For each labelled discussion (labelled before any argmap run on it; see its README), ingested
into a temp home and mapped for its written-out proposition, prints:
- post stance accuracy and for / against recall over the labelled posts, with the thread
  structure (the map's final stance of each post) and without it (each post's own words
  alone, argmap.stance.stance_probs, as build_map computes them), beside always answering the
  thread's commonest label;
- the share of key points whose quoted post (the first verified quote, the key point's own
  sentence) is labelled argument=true, among key points quoting a labelled post;
- for up to 5 key points, the people the map counts beside those a reader counts from the
  labels: the key point's labelled posts that are on its side and make an argument (whether
  they make *the same* argument is left to the reader of this output, with the text shown).
Nothing here is tuned: it measures. Run: nice -n 19 python bench/threads.py
(the MT-CSD thread is skipped with a line when ../shared is missing).
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.thread_labels import STANCES, PostLabel, ThreadLabels, all_labels, source_file  # noqa: E402

if TYPE_CHECKING:
    from argmap.records import ArgumentMap, KeyPoint
    from argmap.view import CorpusView

SHOWN_POINTS = 5


def scores(gold: Sequence[str], pred: Sequence[str]) -> str:
    """Accuracy and each side's recall ("n/a" for a side no post is labelled with)."""
    acc = sum(g == p for g, p in zip(gold, pred, strict=True)) / len(gold)
    parts = [f"acc {acc:.2f}"]
    for side in ("for", "against"):
        n = sum(g == side for g in gold)
        hit = sum(g == p == side for g, p in zip(gold, pred, strict=True))
        parts.append(f"{side}-recall {hit / n:.2f} ({hit}/{n})" if n else f"{side}-recall n/a")
    called = Counter(pred)
    parts.append("called " + "/".join(str(called[s]) for s in STANCES) + " f/a/n")
    return ", ".join(parts)


def own_words(index: CorpusView, proposition: str, ids: list[str]) -> list[str]:
    """Each post's stance from its own words alone (no words: neutral), as build_map reads it."""
    from argmap.stance import LABELS, stance_probs

    texts = {pid: index.posts[pid].own_text for pid in ids if index.posts[pid].own_text.strip()}
    probs = dict(zip(texts, stance_probs(proposition, list(texts.values())), strict=True))
    return [LABELS[int(probs[pid].argmax())] if pid in probs else "neutral" for pid in ids]


def people(index: CorpusView, post_ids: list[str]) -> str:
    from argmap.records import Author, head_count, people_phrase

    return people_phrase(*head_count(list({Author.of(index.posts[p]).key: Author.of(
        index.posts[p]) for p in post_ids}.values())))


def key_points(index: CorpusView, amap: ArgumentMap, gold: dict[str, PostLabel]) -> None:
    from argmap.records import head_count, people_phrase

    sides: list[tuple[str, KeyPoint]] = [("for", k) for k in amap.pro]
    sides += [("against", k) for k in amap.con]
    quoted = [(side, k, k.quotes[0].post_id) for side, k in sides if k.quotes]
    judged = [(side, k, pid) for side, k, pid in quoted if pid in gold]
    real = sum(gold[pid].argument for _, _, pid in judged)
    share = f"{real / len(judged):.2f}" if judged else "n/a"
    print(f"  key points: {len(amap.pro)} for, {len(amap.con)} against; quoting a labelled "
          f"post: {len(judged)} (judgeable); quoted post labelled argument: {real}/"
          f"{len(judged)} = {share}")
    # up to SHOWN_POINTS, taking the two sides in turn, strongest first
    pro, con = sides[:len(amap.pro)], sides[len(amap.pro):]
    turns = [sk for pair in zip(pro, con, strict=False) for sk in pair]
    turns += (pro if len(pro) > len(con) else con)[min(len(pro), len(con)):]
    for side, k in turns[:SHOWN_POINTS]:
        labelled = [p for p in k.post_ids if p in gold]
        agree = [p for p in labelled if gold[p].stance == side and gold[p].argument]
        head = k.quotes[0].post_id if k.quotes else "-"
        mark = (f"{gold[head].stance}, argument={gold[head].argument}" if head in gold
                else "not labelled")
        print(f"  [{side}] {k.key_point[:90]!r}")
        print(f"      quoted post {head} ({mark}); map: {people_phrase(*head_count(k.authors))}"
              f" | reader: {people(index, agree) if agree else 'nobody'} "
              f"(labelled {side} + argument among its {len(labelled)} labelled of "
              f"{len(k.post_ids)} posts)")


def bench_thread(labels: ThreadLabels, workdir: Path) -> None:
    from argmap import api
    from argmap.mapping import default_proposition, get_map

    src = source_file(labels, workdir)
    if src is None:
        print(f"{labels.name}: skipped, its thread is not on this machine ({labels.source})")
        return
    t0 = time.perf_counter()
    api.ingest([src], corpus=labels.name.replace("_", "-"))
    index = api.open_corpus(labels.name.replace("_", "-"))
    prop = labels.proposition
    # the map cached at ingest is the one for the default proposition; others are built here
    amap = get_map(index, None if prop == default_proposition(index) else prop)
    seconds = time.perf_counter() - t0
    ids = [p.id for p in labels.posts]
    gold = [p.stance for p in labels.posts]
    final = [amap.stances[i].stance if i in amap.stances else "neutral" for i in ids]
    own = own_words(index, prop, ids)
    commonest = Counter(gold).most_common(1)[0][0]
    comments = sum(p.kind == "comment" for p in index.thread.posts)
    print(f"{labels.name}: {len(ids)} labelled of {comments} comments; proposer "
          f"{labels.proposer or 'none'}; ingest + map {seconds:.0f}s")
    print(f"  proposition: {prop!r}")
    print("  labels: " + "/".join(str(gold.count(s)) for s in STANCES) + " f/a/n")
    print(f"  with structure (map): {scores(gold, final)}")
    print(f"  own words only:       {scores(gold, own)}")
    print(f"  always {commonest!r}:  {scores(gold, [commonest] * len(gold))}")
    if labels.proposer:
        mine = [i for i, p in enumerate(labels.posts) if p.author == labels.proposer]
        print(f"  proposer's {len(mine)} labelled posts called for: with structure "
              f"{sum(final[i] == 'for' for i in mine)}, own words "
              f"{sum(own[i] == 'for' for i in mine)} (labelled for: "
              f"{sum(gold[i] == 'for' for i in mine)})")
    key_points(index, amap, labels.by_id())


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="argmap-threads-") as work:
        os.environ["ARGMAP_HOME"] = str(Path(work) / "home")  # a store of its own, removed after
        for _, labels in all_labels():
            bench_thread(labels, Path(work))
            print()


if __name__ == "__main__":
    main()
