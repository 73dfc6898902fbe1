"""Anonymous requests cannot grow the audit log without limit, and an attack stays on record.

Per address, hour and kind of event the log keeps AUDIT_ANONYMOUS_PER_HOUR rows; every
event, kept or not, is counted in AnonymousCount, which the audit page shows.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from django.db import connections
from django.test import Client
from django.urls import reverse

from myotome.clinic.audit.models import Action, AnonymousCount, AuditEvent
from myotome.clinic.audit.record import counting_address

from .conftest import OUTSIDE_ADDRESS, World

LIMIT = 10


@pytest.fixture(autouse=True)
def _limit(settings: Any) -> None:
    settings.AUDIT_ANONYMOUS_PER_HOUR = LIMIT


def _refused_post(address: str = OUTSIDE_ADDRESS) -> None:
    # No CSRF token: refused with a 403 and an anonymous DENIED event.
    response = Client(enforce_csrf_checks=True, REMOTE_ADDR=address).post(reverse("accounts:login"), {"username": "x", "password": "y"})
    assert response.status_code == 403


def test_a_hundred_anonymous_posts_keep_at_most_the_limit_as_rows_and_count_all(world: World) -> None:
    for _ in range(100):
        _refused_post()
    rows = AuditEvent.objects.filter(action=Action.DENIED, record_type="csrf", remote_addr=OUTSIDE_ADDRESS)
    assert rows.count() == LIMIT
    [counter] = AnonymousCount.objects.all()
    assert (counter.address, counter.action, counter.count) == (OUTSIDE_ADDRESS, Action.DENIED, 100)


def test_failed_sign_ins_are_bounded_the_same_way(world: World) -> None:
    client = world.client(None)
    for _ in range(3 * LIMIT):
        client.post(reverse("accounts:login"), {"username": "bob", "password": "not the password"})
    assert AuditEvent.objects.filter(action=Action.LOGIN_FAILED, username="bob").count() == LIMIT
    assert AnonymousCount.objects.get(action=Action.LOGIN_FAILED).count == 3 * LIMIT


def test_each_address_and_each_kind_of_event_has_its_own_allowance(world: World) -> None:
    for _ in range(LIMIT + 5):
        _refused_post("198.51.100.1")
        _refused_post("198.51.100.2")
    world.client(None).post(reverse("accounts:login"), {"username": "bob", "password": "wrong"})
    assert AuditEvent.objects.filter(remote_addr="198.51.100.1").count() == LIMIT
    assert AuditEvent.objects.filter(remote_addr="198.51.100.2").count() == LIMIT
    assert AuditEvent.objects.filter(action=Action.LOGIN_FAILED, remote_addr=OUTSIDE_ADDRESS).count() == 1
    assert sorted(AnonymousCount.objects.values_list("address", "action", "count")) == [
        ("198.51.100.1", "denied", LIMIT + 5),
        ("198.51.100.2", "denied", LIMIT + 5),
        (OUTSIDE_ADDRESS, "login_failed", 1),
    ]


def test_addresses_of_one_ipv6_network_share_one_allowance(world: World) -> None:
    for n in range(LIMIT + 5):
        _refused_post(f"2001:db8:1:2::{n + 1:x}")
    assert AuditEvent.objects.filter(action=Action.DENIED).count() == LIMIT
    assert AnonymousCount.objects.get().address == "2001:db8:1:2::/64"
    assert AuditEvent.objects.first().remote_addr.startswith("2001:db8:1:2::")  # rows keep the exact address


@pytest.mark.parametrize(
    ("address", "key"),
    [
        ("203.0.113.7", "203.0.113.7"),
        ("2001:db8::1", "2001:db8::/64"),
        ("::ffff:203.0.113.7", "203.0.113.7"),  # an IPv4 client seen through an IPv6 socket
        (None, ""),
    ],
)
def test_the_counting_key(address: str | None, key: str) -> None:
    assert counting_address(address) == key


def test_signed_in_users_are_never_capped(world: World) -> None:
    client = world.client("alice")
    for _ in range(LIMIT + 5):
        client.get(reverse("patients:detail", args=[world.patient.pk]))
    assert AuditEvent.objects.filter(user=world.alice, action=Action.VIEW, record_type="patient").count() == LIMIT + 5
    assert not AnonymousCount.objects.exists()


def test_the_audit_page_shows_the_burst(world: World) -> None:
    for _ in range(LIMIT + 3):
        _refused_post()
    page = world.client("erin").get(reverse("audit:log")).content.decode()
    section = page.split('id="anonymous-bursts"')[1]
    assert OUTSIDE_ADDRESS in section and f"<td>{LIMIT + 3}</td>" in section and "Access denied" in section


def test_the_audit_page_shows_no_burst_section_below_the_limit(world: World) -> None:
    _refused_post()
    assert 'id="anonymous-bursts"' not in world.client("erin").get(reverse("audit:log")).content.decode()


# The in-memory SQLite test database cannot take concurrent writers; a SQLite file serialises them anyway.
@pytest.mark.database("postgresql")
@pytest.mark.django_db(transaction=True)
def test_simultaneous_anonymous_requests_keep_the_bound_and_the_exact_count() -> None:
    threads, each = 8, 10

    def attack() -> None:
        try:
            for _ in range(each):
                _refused_post()
        finally:
            connections.close_all()

    with ThreadPoolExecutor(threads) as pool:
        for future in [pool.submit(attack) for _ in range(threads)]:
            future.result()
    assert AuditEvent.objects.filter(action=Action.DENIED, remote_addr=OUTSIDE_ADDRESS).count() == LIMIT
    assert AnonymousCount.objects.get().count == threads * each
