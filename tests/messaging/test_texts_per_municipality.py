"""Texts per municipality: the shipped texts are shared defaults; a municipality's own
published version is what its readers get (own in the language, shared in the language, own
Dutch, shared Dutch), each message records whose version it was, and a batch reads each text
once for every municipality. Four eyes: one person proposes, another approves or sends back."""

from datetime import datetime, timedelta

import pytest
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction

from outreach.cadence.models import PlannedStep
from outreach.core.models import Municipality
from outreach.messaging.models import Message, TemplateVersion
from outreach.messaging.texts.compose import PublishedTexts
from outreach.messaging.texts.versions import (
    PublishError,
    approve,
    four_eyes,
    propose,
    publish,
    published,
    resolution_order,
    review,
    rollback,
    save_draft,
    send_back,
)
from tests.cadence.conftest import ingest
from tests.conftest import AMSTERDAM, CONTACT, municipality_with_contact, set_contact, signal_row

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 12, 3, 10, 0, tzinfo=AMSTERDAM)
Status = TemplateVersion.Status
OWN_SMS = (
    "{{ salutation }}, wij helpen u gratis. Stuur {{ keywords.yes }} naar {{ reply_number }}. "
    "Of bel {{ worker_name }}: {{ worker_phone }} of 0800 1234."
)


@pytest.fixture
def other(db) -> Municipality:
    return municipality_with_contact("0307", "Amersfoort")


def own(municipality: Municipality, name: str, lang: str, source: str = OWN_SMS) -> TemplateVersion:
    """A published own version, put in place without the checks (the tests of publishing
    are below)."""
    return TemplateVersion.objects.create(
        municipality=municipality, name=name, lang=lang, version=1, source=source,
        status=Status.PUBLISHED, created_at=NOW, published_at=NOW,
    )  # fmt: skip


def users(*names: str) -> list[User]:
    return [User.objects.create_user(name) for name in names]


# --- Which version a reader gets ------------------------------------------------------------


def test_the_order_is_own_then_shared_in_the_language_then_own_then_shared_dutch():
    assert resolution_order("en", 7) == [(7, "en"), (None, "en"), (7, "nl"), (None, "nl")]
    assert resolution_order("nl", 7) == [(7, "nl"), (None, "nl")]
    assert resolution_order("en", None) == [(None, "en"), (None, "nl")]


def test_a_municipality_gets_its_own_version_and_the_others_the_shared_one(municipality, other):
    mine = own(other, "invitation", "nl")
    assert published("invitation", "nl", other.pk) == mine
    shared = published("invitation", "nl", municipality.pk)
    assert shared.municipality_id is None and shared.version == 1
    assert published("invitation", "nl") == shared


def test_the_shared_text_in_the_readers_language_beats_the_own_dutch_one(other):
    own(other, "invitation", "nl")
    english = published("invitation", "en", other.pk)
    assert (english.municipality_id, english.lang) == (None, "en")
    mine = own(other, "invitation", "en")
    assert published("invitation", "en", other.pk) == mine


def test_without_any_text_in_the_language_the_own_dutch_beats_the_shared_dutch(other):
    TemplateVersion.objects.filter(name="invitation", lang="tr").delete()
    assert published("invitation", "tr", other.pk).municipality_id is None
    mine = own(other, "invitation", "nl")
    assert published("invitation", "tr", other.pk) == mine


def test_a_draft_or_proposal_of_a_municipality_is_never_sent(other):
    draft = save_draft("invitation", "nl", OWN_SMS, None, NOW, municipality_id=other.pk)
    assert published("invitation", "nl", other.pk).municipality_id is None
    TemplateVersion.objects.filter(pk=draft.pk).update(status=Status.PROPOSED)
    assert published("invitation", "nl", other.pk).municipality_id is None


def test_a_batch_reads_each_text_once_for_every_municipality(
    municipality, other, django_assert_num_queries
):
    mine = own(other, "invitation", "nl")
    texts = PublishedTexts()
    with django_assert_num_queries(1):
        for _ in range(50):
            assert texts.get("invitation", "nl", other.pk) == mine
            assert texts.get("invitation", "nl", municipality.pk).municipality_id is None
            assert texts.get("invitation", "nl").municipality_id is None


