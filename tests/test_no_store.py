"""No answer with personal data is kept by a browser or a proxy: every page, CSV download and
API answer says `Cache-Control: no-store`, so the back button on a shared desk computer or a
proxy's cache shows nobody the last caseworker's cases."""

import pytest
from django.test import Client

from outreach.casework.models import Case
from outreach.core.roles import SUPERVISOR
from outreach.intake.partners import issue_token, register_partner
from tests.conftest import signal_row
from tests.reporting.conftest import PARTNER, at, ingest, staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def supervisor(municipality):
    return staff("teamleider", SUPERVISOR, municipality)


@pytest.fixture
def partner(municipality):
    partner = register_partner(*PARTNER, [municipality])
    ingest([signal_row(id="H-1", postcode="3511AA")], municipality, at("2026-05-15"), partner)
    return partner


def assert_not_kept(response) -> None:
    assert response.status_code == 200, response.status_code
    directives = {d.strip() for d in response["Cache-Control"].split(",")}
    assert {"no-store", "private"} <= directives, response["Cache-Control"]


def test_every_page_with_personal_data_says_no_store(supervisor, partner):
    case = Case.objects.get()
    for url in (
        "/",
        f"/cases/{case.pk}/",
        "/tasks/",
        "/at-risk/",
        "/inbox/",
        "/to-check/",
        "/feedback/",
        f"/feedback/{partner.pk}.csv",
        "/dashboard/",
    ):
        assert_not_kept(supervisor.get(url))
    assert "Jansen" in supervisor.get(f"/cases/{case.pk}/").content.decode()  # personal data


def test_the_partner_api_says_no_store(partner):
    token = issue_token(partner)
    response = Client().get("/api/v1/feedback?after=0", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert_not_kept(response)


def test_the_login_page_says_no_store():
    assert_not_kept(Client().get("/login/"))
