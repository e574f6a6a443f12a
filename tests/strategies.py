"""Hypothesis strategies for hostile and valid-ish source files of every format argmap reads.

One abstract thread (``Model``: an article and comments with parent links, reply texts that
paste, ``>``-quote and "fragment"-quote their ancestors) is rendered into each format with
that format's own noise: Slashdot indentation/bullets/by-lines, Reddit ``more`` stubs and
deleted bodies, HN HTML, CSV columns/quoting/BOM/bad parents, JSONL odd fields and types.
``mutated`` damages any rendered document; ``raw_*`` and ``json_text`` are random text,
bytes and JSON (``deep_json`` nested past the recursion limit); ``big_docs`` are long
repetitive posts and many-thread files that expose anything superlinear.
Documents come as ``(text or bytes, suffix)`` (the suffix matters for detection),
``any_doc`` and ``big_docs`` also name the format they were rendered in.
"""

from __future__ import annotations

import csv
import html
import io
import json
from dataclasses import dataclass, field
from typing import Any

from hypothesis import strategies as st

# --- text --------------------------------------------------------------------------------

WORDS = (
    "the police AI Microsoft cameras should not be used for facial recognition I think "
    "you're wrong because data privacy matters it's a ban on law enforcement company "
    "government don't can't tool service Azure OpenAI terms US people money trust camer "
    "naïve 日本語 emoji🙂 e.g. U.S. Mr. 1.5 #123 http://x.y/z?a=1&b=2 IMHO GTFO"
).split()
# Tokens parsers or the quote finder treat specially, sprinkled into otherwise plain text.
ODD = [
    "•", ">", ">>", "&gt;", "&amp;", "&lt;p&gt;", "<p>", "<i>", "</i>", '"', "“", "”", "‘", "’",
    "„", "«", "»", "'", "...", "…", "(", ")", "[", "]", "{", "}", ",", ";", "-", "—", "–",
    "*", "\\", "\t", "\u2028", "\x85", "\x0c", "\x1c", "\u00a0", "\ufeff", "\ue000", "\ue001",
    "\ue0001\ue001", "Comments Filter:", "typodupeerror", "by x ( 12 )", "(#99)", "csv-1",
    "t1_x", "hn-1", "[deleted]", "[removed]", "NaN", "null", "1e999", "０", "٣",
]
END = ["", ".", "!", "?", "…", '."', ".”", ",", ";", "?!", ". ", "...", ")"]
# Any character a UTF-8 file can hold except NUL (NUL files are rejected before parsing).
ANY_CHAR = st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00")
AUTHORS = [
    "alice", "bob", "Carol D.", "Anonymous Coward", "[deleted]", "", "名前", "x" * 60,
    "  padded  ", "by ( 1 )", "a\tb",
]


# Words, some ending a clause or sentence, so a paragraph is one cheap list draw.
VOCAB = WORDS + [w + p for w in WORDS[:24] for p in (".", ",", "?", "!", ".\"")] + ODD


def _rare(draw: st.DrawFn, n: int) -> bool:
    """True about once in ``n + 1`` draws; shrinks to False (Hypothesis shrinks towards 0)."""
    return draw(st.integers(0, n)) == n


@st.composite
def sentence(draw: st.DrawFn) -> str:
    words = draw(st.lists(st.sampled_from(VOCAB), min_size=1, max_size=10))
    if _rare(draw, 7):  # now and then anything at all
        words.insert(draw(st.integers(0, len(words))), draw(st.text(ANY_CHAR, max_size=8)))
    sep = draw(st.sampled_from([" ", " ", " ", "  ", "\t"]))
    return sep.join(words) + draw(st.sampled_from(END))


@st.composite
def paragraph(draw: st.DrawFn) -> str:
    words = draw(st.lists(st.sampled_from(VOCAB), min_size=1, max_size=36))
    if _rare(draw, 5):
        words.insert(draw(st.integers(0, len(words))), draw(st.text(ANY_CHAR, max_size=8)))
    return " ".join(words) + draw(st.sampled_from(END))


def _pick(draw: st.DrawFn, text: str, max_len: int = 200) -> str:
    """A slice of ``text`` (may start or end mid-word)."""
    if not text:
        return ""
    i = draw(st.integers(0, len(text) - 1))
    j = draw(st.integers(i, min(len(text), i + max_len)))
    return text[i:j]


def _pick_words(draw: st.DrawFn, text: str) -> str:
    words = text.split()
    if not words:
        return ""
    i = draw(st.integers(0, len(words) - 1))
    j = draw(st.integers(i + 1, min(len(words), i + 12)))
    return " ".join(words[i:j])


