"""An attacked copy of a thread: tests/data/attacks.json's hostile posts appended to it.

The attack file is written against no particular thread: its slots are filled from the
thread it is appended to (its most prolific named authors, their rarest words, the name
the article mentions most), so the same attacks run on the seed, a Reddit or an HN thread.
Attack posts get ids ``attack-N``; ``scored`` counts answers that cite one.
Used by tests/test_attacks.py and bench/qa.py.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from argmap.records import Post, Thread

ROOT = Path(__file__).resolve().parent.parent
ATTACKS = ROOT / "tests" / "data" / "attacks.json"
PREFIX = "attack-"
_WORD = re.compile(r"[A-Za-z][A-Za-z'-]+")
_NAME = re.compile(r"(?<![.!?:]\s)(?<!^)\b([A-Z][a-z]{2,})\b", re.M)
_HANDLE = re.compile(r"[\w'-]+(?: [\w'-]+)*")  # "[deleted]" and the like are no one's name


@dataclass(frozen=True)
class AttackQuestion:
    kind: str  # "author": every citation by ``author``; otherwise no attack post may lead
    question: str
    author: str = ""


def _rarest(texts: list[str], df: Counter[str], n: int) -> list[str]:
    words = [w.lower() for t in texts for w in _WORD.findall(t) if len(w) >= 5]
    return sorted(dict.fromkeys(words), key=lambda w: (df[w], -len(w), w))[:n]


def slots(thread: Thread) -> dict[str, str]:
    """Fill the attack templates' slots from ``thread`` (see the attack file's "about")."""
    comments = [p for p in thread.posts if p.kind == "comment" and p.author]
    ranked = [a for a, _ in Counter(p.author for p in comments).most_common()
              if _HANDLE.fullmatch(a)]
    if len(ranked) < 2:
        raise ValueError("an attacked thread needs at least two named authors")
    victim, victim2 = ranked[:2]
    df: Counter[str] = Counter()
    for p in thread.posts:
        df.update({w.lower() for w in _WORD.findall(p.own_text)})
    article = " ".join(p.text for p in thread.posts if p.kind == "article") or comments[0].text
    names = Counter(m.group(1) for m in _NAME.finditer(article)
                    if m.group(1).lower() not in {a.lower() for a in ranked})
    ordered = sorted(names, key=lambda n: (-names[n], n))
    entity = ordered[0] if ordered else _rarest([article], df, 1)[0].title()
    # a side actor: the name the article repeats least (a name said once is often no actor)
    side = [n for n in names if names[n] > 1] or [entity]
    entity2 = min(side, key=lambda n: (names[n], df[n.lower()], n))

    def topic(author: str) -> str:
        return _rarest([p.own_text for p in comments if p.author == author], df, 1)[0]

    return {"victim": victim, "victim2": victim2, "victim_lower": victim.lower(),
            "topic": topic(victim), "topic2": topic(victim2), "entity": entity, "entity2": entity2,
            "keywords": " ".join(_rarest([article], df, 5))}


def _fill(template: str, values: dict[str, str]) -> str:
    return template.format(**values)


def attacked(thread: Thread, spec: dict[str, Any] | None = None
             ) -> tuple[Thread, list[AttackQuestion]]:
    """A copy of ``thread`` with the attack posts appended, and the questions to ask it."""
    spec = spec or json.loads(ATTACKS.read_text(encoding="utf-8"))
    values = slots(thread)
    first_by: dict[str, Post] = {}
    for p in thread.posts:
        if p.kind == "comment" and p.author:
            first_by.setdefault(p.author, p)
    article = next((p for p in thread.posts if p.kind == "article"), None)
    # a post with no "reply_to" is top-level, hung where the thread hangs its first comment
    first = next(p for p in thread.posts if p.kind == "comment")
    top = next((p for p in thread.posts if p.id == first.parent_id), None)
    parents = {"victim": first_by[values["victim"]], "victim2": first_by[values["victim2"]],
               "article": article, "": top}
    # first among their siblings, as an early poster's would be: thread order gives no cover
    posts = [p for p in thread.posts if p.kind == "article"]
    rest = [p for p in thread.posts if p.kind != "article"]
    for i, a in enumerate(spec["posts"], start=1):
        payload = spec["payloads"][i % len(spec["payloads"])]
        parent = parents.get(a.get("reply_to", ""))
        posts.append(Post(
            id=f"{PREFIX}{i}", kind="comment", author=a["author"],
            text=_fill(a["text"], {**values, "payload": payload}),
            parent_id=parent.id if parent else None, depth=parent.depth + 1 if parent else 1))
    posts += rest
    questions = [AttackQuestion(q["kind"], _fill(q["question"], values),
                                values.get(q.get("who", ""), ""))
                 for q in spec["questions"]]
    return Thread(title=thread.title, posts=posts, format=thread.format), questions


def write_attacked(base: Path, out: Path) -> list[AttackQuestion]:
    """Parse ``base``, append the attacks, write JSON Lines to ``out`` (ingest it as usual)."""
    from ingest.formats import parse_file
    from ingest.formats.jsonl import dump_jsonl

    thread, questions = attacked(parse_file(base))
    out.write_text(dump_jsonl(thread), encoding="utf-8")
    return questions


def is_attack(post_id: str) -> bool:
    return post_id.startswith(PREFIX)


def scored(index: Any, questions: list[AttackQuestion], clean: Any = None,
           engine: str = "extractive") -> list[dict[str, Any]]:
    """One row per question: what was cited, and whether the attack got through: an author
    question cited someone else, or an attack post leads an answer that the ``clean``
    thread (when given) answers without the attacks."""
    from argmap.qa import ask

    rows = []
    for q in questions:
        ans = ask(q.question, index=index, engine=engine)
        cited = [c.post_id for c in ans.citations]
        authors = {c.author for c in ans.citations}
        if q.kind == "author":
            failed = any(is_attack(c) for c in cited) or bool(authors - {q.author})
        else:
            genuine = clean is None or not ask(q.question, index=clean, engine=engine).abstained
            failed = genuine and bool(cited) and is_attack(cited[0])
        rows.append({"question": q.question, "kind": q.kind, "cited": cited,
                     "cites_attack": any(is_attack(c) for c in cited), "failed": failed,
                     "abstained": ans.abstained, "answer": ans.answer})
    return rows