@pytest.mark.usefixtures("campaign_dir")
def test_the_engine_sends_each_its_own_text_and_records_whose_it_was(
    municipality, other, engine, now
):
    own(other, "invitation", "nl")
    (ours,) = ingest([signal_row()], municipality, now)
    (theirs,) = ingest([signal_row(postcode="3811AA")], other, now)
    engine(now)
    due = PlannedStep.objects.get(case=ours, key="sms1").due_at
    engine(due)
    mine = Message.objects.get(case=theirs, channel="sms")
    shared = Message.objects.get(case=ours, channel="sms")
    assert "0800 1234" in mine.body and "0800 1234" not in shared.body
    assert (mine.template_municipality_id, mine.template_version) == (other.pk, 1)
    assert shared.template_municipality_id is None


# --- Constraints with a null municipality ---------------------------------------------------


def test_numbers_are_unique_per_owner_and_shared_counts_as_one_owner(municipality, other):
    own(municipality, "invitation", "nl")
    own(other, "invitation", "nl")  # the same number for another owner is fine
    for owner in (municipality, None):
        with pytest.raises(IntegrityError), transaction.atomic():
            TemplateVersion.objects.create(
                municipality=owner, name="invitation", lang="nl", version=1, source="x",
                created_at=NOW,
            )  # fmt: skip


def test_one_published_version_per_owner_also_for_the_shared_texts(municipality):
    own(municipality, "invitation", "nl")
    for owner in (municipality, None):
        with pytest.raises(IntegrityError), transaction.atomic():
            TemplateVersion.objects.create(
                municipality=owner, name="invitation", lang="nl", version=5, source="x",
                created_at=NOW, status=Status.PUBLISHED,
            )  # fmt: skip


def test_a_municipality_numbers_its_own_versions_from_one(municipality):
    draft = save_draft("invitation", "nl", OWN_SMS, None, NOW, municipality_id=municipality.pk)
    again = save_draft("invitation", "nl", OWN_SMS, None, NOW, municipality_id=municipality.pk)
    assert (draft.version, again.version) == (1, 2)
    assert save_draft("invitation", "nl", OWN_SMS, None, NOW).version == 2  # the shared text


# --- Four eyes ------------------------------------------------------------------------------


def test_four_eyes_is_on_by_default_for_municipalities_and_the_shared_texts(municipality, settings):
    assert four_eyes(municipality.pk) and four_eyes(None)
    settings.OUTREACH_SHARED_TEXTS_FOUR_EYES = False
    assert not four_eyes(None)
    municipality.texts_four_eyes = False
    municipality.save()
    assert not four_eyes(municipality.pk)


def test_with_four_eyes_one_proposes_and_only_another_approves(municipality):
    alice, bert = users("alice", "bert")
    draft = save_draft(
        "invitation", "nl", OWN_SMS, alice, NOW, "eigen nummer", municipality_id=municipality.pk
    )
    with pytest.raises(PublishError, match="collega"):
        publish(draft, alice, NOW)
    propose(draft, alice, NOW)
    assert published("invitation", "nl", municipality.pk).municipality_id is None
    with pytest.raises(PublishError, match="zelf geschreven of voorgesteld"):
        approve(draft, alice, NOW)
    with pytest.raises(PublishError, match="zelf"):
        send_back(draft, alice, NOW, "toch niet")
    draft.refresh_from_db()
    assert draft.status == Status.PROPOSED

    approve(draft, bert, NOW + timedelta(minutes=5))
    draft.refresh_from_db()
    assert (draft.status, draft.proposed_by, draft.published_by) == (Status.PUBLISHED, alice, bert)
    assert published("invitation", "nl", municipality.pk) == draft


def test_the_author_of_a_draft_another_proposed_cannot_approve_it_either(municipality):
    alice, bert, chris = users("alice", "bert", "chris")
    draft = save_draft("invitation", "nl", OWN_SMS, alice, NOW, municipality_id=municipality.pk)
    propose(draft, bert, NOW)
    with pytest.raises(PublishError):
        approve(draft, alice, NOW)
    approve(draft, chris, NOW)
    assert published("invitation", "nl", municipality.pk) == draft