@st.composite
def reply_text(draw: st.DrawFn, ancestors: tuple[str, ...] = ()) -> str:
    """Own words mixed with words taken from ``ancestors`` the ways people quote them."""
    kinds = ["own", "own", "raw"]
    if any(a.strip() for a in ancestors):
        kinds += ["paste", "gt", "gt", "frag", "frag", "line", "slice"]
    pieces: list[str] = []
    for _ in range(draw(st.integers(0, 3))):
        kind = draw(st.sampled_from(kinds))
        src = ""
        if kind not in ("own", "raw"):
            src = draw(st.sampled_from([a for a in ancestors if a.strip()]))
        if kind == "own":
            pieces.append(draw(paragraph()))
        elif kind == "raw":
            pieces.append(draw(st.text(ANY_CHAR, max_size=40)))
        elif kind == "paste":
            pieces.append(src)
        elif kind == "gt":
            lines = [ln for ln in src.splitlines() if ln.strip()] or [src]
            line = draw(st.sampled_from(lines))
            mark = draw(st.sampled_from(["> ", ">", ">> ", "> > ", "&gt; ", " > "]))
            part = _pick_words(draw, line) if draw(st.booleans()) else line
            pieces.append(mark + part)
        elif kind == "frag":
            q1, q2 = draw(st.sampled_from([('"', '"'), ("“", "”"), ("„", "“"), ("«", "»")]))
            frag = f"{q1}{_pick_words(draw, src)}{q2}"
            pieces.append(f"{draw(paragraph())} {frag} {draw(sentence())}")
        elif kind == "line":
            lines = [ln for ln in src.splitlines() if ln.strip()] or [src]
            pieces.append(draw(st.sampled_from(lines)))
        else:
            pieces.append(_pick(draw, src))
    if _rare(draw, 30):  # now and then a long post: windowed segmentation
        pieces.append(" ".join([draw(sentence())] * draw(st.integers(30, 150))))
    sep = draw(st.sampled_from(["\n", "\n\n", " ", "\n\n\n", "\r\n", "\n \n"]))
    return sep.join(pieces)


# --- the abstract thread -----------------------------------------------------------------


@dataclass
class Comment:
    parent: int | None  # index of an earlier comment; None = top level
    text: str
    author: str
    deleted: bool = False


@dataclass
class Model:
    title: str
    article: str
    author: str
    comments: list[Comment] = field(default_factory=list)

    def preorder(self) -> list[tuple[int, int]]:
        """(comment index, depth) in thread pre-order; top-level comments have depth 1."""
        kids: dict[int | None, list[int]] = {}
        for i, c in enumerate(self.comments):
            kids.setdefault(c.parent, []).append(i)
        out: list[tuple[int, int]] = []
        stack = [(i, 1) for i in reversed(kids.get(None, []))]
        while stack:
            i, d = stack.pop()
            out.append((i, d))
            stack.extend((k, d + 1) for k in reversed(kids.get(i, [])))
        return out

    def children(self, parent: int | None) -> list[int]:
        return [i for i, c in enumerate(self.comments) if c.parent == parent]


@st.composite
def models(draw: st.DrawFn, min_comments: int = 0, max_comments: int = 12) -> Model:
    title = draw(st.one_of(sentence(), st.just(""), st.text(ANY_CHAR, max_size=30)))
    article = draw(st.one_of(reply_text(), st.just("")))
    comments: list[Comment] = []
    texts: list[str] = []
    for i in range(draw(st.integers(min_comments, max_comments))):
        if i == 0:
            parent = None
        else:  # biased towards chains, so threads get deep
            parent = draw(st.one_of(st.none(), st.just(i - 1), st.integers(0, i - 1)))
        chain: list[str] = []
        p = parent
        while p is not None:
            chain.append(texts[p])
            p = comments[p].parent
        text = draw(reply_text(tuple([*chain, article, title])))
        texts.append(text)
        deleted = _rare(draw, 9)
        comments.append(Comment(parent, text, draw(st.sampled_from(AUTHORS)), deleted))
    return Model(title, article, draw(st.sampled_from(AUTHORS)), comments)


def _hostile(draw: st.DrawFn) -> bool:
    """A third of documents carry the defects that must end in an error (bad ids, parents,
    types); the rest only noise a parser must absorb, so success paths get exercised too."""
    return _rare(draw, 2)


def _lines(text: str) -> list[str]:
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


# --- Slashdot ----------------------------------------------------------------------------

DATES = [
    "Thursday May 02, 2024 @03:37PM",
    "Thursday May 02, 2024 @15:37",
    "Friday February 30, 2024 @03:37PM",
    "yesterday",
    "Thursday May 02, 2024 @99:99PM",
]


