"""The text editor writes the audit log (outreach.core.audit): saving a draft, proposing,
approving, sending back and publishing each log a line about that version of the text, with
its owner; a refused step logs nothing."""

import pytest

from outreach.core.models import AuditEntry
from outreach.messaging.models import TemplateVersion
from tests.messaging.test_texts_access import places, writer  # noqa: F401  (fixture)
from tests.messaging.test_texts_per_municipality import OWN_SMS

pytestmark = pytest.mark.django_db


def lines() -> list[tuple[str, str, str, int, int | None, str]]:
    return list(
        AuditEntry.objects.order_by("pk").values_list(
            "actor_name", "action", "kind", "object_id", "municipality", "detail"
        )
    )


def test_saving_a_text_logs_the_new_version(places):  # noqa: F811
    utrecht, _ = places
    writer("ilse", utrecht).post(
        "/texts/0344/invitation/nl/", {"source": OWN_SMS, "action": "save"}
    )
    draft = TemplateVersion.objects.get(municipality=utrecht)
    assert lines() == [
        ("ilse", "created", "text", draft.pk, utrecht.pk, "invitation/nl v1: concept")
    ]


def test_the_four_eyes_steps_are_logged_and_a_refused_one_is_not(places):  # noqa: F811
    utrecht, _ = places
    ilse, jan = writer("ilse", utrecht), writer("jan", utrecht)
    ilse.post("/texts/0344/invitation/nl/", {"source": OWN_SMS, "action": "propose"})
    first = TemplateVersion.objects.get(municipality=utrecht)
    ilse.post("/texts/0344/invitation/nl/approve/1")  # her own proposal: refused
    jan.post("/texts/0344/invitation/nl/send-back/1", {"comment": "Anders."})
    ilse.post("/texts/0344/invitation/nl/", {"source": OWN_SMS + " Bel ons.", "action": "propose"})
    second = TemplateVersion.objects.get(municipality=utrecht, version=2)
    jan.post("/texts/0344/invitation/nl/approve/2")
    assert lines() == [
        ("ilse", "created", "text", first.pk, utrecht.pk, "invitation/nl v1: concept"),
        ("ilse", "changed", "text", first.pk, utrecht.pk, "invitation/nl v1: voorgesteld"),
        ("jan", "changed", "text", first.pk, utrecht.pk, "invitation/nl v1: teruggestuurd"),
        ("ilse", "created", "text", second.pk, utrecht.pk, "invitation/nl v2: concept"),
        ("ilse", "changed", "text", second.pk, utrecht.pk, "invitation/nl v2: voorgesteld"),
        ("jan", "changed", "text", second.pk, utrecht.pk, "invitation/nl v2: goedgekeurd"),
    ]


def test_publishing_a_shared_text_logs_it_without_a_municipality(places, settings):  # noqa: F811
    settings.OUTREACH_SHARED_TEXTS_FOUR_EYES = False
    writer("redactie", shared=True).post(
        "/texts/gedeeld/invitation/nl/", {"source": OWN_SMS, "action": "publish"}
    )
    version = TemplateVersion.objects.get(municipality=None, version=2)
    assert lines()[-1] == (
        "redactie",
        "changed",
        "text",
        version.pk,
        None,
        "invitation/nl v2: gepubliceerd",
    )
