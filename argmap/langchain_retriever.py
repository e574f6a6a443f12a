"""A corpus as a LangChain retriever, for users who put argmap into their own chains.

    from argmap.langchain_retriever import ArgmapRetriever
    docs = ArgmapRetriever(corpus="slashdot_azure_ban", k=5).invoke("What did Axon announce?")

Each Document is one retrieved sentence span (argmap's own hybrid retrieval, argmap.retrieve),
with the post it came from, its author and its character offsets in that post, so a chain
can cite exactly (``post.text[start:end] == page_content``).
"""

from __future__ import annotations

from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict, Field


class ArgmapRetriever(BaseRetriever):
    """Sentences of one corpus for a query (dense + BM25, diversified; see argmap.retrieve).

    ``corpus``: the corpus name (default: the configured one); ``store``: an
    ``argmap.store.Store`` (default: the configured location). The corpus is opened per
    query, so a re-ingest is picked up without rebuilding the retriever.
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)

    corpus: str | None = None
    k: int = Field(default=8, ge=1)
    with_context: bool = False  # also the parent/reply sentences argmap pulls in
    store: Any = None

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun
    ) -> list[Document]:
        from argmap.api import open_corpus
        from argmap.retrieve import retrieve

        index = open_corpus(self.corpus, self.store)
        found = retrieve(index, query, k=self.k, expand=self.with_context)
        return [
            Document(
                id=e.unit.id,
                page_content=e.unit.text,
                metadata={
                    "corpus": index.name,
                    "generation": index.info.generation,
                    "post_id": e.unit.post_id,
                    "author": e.unit.author,
                    "parent_id": e.unit.parent_id,
                    "start": e.unit.start,
                    "end": e.unit.end,
                    "score": e.score,
                    "via": e.via,
                },
            )
            for e in found
        ]