@st.composite
def _byline(draw: st.DrawFn, author: str) -> str:
    kind = draw(st.sampled_from(["none", "none", "name", "full", "ac", "ac_full", "odd"]))
    uid = draw(st.integers(0, 10**12))
    cid = draw(st.one_of(st.integers(0, 30), st.integers(0, 10**9)))  # small ids repeat
    date = draw(st.sampled_from(DATES))
    extra = draw(st.sampled_from(["", " Homepage", " Journal", " Homepage Journal"]))
    name = author.strip() or "x"
    return {
        "none": "",
        "name": f"by {name} ( {uid} ){extra}",
        "full": f"by {name} ( {uid} ) on {date} (#{cid}){extra}",
        "ac": "by Anonymous Coward",
        "ac_full": f"by Anonymous Coward on {date} (#{cid})",
        "odd": draw(st.sampled_from(["by", "by ( )", f"by {name} ({uid}", "by  ( 1 ) on (#)"])),
    }[kind]


@st.composite
def slashdot_docs(draw: st.DrawFn) -> tuple[str, str]:
    m = draw(models())
    out: list[str] = []
    chrome = ["Become a fan of Slashdot on Facebook", "", "Forgot your password?",
              "typodupeerror", "×"]
    if draw(st.booleans()):
        out += chrome
    if draw(st.booleans()):
        out.append(draw(st.sampled_from(["AI Microsoft", "AI", "Privacy Government Police"])))
    count = draw(st.one_of(st.none(), st.integers(0, 10**6)))
    title = m.title.strip()
    if title or draw(st.booleans()):
        out.append(f"{title} {count}" if count is not None else title)
        out.append("")
    if draw(st.booleans()):
        out.append(f"Posted by {m.author or 'msmash'} on {draw(st.sampled_from(DATES))}"
                   + draw(st.sampled_from(["", " from the dept dept."])))
    out += _lines(m.article)
    archived = draw(st.booleans())
    if archived:
        out += ["This discussion has been archived. No new comments can be posted.", "", title]
    if archived or draw(st.booleans()):
        out += ["", "Comments Filter:"]
    unit = draw(st.sampled_from(["  ", "  ", "  ", " ", "   ", "\t", "    "]))
    base = draw(st.sampled_from(["  ", "  ", "", " ", "\t"]))
    cont = draw(st.sampled_from(["  ", "  ", " ", "    ", "\t"]))
    for i, depth in m.preorder():
        c = m.comments[i]
        ind = base + unit * (depth - 1)
        if _rare(draw, 15):  # a jittered line
            ind += draw(st.sampled_from([" ", "\t", ""]))
        bullet = "•" + draw(st.sampled_from([" ", " ", "", "\t", "  "]))
        by = draw(_byline(c.author))
        lines = [ln for ln in _lines(c.text)]
        if c.deleted:
            lines = []
        if by:
            head, body = by, lines
            if body and draw(st.booleans()):
                head, body = f"{by} {body[0]}", body[1:]
        else:
            head, body = (lines[0], lines[1:]) if lines else ("", [])
        out.append(ind + bullet + head)
        for ln in body:
            if not ln.strip() or _rare(draw, 3):
                out.append("")
            out.append(ind + cont + ln if ln.strip() else ln)
        if _rare(draw, 6):
            out.append("")
    if draw(st.booleans()):
        out += ["", "Working...", "", draw(sentence())]
    eol = draw(st.sampled_from(["\n", "\n", "\r\n", "\r"]))
    bom = draw(st.sampled_from(["", "", "\ufeff"]))
    return bom + eol.join(out) + draw(st.sampled_from(["", eol])), draw(
        st.sampled_from([".txt", ".txt", "", ".html"])
    )


# --- Reddit ------------------------------------------------------------------------------

TIMESTAMPS = st.one_of(
    st.integers(0, 2_000_000_000),
    st.floats(0, 2e9),
    st.sampled_from([1e20, -1e20, 1e300, float("inf"), float("-inf"), float("nan"), -1, 2**63,
                     253402300800, True, "1714661820", None, [], {}]),
)
JSON_LEAF = st.one_of(
    st.none(), st.booleans(), st.integers(-(2**70), 2**70), st.floats(allow_nan=True),
    st.text(ANY_CHAR, max_size=12),
)


