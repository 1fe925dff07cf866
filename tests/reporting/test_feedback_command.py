"""`outreach partner-feedback`: the same records as the partner's API."""

import json

import pytest
from django.core.management import CommandError
from django.test import Client

from outreach.intake.partners import register_partner
from outreach.reporting.feedback import record_feedback
from tests.conftest import signal_row
from tests.reporting.conftest import at, ingest

pytestmark = pytest.mark.django_db


@pytest.fixture
def feedback(municipality, partner):
    ingest(
        [signal_row(id="H-1", postcode="3511AA"), signal_row(id="", postcode="3511AB")],
        municipality,
        at("2026-05-15"),
        partner=partner,
    )
    other = register_partner("Water", "Vitens", [municipality])
    ingest([signal_row(id="W-1", postcode="3511AC")], municipality, at("2026-05-15"), other)
    assert record_feedback(at("2026-06-12")) == 3


def test_the_commands_json_equals_the_apis_records(feedback, partner, token, run_command):
    api = Client().get("/api/v1/feedback?after=0", HTTP_AUTHORIZATION=f"Bearer {token}").json()
    printed = json.loads(
        run_command("partner-feedback", "--municipality", "0344", "--partner", partner.pk, "--json")
    )
    assert printed == api["records"] and len(printed) == 2


def test_without_a_partner_every_partners_records(feedback, run_command):
    printed = json.loads(run_command("partner-feedback", "--municipality", "0344", "--json"))
    refs = [r["signal_id"] for r in printed]
    assert len(refs) == 3 and {"H-1", "W-1"} <= set(refs)
    text = run_command("partner-feedback", "--municipality", "0344")
    assert "niet bereikt of geen hulp gewenst" in text and text.rstrip().endswith("3 record(s)")


def test_unknown_partner_or_municipality(feedback, run_command):
    with pytest.raises(CommandError, match="no signal partner with id 999"):
        run_command("partner-feedback", "--municipality", "0344", "--partner", 999)
    with pytest.raises(CommandError, match="no municipality with code '9998'"):
        run_command("partner-feedback", "--municipality", "9998")
