"""Many assessments at once, on several processes: the engine's results for a batch of documents.

The engine is pure Python, so one process uses one core; a bulk load (the demo practice)
assesses tens of thousands of documents and spreads them over worker processes. Workers
are started with ``spawn`` (the same on every platform, and nothing of the parent, such as
an open database connection, is inherited) and assess with the packaged knowledge base::

    with Assessor(workers=2) as assessor:
        results = assessor.results(documents)   # [engine.assess(d).to_json(), ...], in order
        wait = assessor.start(more)             # or: start, do something else, then wait()
        pairs = assessor.start_checked(raw)()   # [(validated document, result), ...]
"""

from __future__ import annotations

import gc
import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from types import TracebackType
from typing import Any, TypeVar

import orjson

from myotome import engine, exam
from myotome.kb import load_kb

# Below this many documents a batch is assessed here: starting a worker (an interpreter that
# imports the engine and loads the knowledge base) costs about as much as 300 assessments.
PARALLEL_FROM = 200
CHUNK = 32

Documents = Sequence[dict[str, Any]]
T = TypeVar("T")


def assess_json(documents: Documents) -> list[dict[str, Any]]:
    """The engine's JSON result for each document, with the packaged knowledge base."""
    kb = load_kb()
    return [engine.assess(document, kb).to_json() for document in documents]


def check_and_assess(documents: Documents) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """Each document as validated (the Assessment's JSON dump, empty fields left out) with the
    engine's result: one validation for both, where a caller that stores the validated document
    would otherwise validate it once itself and the engine again."""
    kb = load_kb()
    checked = (exam.parse_assessment(document) for document in documents)
    return [(a.model_dump(mode="json", exclude_none=True), engine.assess(a, kb).to_json()) for a in checked]


def _start_worker() -> None:
    # The knowledge base lives as long as the worker: loaded once, then left out of the cycle
    # collector's passes, which over it were a tenth of an engine worker's time.
    load_kb()
    gc.freeze()


def _run_task(task: Callable[[Documents], list[Any]], documents: bytes) -> bytes:
    # A worker's task. Documents travel as JSON: a value that is a str subclass (a Django
    # choice) would otherwise be pickled as its class, which the worker cannot import. Results
    # travel as JSON too: orjson reads them back in half the time unpickling takes.
    return orjson.dumps(task(orjson.loads(documents)))


def default_workers() -> int:
    """One worker per core this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # macOS and Windows have no affinity call
        return max(1, os.cpu_count() or 1)


class Assessor:
    """Assesses batches of documents on ``workers`` processes, started on first need and kept for the next batch."""

    def __init__(self, workers: int | None = None, *, parallel_from: int | None = None) -> None:
        self.workers = default_workers() if workers is None else max(1, workers)
        self.parallel_from = PARALLEL_FROM if parallel_from is None else parallel_from
        self._pool: ProcessPoolExecutor | None = None

    def results(self, documents: Documents) -> list[dict[str, Any]]:
        """The engine's JSON result for each document, in the order given."""
        return self.start(documents)()

    def start(self, documents: Documents) -> Callable[[], list[dict[str, Any]]]:
        """Start assessing the documents and return the call that waits for their results.

        The caller may do other work in between (the demo inserts the previous batch), so the
        workers and this process run at once. With one worker, the call does the work itself.
        """
        return self._start(assess_json, documents)

    def start_checked(self, documents: Documents) -> Callable[[], list[tuple[dict[str, Any], dict[str, Any]]]]:
        """As ``start``, for documents not yet validated: each comes back validated, beside its
        result (``check_and_assess``), so that the validation too runs on the workers."""
        return self._start(check_and_assess, documents)

    def _start(self, task: Callable[[Documents], list[T]], documents: Documents) -> Callable[[], list[T]]:
        if self.workers == 1 or len(documents) < self.parallel_from:
            return lambda: task(documents)
        if self._pool is None:
            self._pool = ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("spawn"), initializer=_start_worker)
        pool = self._pool
        futures = [pool.submit(_run_task, task, orjson.dumps(documents[at : at + CHUNK])) for at in range(0, len(documents), CHUNK)]
        return lambda: [result for future in futures for result in orjson.loads(future.result())]

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown()
            self._pool = None

    def __enter__(self) -> Assessor:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None) -> None:
        self.close()