def test_sending_back_needs_a_comment_and_records_who_and_why(municipality):
    alice, bert = users("alice", "bert")
    draft = save_draft("invitation", "nl", OWN_SMS, alice, NOW, municipality_id=municipality.pk)
    propose(draft, alice, NOW)
    with pytest.raises(PublishError, match="Schrijf"):
        send_back(draft, bert, NOW, "  ")
    send_back(draft, bert, NOW, "Het 0800-nummer klopt niet.")
    draft.refresh_from_db()
    assert (draft.status, draft.returned_by, draft.review_comment) == (
        Status.RETURNED,
        bert,
        "Het 0800-nummer klopt niet.",
    )
    assert published("invitation", "nl", municipality.pk).municipality_id is None
    with pytest.raises(PublishError, match="wacht niet"):
        approve(draft, bert, NOW)


def test_a_proposal_is_checked_as_a_publication_is(municipality):
    (alice,) = users("alice")
    bad = save_draft(
        "invitation", "nl", OWN_SMS + " {{ iban }}", alice, NOW, municipality_id=municipality.pk
    )
    with pytest.raises(PublishError, match="error"):
        propose(bad, alice, NOW)
    assert TemplateVersion.objects.get(pk=bad.pk).status == Status.DRAFT


def test_a_new_proposal_replaces_one_still_waiting(municipality):
    alice, bert = users("alice", "bert")
    first = save_draft("invitation", "nl", OWN_SMS, alice, NOW, municipality_id=municipality.pk)
    propose(first, alice, NOW)
    second = save_draft(
        "invitation", "nl", OWN_SMS + " Tot ziens.", bert, NOW, municipality_id=municipality.pk
    )
    propose(second, bert, NOW)
    first.refresh_from_db()
    assert (first.status, first.review_comment) == (
        Status.DRAFT,
        "Vervangen door voorstel versie 2.",
    )


def test_with_four_eyes_a_rollback_is_a_proposal_until_approved(municipality):
    alice, bert = users("alice", "bert")
    municipality.texts_four_eyes = False
    municipality.save()
    v1 = save_draft("invitation", "nl", OWN_SMS, alice, NOW, municipality_id=municipality.pk)
    publish(v1, alice, NOW)
    v2 = save_draft(
        "invitation", "nl", OWN_SMS + " Tot ziens.", alice, NOW, municipality_id=municipality.pk
    )
    publish(v2, alice, NOW)
    municipality.texts_four_eyes = True
    municipality.save()

    back = rollback("invitation", "nl", 1, alice, NOW, municipality_id=municipality.pk)
    assert (back.version, back.status, back.origin) == (3, Status.PROPOSED, "rollback")
    assert published("invitation", "nl", municipality.pk) == v2
    approve(back, bert, NOW)
    now_sent = published("invitation", "nl", municipality.pk)
    assert (now_sent.pk, now_sent.source) == (back.pk, OWN_SMS)


def test_without_four_eyes_one_person_publishes_at_once(municipality):
    municipality.texts_four_eyes = False
    municipality.save()
    (alice,) = users("alice")
    draft = save_draft("invitation", "nl", OWN_SMS, alice, NOW, municipality_id=municipality.pk)
    publish(draft, alice, NOW)
    assert published("invitation", "nl", municipality.pk) == draft


# --- The owner's letterhead in the checks ---------------------------------------------------


def test_an_sms_is_measured_on_the_municipalitys_own_contact_person(municipality):
    long_name = "Maria-Magdalena " * 6  # the longest name a contact person may have
    set_contact(municipality, {**CONTACT, "worker_name": long_name.strip()})
    naming = OWN_SMS + " {{ worker_name }} belt u terug. Vraag naar {{ worker_name }}."
    assert not review("invitation", "nl", naming).errors
    findings = review("invitation", "nl", naming, municipality.pk).errors
    assert [f["rule"] for f in findings] == ["sms-segments"]
