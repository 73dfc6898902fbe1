"""Changes made through the Django admin are audited like the app's own: who, from where,
which record, what kind of change, and field names only.

Every model registered in the admin is added, changed and deleted through the admin's real
pages (the forms are read from the page, as a browser would), and each step must leave
an audit row. A model registered later fails the coverage test until it has a row here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db.models import Model
from django.test import Client
from django.urls import reverse

from myotome.clinic.accounts.models import Clinic, Membership, Role
from myotome.clinic.audit.models import Action, AuditEvent

from .conftest import OUTSIDE_ADDRESS, PASSWORD, World, enrol_second_factor, force_login


class _FormFields(HTMLParser):
    """The values a browser would submit from the admin's main form (``<form id="<model>_form">``)."""

    def __init__(self, form_id: str):
        super().__init__(convert_charrefs=True)
        self.form_id, self.inside, self.values = form_id, False, {}  # type: ignore[var-annotated]
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.inside = a.get("id") == self.form_id
        if not self.inside:
            return
        name = a.get("name")
        if tag == "input" and name and a.get("type") not in ("submit", "button", "file"):
            if a.get("type") in ("checkbox", "radio") and "checked" not in a:
                return
            self.values.setdefault(name, []).append(a.get("value", "on" if a.get("type") == "checkbox" else ""))
        elif tag == "select" and name:
            self._select = name
            self.values.setdefault(name, [])
        elif tag == "option" and self._select and "selected" in a:
            self.values[self._select].append(a.get("value", ""))
        elif tag == "textarea" and name:
            self._textarea = name
            self.values[name] = [""]

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self.values[self._textarea][0] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.inside = False
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def _form(client: Client, url: str, model: type[Model]) -> dict[str, list[str]]:
    response = client.get(url)
    assert response.status_code == 200, url
    parser = _FormFields(f"{model._meta.model_name}_form")
    parser.feed(response.content.decode())
    assert parser.values, f"no form on {url}"
    return parser.values


@dataclass(frozen=True)
class Case:
    """How to add a record of one model, and which field to change afterwards."""

    model: type[Model]
    add: Callable[[World], dict[str, str]]
    change: tuple[str, Callable[[World], str]]

    def __str__(self) -> str:
        return self.model._meta.label


CASES = [
    Case(
        get_user_model(),
        lambda w: {"username": "newcomer", "usable_password": "true", "password1": PASSWORD, "password2": PASSWORD},
        ("first_name", lambda w: "Nadia"),
    ),
    Case(Group, lambda w: {"name": "Reception"}, ("name", lambda w: "Front office")),
    Case(Clinic, lambda w: {"name": "Clinic C"}, ("name", lambda w: "Clinic C (north)")),
    # Making a user clinic admin of another clinic: the change the issue names.
    Case(
        Membership,
        lambda w: {"user": str(w.bob.pk), "clinic": str(w.clinic_b.pk), "role": Role.CLINICIAN},
        ("role", lambda w: Role.CLINIC_ADMIN),
    ),
]


def _read_only(model_admin: admin.ModelAdmin, request: Any) -> bool:
    return not (
        model_admin.has_add_permission(request) or model_admin.has_change_permission(request) or model_admin.has_delete_permission(request)
    )


@pytest.fixture
def root(world: World) -> Client:
    user = get_user_model().objects.create(username="root", is_staff=True, is_superuser=True)
    enrol_second_factor(user)
    client = Client(REMOTE_ADDR=OUTSIDE_ADDRESS)
    force_login(client, user)
    return client


def test_every_model_the_admin_can_change_has_a_case(world: World, rf: Any) -> None:
    request = rf.get("/admin/")
    request.user = get_user_model()(is_staff=True, is_superuser=True)
    writable = {model for model, model_admin in admin.site._registry.items() if not _read_only(model_admin, request)}
    assert writable == {case.model for case in CASES}


def _events(**match: Any) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(username="root", **match).order_by("id"))


@pytest.mark.parametrize("case", CASES, ids=str)
def test_adding_changing_and_deleting_in_the_admin_is_audited(world: World, root: Client, case: Case) -> None:
    opts = case.model._meta
    prefix = f"admin:{opts.app_label}_{opts.model_name}"
    model = case.model._default_manager

    add_url = reverse(f"{prefix}_add")
    before = set(model.values_list("pk", flat=True))
    response = root.post(add_url, {**_form(root, add_url, case.model), **case.add(world), "_save": "Save"})
    assert response.status_code == 302, response.content.decode()[:4000]
    [pk] = set(model.values_list("pk", flat=True)) - before
    [added] = _events(action=Action.CREATE, record_type=opts.model_name)
    assert (added.record_id, added.remote_addr, added.path, added.detail) == (str(pk), OUTSIDE_ADDRESS, add_url, "admin: added")

    change_url = reverse(f"{prefix}_change", args=[pk])
    field, value = case.change
    response = root.post(change_url, {**_form(root, change_url, case.model), field: value(world), "_save": "Save"})
    assert response.status_code == 302, response.content.decode()[:4000]
    [changed] = _events(action=Action.UPDATE, record_type=opts.model_name)
    label = str(opts.get_field(field).verbose_name)
    assert (changed.record_id, changed.path, changed.detail.lower()) == (str(pk), change_url, f"admin: changed {label}".lower())

    delete_url = reverse(f"{prefix}_delete", args=[pk])
    assert root.post(delete_url, {"post": "yes"}).status_code == 302
    assert not model.filter(pk=pk).exists()
    [deleted] = _events(action=Action.DELETE, record_type=opts.model_name)
    assert (deleted.record_id, deleted.path, deleted.detail) == (str(pk), delete_url, "admin: deleted")


