"""argmap as a LangChain retriever, and LangChain used only through public APIs (issue 14
item 8)."""

from __future__ import annotations

import re
from pathlib import Path

from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from langchain_core.runnables import RunnableLambda

from argmap.config import DEFAULT_CORPUS
from argmap.langchain_retriever import ArgmapRetriever
from argmap.retrieve import retrieve
from argmap.store import CorpusIndex

ROOT = Path(__file__).resolve().parents[1]


def test_retriever_documents_carry_post_author_offsets_and_corpus(seed: CorpusIndex) -> None:
    retriever = ArgmapRetriever(corpus=DEFAULT_CORPUS, k=5)
    assert isinstance(retriever, BaseRetriever)
    question = "What did Axon announce?"
    docs = retriever.invoke(question)
    assert 0 < len(docs) <= 5
    # the same units, in the same order, as argmap's own retrieval
    assert [d.id for d in docs] == [e.unit.id for e in retrieve(seed, question, k=5,
                                                                expand=False)]
    for d in docs:
        post = seed.posts[d.metadata["post_id"]]
        assert post.text[d.metadata["start"]:d.metadata["end"]] == d.page_content
        assert d.metadata["author"] == post.author
        assert d.metadata["corpus"] == DEFAULT_CORPUS
        assert d.metadata["generation"] == seed.info.generation


def test_retriever_composes_in_a_chain(seed: CorpusIndex) -> None:
    def cite(docs: list[Document]) -> list[str]:
        return [f"{d.metadata['author'] or 'anonymous'} ({d.metadata['post_id']})" for d in docs]

    chain = ArgmapRetriever(corpus=DEFAULT_CORPUS, k=3) | RunnableLambda(cite)
    answers = chain.batch(["Does the ban cover police outside the US?",
                           "What does real-time mean?"])
    assert len(answers) == 2 and all(1 <= len(a) <= 3 for a in answers)
    post_ids = {m.group(1) for a in answers for s in a for m in [re.search(r"\((.+)\)$", s)] if m}
    assert post_ids <= set(seed.posts)


def test_no_private_langchain_or_langchain_chroma_in_the_package() -> None:
    """argmap talks to chromadb directly (docs/design-notes.md): no `._collection` reach-in
    and no langchain-chroma import in what ships."""
    offenders = []
    for path in [*(ROOT / "argmap").rglob("*.py"), *(ROOT / "ingest").rglob("*.py")]:
        text = path.read_text()
        if "._collection" in text or "langchain_chroma" in text:
            offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []
    deps = (ROOT / "pyproject.toml").read_text().split("[project.optional-dependencies]")[0]
    assert "langchain-chroma" not in deps
