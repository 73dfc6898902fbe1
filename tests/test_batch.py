"""Many assessments at once: worker processes give exactly the engine's own results, in order."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from myotome import engine
from myotome.batch import Assessor, assess_json
from myotome.exam import InvalidAssessment, parse_assessment

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def _documents() -> list[dict[str, object]]:
    documents = [json.loads(path.read_text()) for path in sorted(EXAMPLES.glob("*.json")) if path.name != "bad-input.json"]
    assert len(documents) >= 3
    # Enough for several chunks, each document named so that the order can be checked.
    return [{**documents[n % len(documents)], "id": f"doc-{n}"} for n in range(80)]


def test_workers_give_the_engines_results_in_order() -> None:
    documents = _documents()
    with Assessor(workers=2, parallel_from=1) as assessor:
        results = assessor.results(documents)
    assert [r["id"] for r in results] == [f"doc-{n}" for n in range(80)]
    assert results == [engine.assess(d).to_json() for d in documents]


def test_a_small_batch_is_assessed_in_this_process_without_starting_workers() -> None:
    assessor = Assessor(workers=2)
    assert assessor.results(_documents()[:5]) == assess_json(_documents()[:5])
    assert assessor._pool is None


def test_start_returns_before_the_results_are_asked_for() -> None:
    documents = _documents()
    with Assessor(workers=2, parallel_from=1) as assessor:
        wait = assessor.start(documents)
        assert assessor._pool is not None  # the work was handed to the workers
        assert [r["id"] for r in wait()] == [d["id"] for d in documents]


def test_a_document_the_engine_cannot_read_raises_as_it_would_here() -> None:
    documents = [*_documents(), json.loads((EXAMPLES / "bad-input.json").read_text())]
    with Assessor(workers=2, parallel_from=1) as assessor, pytest.raises(InvalidAssessment):
        assessor.results(documents)


def test_checked_documents_come_back_validated_beside_their_results() -> None:
    raw = _documents()  # as written: defaults not filled in, as a validated dump has them
    with Assessor(workers=2, parallel_from=1) as assessor:
        pairs = assessor.start_checked(raw)()
    assert [document for document, _ in pairs] == [parse_assessment(d).model_dump(mode="json", exclude_none=True) for d in raw]
    assert [result for _, result in pairs] == [engine.assess(d).to_json() for d in raw]