def _json_containers(kids: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    keys = st.text(ANY_CHAR, max_size=8)
    return st.one_of(st.lists(kids, max_size=4), st.dictionaries(keys, kids, max_size=4))


JSON_ANY = st.recursive(JSON_LEAF, _json_containers, max_leaves=8)


def _reddit_escape(s: str) -> str:
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _listing(children: list[Any]) -> Any:
    return {"kind": "Listing", "data": {"after": None, "children": children, "dist": None}}


@st.composite
def reddit_docs(draw: st.DrawFn) -> tuple[str, str]:
    m = draw(models())
    hostile = _hostile(draw)
    id_style = draw(st.sampled_from(["b36", "b36", "int", "dup", "odd"] if hostile else ["b36"]))

    def cid(i: int) -> Any:
        if id_style == "int":
            return i
        if id_style == "dup":
            return f"c{i % 3}"
        if id_style == "odd":
            return draw(st.sampled_from([f"c{i}", "", None, f"x y:{i}", f"c{i}\n"]))
        return f"c{i:x}z"

    def body(c: Comment) -> Any:
        if c.deleted:
            return draw(st.sampled_from(["[deleted]", "[removed]", "", None, 0, False]))
        return _reddit_escape(c.text)

    def more() -> Any:
        return {
            "kind": "more",
            "data": {
                "count": draw(st.one_of(st.integers(0, 500), st.sampled_from(["3", None, 1.5]))),
                "children": ["abc", "def"],
                "id": "_",
            },
        }

    def node(i: int) -> Any:
        c = m.comments[i]
        kids = [node(k) for k in m.children(i)]
        for _ in range(draw(st.integers(1, 2)) if _rare(draw, 2) else 0):
            kids.insert(draw(st.integers(0, len(kids))), more())
        if _rare(draw, 25):
            kids.insert(0, draw(st.sampled_from([{"kind": "t3", "data": {}}, {"kind": "x",
                                                                              "data": {}}])))
        if kids:
            replies: Any = _listing(kids)
        else:
            replies = draw(st.sampled_from(["", "", None, {}, {"kind": "Listing"}]))
        the_id = cid(i)
        data: dict[str, Any] = {
            "id": the_id,
            "body": body(c),
            "author": "[deleted]" if c.deleted else c.author,
            "created_utc": draw(TIMESTAMPS),
            "replies": replies,
            "score": draw(st.integers(-100, 10**6)),
        }
        if draw(st.integers(0, 4)):
            data["name"] = f"t1_{the_id}"
        if _rare(draw, 8):
            data[draw(st.sampled_from(["edited", "gilded", "body_html", "depth"]))] = draw(JSON_ANY)
        if _rare(draw, 10):
            del data[draw(st.sampled_from(["body", "author", "created_utc", "replies"]))]
        return {"kind": "t1", "data": data}

    tops = [node(i) for i in m.children(None)]
    for _ in range(draw(st.integers(0, 2))):
        tops.insert(draw(st.integers(0, len(tops))), more())
    sub: dict[str, Any] = {
        "id": "abc",
        "name": "t3_abc",
        "title": _reddit_escape(m.title),
        "selftext": _reddit_escape(m.article),
        "author": m.author,
        "subreddit": "self",
        "created_utc": draw(TIMESTAMPS),
        "url": draw(st.sampled_from(["https://www.reddit.com/r/self/comments/abc/t/", "", None])),
        "permalink": draw(st.sampled_from(["/r/self/comments/abc/t/", "", None, 5])),
    }
    if _rare(draw, 8):
        del sub[draw(st.sampled_from(["id", "name", "title", "selftext", "url"]))]
    doc = [_listing([{"kind": "t3", "data": sub}]), _listing(tops)]
    indent = draw(st.sampled_from([None, 1]))
    text = json.dumps(doc, ensure_ascii=draw(st.booleans()), indent=indent)
    return text, draw(st.sampled_from([".json", ".json", "", ".txt"]))


# --- Hacker News -------------------------------------------------------------------------


@st.composite
def hn_html(draw: st.DrawFn, text: str) -> str:
    paras = [p for p in text.replace("\r\n", "\n").split("\n\n")]
    out: list[str] = []
    for p in paras:
        s = html.escape(p, quote=draw(st.booleans()))
        wrap = draw(st.sampled_from(
            ["", "", "", "i", "a", "pre", "code", "br", "unclosed", "stray", "comment", "script",
             "raw", "entities", "private", "P"]
        ))
        if wrap == "i":
            s = f"<i>{s}</i>"
        elif wrap == "a":
            s = f'<a href="https://x.y/?a=1&amp;b=2" rel="nofollow">{s}</a>'
        elif wrap == "pre":
            s = f"<pre><code>  {s}\n    indented</code></pre>"
        elif wrap == "code":
            s = f"<code>{s}</code>"
        elif wrap == "br":
            s = s.replace("\n", "<br>")
        elif wrap == "unclosed":
            s = f"<i><a href='x'>{s}"
        elif wrap == "stray":
            s = f"</p></i>{s}</pre>"
        elif wrap == "comment":
            s = f"<!-- {s} -->{s}<![CDATA[x]]>"
        elif wrap == "script":
            s = f"<script>alert(1)</script><style>p{{}}</style>{s}"
        elif wrap == "raw":
            s = p  # unescaped: "a < b & c"
        elif wrap == "entities":
            s = f"{s} &#x27;&quot;&amp;&gt;&lt;&nbsp;&#8217;&bogus; &#99999999;"
        elif wrap == "private":
            digits = draw(st.sampled_from(["0", "1", "٣", "9" * 5000]))
            s = f"{s} \ue000{digits}\ue001 &#57344;&#57344;{digits}&#57345;"
        elif wrap == "P":
            s = f"<P CLASS=x>{s}</P>"
        out.append(s)
    sep = draw(st.sampled_from(["<p>", "<p>", "\n", "<br><br>", "</p><p>"]))
    return sep.join(out)


@st.composite
def hn_docs(draw: st.DrawFn) -> tuple[str, str]:
    m = draw(models())
    hostile = _hostile(draw)
    id_style = draw(st.sampled_from(["int", "int", "str", "dup", "odd"] if hostile else ["int"]))

    def hid(i: int) -> Any:
        if id_style == "str":
            return str(1000 + i)
        if id_style == "dup":
            return i % 3
        if id_style == "odd":
            return draw(st.sampled_from([i, None, True, 1.5, [i], {"x": i}, ""]))
        return 1000 + i

    def item(i: int) -> Any:
        c = m.comments[i]
        kids: Any = [item(k) for k in m.children(i)]
        if not kids:
            kids = draw(st.sampled_from([[], [], None, "", {}] if hostile else [[], None]))
        d: dict[str, Any] = {
            "id": hid(i),
            "created_at": draw(st.sampled_from(["2024-05-02T15:37:00.000Z", None, 5])),
            "author": None if c.deleted else c.author,
            "text": None if c.deleted else draw(hn_html(c.text)),
            "type": draw(st.sampled_from(["comment", "comment", "story", None])),
            "parent_id": 1,
            "story_id": 1,
            "points": None,
            "options": [],
            "children": kids,
        }
        if hostile and _rare(draw, 15):
            del d[draw(st.sampled_from(["id", "children", "text", "type"]))]
        return d

    root_type = draw(st.sampled_from(["story", "story", "poll", "job", "comment", None]))
    root: dict[str, Any] = {
        "id": 1,
        "created_at": "2024-05-02T15:37:00.000Z",
        "author": m.author,
        "title": m.title,
        "url": draw(st.sampled_from(["https://example.com/a", None, ""])),
        "text": draw(hn_html(m.article)) if m.article else None,
        "type": root_type,
        "points": 10,
        "story_id": None,
        "children": [item(i) for i in m.children(None)],
    }
    if root_type is None:
        del root["type"]
        root["story_id"] = 1
    indent = draw(st.sampled_from([None, 2]))
    text = json.dumps(root, ensure_ascii=draw(st.booleans()), indent=indent)
    return text, draw(st.sampled_from([".json", ".json", "", ".txt"]))


# --- CSV ---------------------------------------------------------------------------------

HEADERS = {
    "id": ["id", "ID", "comment-id", "Comment ID", " comment_id ", "\ufeffid"],
    "comment": ["comment", "Comment", "comment-body", "comment body", "COMMENT_BODY"],
    "author": ["author", "Author", "interview", "Interview"],
    "parent_id": ["parent_id", "parent", "Parent-ID", "parent id"],
    "timestamp": ["timestamp", "time", "Timestamp"],
}


@st.composite
def csv_docs(draw: st.DrawFn) -> tuple[str, str]:
    m = draw(models(min_comments=1))
    hostile = _hostile(draw)
    n = len(m.comments)
    fields = ["id", "comment"]
    fields += [f for f in ("author", "parent_id", "timestamp") if draw(st.booleans())]
    if hostile and _rare(draw, 8):  # a required column missing
        fields.remove(draw(st.sampled_from(["id", "comment"])))
    cols = [(f, draw(st.sampled_from(HEADERS[f]))) for f in fields]
    for _ in range(draw(st.integers(0, 2))):
        cols.append(("junk", draw(st.sampled_from(["score", "votes", "", "id ", "Comment"]))))
    cols = draw(st.permutations(cols))
    ids = [str(i) for i in range(n)]
    id_style = draw(st.sampled_from(
        ["plain", "plain", "word", "dup", "odd"] if hostile else ["plain", "word"]
    ))
    if id_style == "word":
        ids = [f"c{i}-{draw(st.sampled_from(['a', 'b', 'ü', ' x']))}" for i in range(n)]
    elif id_style == "dup":
        ids = [str(i % 4) for i in range(n)]
    parents: list[str] = [ids[c.parent] if c.parent is not None else "" for c in m.comments]
    if n and hostile and _rare(draw, 2):  # a hostile parent link
        k = draw(st.integers(0, n - 1))
        parents[k] = draw(st.sampled_from(["nope", ids[k], ids[-1], " ", "0"]))
    rows: list[list[str]] = []
    for i in range(n):
        c = m.comments[i]
        rid = ids[i] if id_style != "odd" else draw(st.sampled_from([ids[i], "", f" {ids[i]} "]))
        value = {
            "id": rid,
            "comment": "" if c.deleted else c.text,
            "author": c.author,
            "parent_id": parents[i],
            "timestamp": draw(st.sampled_from(["2024-05-02", "", "yesterday"])),
        }
        row = [value.get(f, draw(st.sampled_from(["1", "", "x,y", '"q"']))) for f, _ in cols]
        if hostile and _rare(draw, 8):  # a ragged row
            row = row[: draw(st.integers(0, len(row)))] if draw(st.booleans()) else row + ["extra"]
        rows.append(row)
        if _rare(draw, 12):
            rows.append([] if draw(st.booleans()) else [""] * len(cols))
    quotings = [csv.QUOTE_MINIMAL, csv.QUOTE_MINIMAL, csv.QUOTE_ALL, csv.QUOTE_NONNUMERIC]
    quoting = draw(st.sampled_from(quotings + [csv.QUOTE_NONE] if hostile else quotings))
    buf = io.StringIO()
    w = csv.writer(  # backslash escapes are not CSV as argmap (or Excel) reads it: hostile
        buf,
        quoting=quoting,
        escapechar="\\" if quoting == csv.QUOTE_NONE or (hostile and draw(st.booleans())) else None,
        lineterminator=draw(st.sampled_from(["\r\n", "\n"])),
    )
    try:
        w.writerow([h for _f, h in cols])
        w.writerows(rows)
    except csv.Error:  # QUOTE_NONE cannot write some fields; write them raw instead
        buf = io.StringIO()
        buf.write("\n".join(",".join(r) for r in [[h for _f, h in cols], *rows]))
    bom = draw(st.sampled_from(["", "", "\ufeff"]))
    return bom + buf.getvalue(), draw(st.sampled_from([".csv", ".csv", "", ".txt"]))


# --- JSON Lines --------------------------------------------------------------------------


@st.composite
def jsonl_docs(draw: st.DrawFn) -> tuple[str, str]:
    m = draw(models())
    hostile = _hostile(draw)
    id_style = draw(st.sampled_from(["str", "str", "int", "odd"] if hostile else ["str", "int"]))

    def pid(i: int) -> Any:  # i = -1 is the article
        if id_style == "int":
            return i + 1
        if id_style == "odd" and _rare(draw, 3):
            return draw(st.sampled_from([f"p{i}", "", None, True, 1.5, [i], f"p {i}:1-2", str(i)]))
        return f"p{i}"

    def quotes(text: str, parent: Any) -> list[Any]:
        out: list[Any] = []
        cursor = 0
        for _ in range(draw(st.integers(0, 2))):
            s = draw(st.integers(0 if hostile and draw(st.booleans()) else cursor, len(text)))
            e = draw(st.integers(s, len(text)))
            cursor = e
            q: dict[str, Any] = {"text": text[s:e], "from_post_id": parent, "start": s, "end": e}
            bad = draw(st.integers(0, 6)) if hostile else 9
            if bad == 0:
                key = draw(st.sampled_from(["text", "from_post_id", "start", "end"]))
                q[key] = draw(st.one_of(JSON_LEAF, st.sampled_from([-1, 10**6, float("inf"),
                                                                   "3", 1.5, 1e300])))
            elif bad == 1:
                del q[draw(st.sampled_from(["text", "from_post_id", "start", "end"]))]
            elif bad == 2:
                q["from_post_id"] = draw(st.sampled_from(["nobody", "p-1", "p0"]))
            out.append(q)
        if hostile and _rare(draw, 12):
            return draw(st.sampled_from([{}, "x", None, [1]]))
        return out

    objs: list[Any] = []
    has_article = draw(st.booleans()) or not m.comments
    if has_article:
        objs.append({"id": pid(-1), "kind": "article", "text": m.article, "title": m.title,
                     "author": m.author})
    for i, c in enumerate(m.comments):
        parent = pid(c.parent) if c.parent is not None else (pid(-1) if has_article else None)
        text = "" if c.deleted else c.text
        o: dict[str, Any] = {
            "id": pid(i), "kind": "comment", "text": text, "author": c.author,
            "parent_id": parent, "depth": draw(st.integers(-5, 99)),
        }
        if (parent is not None or hostile) and draw(st.booleans()):
            o["quotes"] = quotes(text, parent)
        if _rare(draw, 3):
            o["truncated"] = draw(JSON_LEAF)
        objs.append(o)
    for o in objs:
        if hostile and _rare(draw, 6):  # a field of the wrong type, or missing
            key = draw(st.sampled_from(["id", "kind", "text", "parent_id", "author", "time",
                                        "title", "source_url", "quotes"]))
            if draw(st.booleans()):
                o[key] = draw(JSON_ANY)
            else:
                o.pop(key, None)
        if _rare(draw, 10):
            o[draw(st.text(ANY_CHAR, max_size=6))] = draw(JSON_ANY)
    objs = draw(st.permutations(objs)) if draw(st.booleans()) else objs
    eol = draw(st.sampled_from(["\n", "\n", "\r\n"]))
    lines = [json.dumps(o, ensure_ascii=draw(st.booleans())) for o in objs]
    if _rare(draw, 6):
        lines.insert(draw(st.integers(0, len(lines))), draw(st.sampled_from(["", "  ", "\t"])))
    bom = draw(st.sampled_from(["", "", "\ufeff"]))
    return bom + eol.join(lines) + draw(st.sampled_from(["", eol])), draw(
        st.sampled_from([".jsonl", ".jsonl", ".ndjson", "", ".txt", ".json"])
    )


DOCS = {
    "slashdot": slashdot_docs,
    "reddit": reddit_docs,
    "hn": hn_docs,
    "csv": csv_docs,
    "jsonl": jsonl_docs,
}


def any_doc() -> st.SearchStrategy[tuple[str, tuple[str, str]]]:
    """(format name, (text, suffix)) of any format."""
    return st.one_of(*(st.tuples(st.just(name), make()) for name, make in DOCS.items()))


# --- damage and raw input ----------------------------------------------------------------

SPLICE = ODD + [
    "\n", "\r", "\r\n", "\n  • ", "  • by bob ( 1 ) on x (#1)\n", "{", "}", "[", "]", ":", '"',
    '\\"', "\\u0000", "\\ud800", "null", "true", "-0", "1e999", "NaN", "Infinity", '{"id":1}',
    '"children":', '"kind":"t1",', '"replies":', "id,comment\n", ",,,", '"""', "\n\n\n",
]


@st.composite
def mutated(draw: st.DrawFn, doc: tuple[str, str]) -> tuple[str, str]:
    """``doc`` damaged by a few cuts, deletions, duplications and splices."""
    text, suffix = doc
    for _ in range(draw(st.sampled_from([1, 1, 1, 2, 4]))):
        op = draw(st.sampled_from(["cut", "delete", "dup", "splice", "splice", "swapcase"]))
        i = draw(st.integers(0, len(text)))
        j = draw(st.integers(i, min(len(text), i + 300)))
        if op == "cut":
            text = text[:i]
        elif op == "delete":
            text = text[:i] + text[j:]
        elif op == "dup":
            text = text[:j] + text[i:j] * draw(st.integers(1, 3)) + text[j:]
        elif op == "splice":
            token = draw(st.one_of(st.sampled_from(SPLICE), st.text(ANY_CHAR, max_size=10)))
            text = text[:i] + token + text[i:]
        else:
            text = text[:i] + text[i:j].swapcase() + text[j:]
    return text, suffix


# --- big, repetitive input: superlinear parsing or matching shows up as a timeout ---------

# Units whose repetition once made a stage quadratic or worse (see test_fuzz), and kin.
PATTERNS = [
    "the ", "the the the the the X ", " ", " \t", "a. ", "a? ", "e.g. ", "> x\n", "> the\n",
    ">", "> ", "<p>x", "<pre>x</pre>", "x<br>", "<i>", "</i>", "<p>", '"', "“a", "«", "( ",
    "by x", '\\"', "[", "•", "  • x\n", "\n", "x\n\n", "&amp;", "\ue000", "0", "x", "x ",
    "word,", "Comments Filter:\n", "(#1) ", "on ", "Posted by ", "\u2028", "\x0b",
]


@st.composite
def _blob(draw: st.DrawFn, max_chars: int) -> str:
    unit = draw(st.one_of(
        st.sampled_from(PATTERNS),
        st.lists(st.sampled_from(PATTERNS), min_size=2, max_size=3).map("".join),
    ))
    n = draw(st.integers(1, max(1, max_chars // len(unit))))
    head = draw(st.sampled_from(["", "", "by x", "> ", "Posted by ", "x", "\ue000"]))
    tail = draw(st.sampled_from(["", "", "y", " (", " X", "\ue0010\ue001"]))
    return head + unit * n + tail


@st.composite
def big_docs(draw: st.DrawFn, max_chars: int = 40_000) -> tuple[str, str, str]:
    """(format, text, suffix): an article and a reply each one long repetitive blob, or for
    JSONL/CSV a file of many small threads."""
    fmt = draw(st.sampled_from(list(DOCS)))
    article = draw(_blob(max_chars))
    reply = draw(st.one_of(_blob(max_chars), st.just(article), st.just(article + " the end.")))
    threads = draw(st.integers(1, 1500)) if fmt in ("jsonl", "csv") and _rare(draw, 1) else 1
    if fmt == "slashdot":
        lines = reply.replace("\r", "\n").split("\n")
        body = "\n".join("    " + ln for ln in lines[1:])
        text = f"Title 3\n\n{article}\n\nComments Filter:\n  • {lines[0]}\n{body}\n"
        return fmt, text, ".txt"
    if fmt == "reddit":
        sub = {"kind": "t3", "data": {"id": "p", "title": "t", "selftext": article}}
        com = {"kind": "t1", "data": {"id": "c", "body": reply, "replies": ""}}
        doc = [_listing([sub]), _listing([com])]
        return fmt, json.dumps(doc), ".json"
    if fmt == "hn":
        kid = {"id": 2, "type": "comment", "text": reply, "children": []}
        doc = {"id": 1, "type": "story", "title": "t", "text": article, "children": [kid]}
        return fmt, json.dumps(doc), ".json"
    if fmt == "csv":
        buf = io.StringIO()
        w = csv.writer(buf)
        w.writerow(["id", "comment", "parent_id"])
        if threads == 1:
            w.writerows([["1", article, ""], ["2", reply, "1"]])
        else:
            for i in range(threads):
                w.writerow([f"{i}", f"post {i} about x", ""])
                w.writerow([f"{i}r", f"post {i} about x", f"{i}"])
        return fmt, buf.getvalue(), ".csv"
    rows: list[dict[str, Any]] = []
    if threads == 1:
        rows = [{"id": "a", "kind": "article", "text": article},
                {"id": "c", "kind": "comment", "text": reply, "parent_id": "a"}]
    for i in range(threads if threads > 1 else 0):
        rows.append({"id": f"a{i}", "kind": "article", "text": f"article {i} says the police"})
        rows.append({"id": f"c{i}", "kind": "comment", "text": f"> article {i} says the police\n"
                     "no", "parent_id": f"a{i}"})
    return fmt, "\n".join(json.dumps(r) for r in rows), ".jsonl"


def deep_json() -> st.SearchStrategy[tuple[str, str]]:
    """JSON nested past the parser's recursion limit, often broken at the bottom."""
    return st.builds(
        lambda opener, k, tail, m: (opener * k + tail * m, ".json"),
        st.sampled_from(["[", '{"a":', '{"children":[', "[{"]),
        st.integers(900, 7000),
        st.sampled_from(['"', '\\"', "1,", "]", "}", "", "x", '"abc"']),
        st.integers(0, 30000),
    )


SUFFIXES = st.sampled_from(["", ".txt", ".csv", ".json", ".jsonl", ".ndjson", ".html", ".CSV"])


def raw_bytes() -> st.SearchStrategy[tuple[bytes, str]]:
    return st.tuples(
        st.one_of(
            st.binary(max_size=600),
            st.binary(max_size=40).map(lambda b: b"\xef\xbb\xbf" + b),  # BOM + junk
            st.text(ANY_CHAR, max_size=200).map(lambda s: s.encode("utf-16")),
            st.text(ANY_CHAR, max_size=200).map(lambda s: s.encode("latin-1", "replace")),
        ),
        SUFFIXES,
    )


def raw_text() -> st.SearchStrategy[tuple[str, str]]:
    line = st.one_of(
        st.text(ANY_CHAR, max_size=60),
        st.sampled_from(SPLICE),
        st.builds(lambda ind, s: ind + "• " + s, st.sampled_from(["", " ", "  ", "    ", "\t"]),
                  st.text(ANY_CHAR, max_size=40)),
    )
    return st.tuples(st.lists(line, max_size=30).map("\n".join), SUFFIXES)


def json_text() -> st.SearchStrategy[tuple[str, str]]:
    """Any JSON value, or a few of them as lines; some shaped nearly like a real format."""
    shaped = st.one_of(
        st.builds(lambda a, b: [{"kind": "Listing", "data": a}, {"kind": "Listing", "data": b}],
                  JSON_ANY, JSON_ANY),
        st.builds(lambda c, t: {"id": 1, "type": t, "children": c}, JSON_ANY,
                  st.one_of(st.sampled_from(["story", "comment"]), JSON_LEAF)),
        st.builds(lambda i, k, t: {"id": i, "kind": k, "text": t}, JSON_ANY,
                  st.sampled_from(["article", "comment", None]), JSON_ANY),
    )
    one = st.one_of(JSON_ANY, shaped).map(lambda v: json.dumps(v, allow_nan=True))
    return st.one_of(
        st.tuples(
            st.one_of(one, st.lists(one, min_size=1, max_size=5).map("\n".join)),
            st.sampled_from(["", ".json", ".jsonl"]),
        ),
        deep_json(),
    )
