"""The demo's measure histories: scored by the core from their stored responses, dated by the visits,
most improving past the MCID, some drop-outs, across practitioners and conditions."""

from __future__ import annotations

from collections import defaultdict

import pytest

from myotome.clinic.analytics.demo import planted
from myotome.clinic.analytics.queries import episode_facts
from myotome.clinic.demo import DemoPractice, load_demo
from myotome.clinic.exams.models import Exam
from myotome.clinic.outcomes.models import OutcomeScore
from myotome.clinic.outcomes.service import measure_set
from myotome.outcomes import score


@pytest.fixture
def practice(db: None) -> DemoPractice:
    return load_demo(patients=100, seed=3)


def test_every_stored_score_is_what_its_responses_score(practice: DemoPractice) -> None:
    rows = list(OutcomeScore.objects.all())
    assert len(rows) > 200
    for row in rows:
        responses = (
            {"activities": [{"name": n, "score": s} for n, s in zip(row.activity_names, row.responses["activities"], strict=True)]}
            if row.activity_names
            else row.responses
        )
        again = score(row.measure, responses)
        assert (again.score, again.valid) == (row.score, row.valid), row.pk
    invalid = [r for r in rows if not r.valid]
    assert invalid and all(r.score is None and r.reason for r in invalid)  # a few forms with too many items missing


def test_histories_follow_the_visits_and_the_measure_set(practice: DemoPractice) -> None:
    by_episode: dict[int, list[OutcomeScore]] = defaultdict(list)
    for row in OutcomeScore.objects.select_related("episode").order_by("taken_on", "id"):
        by_episode[row.episode_id].append(row)
    for rows in by_episode.values():
        episode = rows[0].episode
        assert rows[0].timepoint == "intake"
        assert {r.measure for r in rows} == set(measure_set(episode))
        first_session = episode.treatment_sessions.order_by("started_at").first()
        assert first_session is not None and rows[0].taken_on == first_session.started_at.date()  # forms are filled in at visits
        if any(r.timepoint == "discharge" for r in rows):
            assert episode.status == "discharged" and rows[-1].timepoint == "discharge"
    assert len({measure_set(rows[0].episode)[0] for rows in by_episode.values()}) >= 5  # many conditions' primary measures


def test_most_improve_past_the_mcid_some_do_not_and_some_drop_out(practice: DemoPractice) -> None:
    facts = [f for clinic in practice.clinics for f in episode_facts(clinic)]
    assessable = [f for f in facts if f.reached is not None]
    reached = sum(bool(f.reached) for f in assessable)
    assert len(assessable) >= 10
    assert 0.5 <= reached / len(assessable) < 0.95
    assert any(f.dropped_out for f in facts)
    assert len({f.clinician for f in assessable}) >= 3
    assert all(f.sessions_to_mcid >= 1 for f in assessable if f.reached)


def test_the_planted_sign_is_in_some_first_exams_and_not_others(practice: DemoPractice) -> None:
    firsts = [e for e in Exam.objects.filter(status="saved").order_by("episode", "created_at", "id")]
    seen = {planted(e.document) for e in firsts}
    assert seen == {True, False}
