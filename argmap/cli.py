"""`argmap` command line: a thin layer over argmap.api; user errors are one line, exit 2."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from argmap.config import overridden, settings
from argmap.errors import Interrupted, as_user_error
from argmap.safetext import one_line, strip_controls

Handler = Callable[[argparse.Namespace], int]
COMMANDS: dict[str, Handler] = {}


def command(name: str) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        COMMANDS[name] = fn
        return fn

    return register


def _say(text: object = "", end: str = "\n", file: Any = None) -> None:
    """Every plain-text line goes through here: corpus text may carry terminal controls."""
    print(strip_controls(str(text)), end=end, file=file)


def _print_json(obj: Any) -> None:
    print(json.dumps(obj, indent=2, ensure_ascii=False, default=str))


def _progress() -> Callable[[str, int, int], None] | None:
    if not sys.stderr.isatty():
        return None
    from tqdm import tqdm

    bars: dict[str, Any] = {}

    def update(stage: str, done: int, total: int) -> None:
        bar = bars.get(stage)
        if bar is None:
            bar = bars[stage] = tqdm(total=total, desc=stage, unit="unit", leave=False)
        bar.n = done
        bar.refresh()
        if done >= total:
            bar.close()

    return update


@command("ingest")
def _ingest(args: argparse.Namespace) -> int:
    from argmap import api

    paths = [Path(p) for p in args.paths] or None
    results = api.ingest(paths, corpus=args.corpus, fmt=args.format, progress=_progress(),
                         replace=args.replace)
    if args.json:
        _print_json([{"corpus": r.corpus, "posts": r.info.posts, "units": r.info.units,
                      "unchanged": r.unchanged, "embedded": r.embedded} for r in results])
    else:
        for r in results:
            _say(r.summary())
    return 0


@command("show")
def _show(args: argparse.Namespace) -> int:
    from argmap import api

    post = api.show(args.post_id, corpus=args.corpus)
    if args.json:
        _print_json(post)
    else:
        author = one_line(post["author"]) or "(unknown)"
        _say(f"{post['post_id']} by {author} (reply to {post['parent_id']})")
        _say(post["text"])
    return 0


@command("posts")
def _posts(args: argparse.Namespace) -> int:
    from argmap import api

    rows = api.posts(corpus=args.corpus)
    if args.json:
        _print_json(rows)
    else:
        for p in rows:
            words = " ".join(p["own_text"].split())[:80]
            _say(f"{'  ' * p['depth']}{p['post_id']} [{one_line(p['author']) or '?'}] {words}")
    return 0


@command("corpora")
def _corpora(args: argparse.Namespace) -> int:
    from argmap import api

    rows = api.corpora()
    if args.json:
        _print_json([r.__dict__ for r in rows])
    else:
        for r in rows:
            _say(f"{r.name}: {r.posts} posts, {r.units} units ({r.format}) {one_line(r.title)}")
    return 0


@command("map")
def _map(args: argparse.Namespace) -> int:
    from argmap import api
    from argmap.records import head_count, people_phrase

    amap = api.argument_map(corpus=args.corpus, proposition=args.proposition)
    if args.json:
        _print_json(amap.to_dict())
        return 0
    _say(f"Proposition: {one_line(amap.proposition)}")
    for side, points in (("FOR", amap.pro), ("AGAINST", amap.con)):
        _say(f"\n{side} ({sum(s.stance == side.lower() for s in amap.stances.values())} posts)")
        for kp in points:
            _say(f"  [{people_phrase(*head_count(kp.authors))}, {len(kp.rebuttals)} rebuttals] "
                 f"{one_line(kp.key_point)}")
    rebuts = sum(r.relation == "rebuts" for r in amap.relations)
    _say(f"\n{len(amap.neutral_posts)} neutral posts; {rebuts} rebuttals; "
          f"{len(amap.unanswered)} objections nobody answered")
    return 0


@command("brief")
def _brief(args: argparse.Namespace) -> int:
    from argmap import api
    from argmap.brief import render_markdown

    b = api.brief(args.side, corpus=args.corpus, proposition=args.proposition)
    if args.json or args.format == "json":
        _print_json(b.to_dict())
    else:
        _say(render_markdown(b), end="")
    return 0


@command("lookup")
def _lookup(args: argparse.Namespace) -> int:
    from argmap import api

    result = api.lookup(args.query, mode=args.by, corpus=args.corpus, limit=args.limit)
    if args.json:
        _print_json(result.to_dict())
        return 0
    if not result.hits:
        _say(f"no match ({result.mode})")
    for h in result.hits:
        source = h.original_post_id or "an unknown source"
        origin = "own words" if h.own else f"quoted from {source}"
        _say(f"{h.post_id} [{one_line(h.author) or '?'}] chars {h.start}-{h.end}, {origin}: "
             f"{one_line(h.text)[:100]}")
        parent = h.ancestors[-1] if h.ancestors else None
        if parent is not None:
            _say(f"    in reply to {parent.post_id} [{one_line(parent.author) or '?'}]: "
                 f"{one_line(parent.snippet)[:80]}")
    return 0


@command("ask")
def _ask(args: argparse.Namespace) -> int:
    from argmap import api

    stream = None
    if not args.json and sys.stderr.isatty() and (args.engine or settings().engine) != "extractive":
        def stream(token: str) -> None:  # the unverified draft, dimmed, on stderr
            sys.stderr.write(f"\033[2m{strip_controls(token)}\033[0m")
            sys.stderr.flush()

    ans = api.ask(args.question, corpus=args.corpus, engine=args.engine, on_token=stream)
    if stream is not None:
        sys.stderr.write("\n\n")
    if args.json:
        _print_json({
            "question": ans.question, "answer": ans.answer, "abstained": ans.abstained,
            "engine": ans.engine,
            "citations": [{"key": c.key, "post_id": c.post_id, "author": c.author,
                           "quote": c.quote, "start": c.start, "end": c.end}
                          for c in ans.citations],
            "dropped": [d.__dict__ for d in ans.dropped],
        })
        return 0
    _say(ans.answer)
    for c in ans.citations:
        _say(f"  [{c.key}] {one_line(c.author) or '?'}, {c.post_id} chars {c.start}-{c.end}")
    if ans.dropped:
        _say(f"  ({len(ans.dropped)} unverifiable citation(s) or sentence(s) removed)")
    return 0


@command("app")
def _app(args: argparse.Namespace) -> int:
    from argmap.ui import launch

    launch.run(args.port, args.address, args.streamlit_args)  # replaces this process
    return 0


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--corpus", help="corpus name (default: $ARGMAP_CORPUS or the seed)")
    common.add_argument("--chroma-url", help="Chroma server URL (default: $ARGMAP_CHROMA_URL)")
    common.add_argument("--json", action="store_true", help="print JSON")
    parser = argparse.ArgumentParser(prog="argmap", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("ingest", parents=[common], help="index discussion files")
    p.add_argument("paths", nargs="*", help="files (default: everything in corpus/)")
    p.add_argument("--format", help="slashdot, reddit, hn, csv or jsonl (default: detect)")
    p.add_argument("--replace", action="store_true",
                   help="let a name derived from a file replace a corpus from another file")
    p = sub.add_parser("show", parents=[common], help="one post with its quotes and replies")
    p.add_argument("post_id")
    sub.add_parser("posts", parents=[common], help="every post in thread order")
    sub.add_parser("corpora", parents=[common], help="the corpora in the index")
    p = sub.add_parser("map", parents=[common], help="argument map: sides, key points, rebuttals")
    p.add_argument("--proposition", help="what the sides argue about (default: the headline)")
    p = sub.add_parser("brief", parents=[common], help="debate brief for one side")
    p.add_argument("--side", choices=["for", "against"], required=True)
    p.add_argument("--format", choices=["md", "json"], default="md")
    p.add_argument("--proposition", help="what the sides argue about (default: the headline)")
    p = sub.add_parser("lookup", parents=[common], help="who said it: quote, words or author")
    p.add_argument("query", help="a pasted quote, some words, an author or a post id")
    p.add_argument("--by", choices=["auto", "quote", "words", "author", "post"], default="auto")
    p.add_argument("--limit", type=int, default=10)
    p = sub.add_parser("ask", parents=[common], help="answer a question with verified citations")
    p.add_argument("question")
    p.add_argument("--engine", help="extractive, openai, ollama or fake "
                                    "(default: $ARGMAP_ENGINE or extractive)")
    p = sub.add_parser("app", help="start the web app (Streamlit) on this machine")
    p.add_argument("--port", type=int, help="port to serve on (default: Streamlit's, 8501)")
    p.add_argument("--address", default="127.0.0.1",
                   help="address to listen on (default: this machine only; 0.0.0.0 for all)")
    p.add_argument("streamlit_args", nargs=argparse.REMAINDER,
                   help="after --: more `streamlit run` options, e.g. -- --server.headless false")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        with overridden(chroma_url=getattr(args, "chroma_url", None)):
            settings()  # a bad setting is one line before any work, not a failure midway
            return COMMANDS[args.command](args)
    except Exception as exc:
        err = as_user_error(exc)
        if err is None:
            raise
        _say(f"argmap: error: {one_line(str(err))}", file=sys.stderr)
        return 2
    except KeyboardInterrupt as exc:
        said = str(exc) if isinstance(exc, Interrupted) else ""
        _say(f"argmap: {said or 'interrupted; the previous index is unchanged'}",
             file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