def test_making_a_user_clinic_admin_of_another_clinic_shows_in_that_clinics_log(world: World, root: Client) -> None:
    url = reverse("admin:accounts_membership_add")
    data = {"user": str(world.alice.pk), "clinic": str(world.clinic_b.pk), "role": Role.CLINIC_ADMIN, "_save": "Save"}
    assert root.post(url, {**_form(root, url, Membership), **data}).status_code == 302
    membership = Membership.objects.get(user=world.alice, clinic=world.clinic_b)
    event = AuditEvent.objects.get(action=Action.CREATE, record_type="membership")
    assert (event.record_id, event.clinic, event.user.username) == (str(membership.pk), world.clinic_b, "root")
    fiona = get_user_model().objects.create(username="fiona")
    Membership.objects.create(user=fiona, clinic=world.clinic_b, role=Role.CLINIC_ADMIN)
    enrol_second_factor(fiona)
    log = Client(REMOTE_ADDR=OUTSIDE_ADDRESS)
    force_login(log, fiona)
    rows = log.get(reverse("audit:log"), {"record_type": "membership"}).content.decode().split("<tbody>")[1]
    assert f"membership #{membership.pk}" in rows and "admin: added" in rows and "root" in rows


def test_memberships_added_changed_and_removed_inline_on_the_clinic_page_are_audited(world: World, root: Client) -> None:
    url = reverse("admin:accounts_clinic_change", args=[world.clinic_b.pk])
    [charlie] = Membership.objects.filter(clinic=world.clinic_b)
    form = _form(root, url, Clinic)
    prefix = "memberships"
    total = int(form[f"{prefix}-TOTAL_FORMS"][0])
    form.update(
        {
            f"{prefix}-0-role": [Role.CLINIC_ADMIN],  # Charlie becomes clinic admin
            f"{prefix}-{total}-user": [str(world.alice.pk)],  # Alice joins clinic B
            f"{prefix}-{total}-role": [Role.CLINICIAN],
            f"{prefix}-{total}-clinic": [str(world.clinic_b.pk)],
            f"{prefix}-TOTAL_FORMS": [str(total + 1)],
            "_save": ["Save"],
        }
    )
    assert root.post(url, form).status_code == 302
    alice = Membership.objects.get(user=world.alice, clinic=world.clinic_b)
    events = {(e.action, e.record_type, e.record_id): e for e in _events()}
    assert events[(Action.UPDATE, "membership", str(charlie.pk))].detail == f"admin: changed role (with clinic {world.clinic_b.pk})"
    assert events[(Action.CREATE, "membership", str(alice.pk))].clinic == world.clinic_b
    assert (Action.UPDATE, "clinic", str(world.clinic_b.pk)) in events

    form = _form(root, url, Clinic)
    row = next(k.split("-")[1] for k, v in form.items() if k.endswith("-id") and v == [str(alice.pk)])
    form.update({f"{prefix}-{row}-DELETE": ["on"], "_save": ["Save"]})
    assert root.post(url, form).status_code == 302
    assert not Membership.objects.filter(pk=alice.pk).exists()
    [deleted] = _events(action=Action.DELETE, record_type="membership")
    assert (deleted.record_id, deleted.clinic) == (str(alice.pk), world.clinic_b)


def test_deleting_several_records_with_the_admin_action_audits_each(world: World, root: Client) -> None:
    groups = [Group.objects.create(name=name) for name in ("One", "Two", "Three")]
    url = reverse("admin:auth_group_changelist")
    data = {"action": "delete_selected", "_selected_action": [str(g.pk) for g in groups], "post": "yes"}
    assert root.post(url, data).status_code == 302
    assert not Group.objects.exists()
    deleted = {e.record_id for e in _events(action=Action.DELETE, record_type="group")}
    assert deleted == {str(g.pk) for g in groups}


def test_a_password_set_in_the_admin_is_audited_without_the_password(world: World, root: Client) -> None:
    url = reverse("admin:auth_user_password_change", args=[world.bob.pk])
    new = "an entirely new passphrase 42"
    response = root.post(url, {"password1": new, "password2": new, "usable_password": "true", "set-password": "1"})
    assert response.status_code == 302, response.content.decode()[:3000]
    [event] = _events(action=Action.UPDATE, record_type="user")
    assert event.record_id == str(world.bob.pk)
    assert new not in event.detail and "password" in event.detail.lower()
