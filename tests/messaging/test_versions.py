"""The life of a text: shipped defaults, drafts, publication with review, rollback, history."""

from datetime import datetime, timedelta

import pytest
from django.contrib.auth.models import User

from outreach.messaging.models import TemplateVersion
from outreach.messaging.texts.catalogue import LANGUAGES, TEMPLATES
from outreach.messaging.texts.versions import (
    PublishError,
    diff,
    history,
    load_shipped,
    publish,
    published,
    rollback,
    save_draft,
    shipped_source,
)
from tests.conftest import AMSTERDAM

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 12, 3, 10, 0, tzinfo=AMSTERDAM)
Status = TemplateVersion.Status
GOOD = (
    "Beste {{ name }}, wij helpen u graag. Het is gratis.\n"
    "Bel {{ worker_name }}: {{ worker_phone }}."
)


@pytest.fixture(autouse=True)
def one_person_publishes(settings) -> None:
    """These tests are of the shared texts published by one person (four eyes off);
    test_texts_per_municipality.py has the four-eyes path."""
    settings.OUTREACH_SHARED_TEXTS_FOUR_EYES = False


@pytest.fixture
def editor(db) -> User:
    return User.objects.create_user("communicatie")


def shipped_files() -> set[tuple[str, str]]:
    return {
        (spec.name, lang)
        for spec in TEMPLATES.values()
        for lang in LANGUAGES
        if shipped_source(spec, lang) is not None
    }


def test_migrate_publishes_every_shipped_text_once():
    files = shipped_files()
    assert ("first_single", "nl") in files and ("invitation", "ar") in files
    rows = set(TemplateVersion.objects.values_list("name", "lang", "version", "status", "origin"))
    assert rows == {(n, lang, 1, Status.PUBLISHED, "shipped") for n, lang in files}
    assert load_shipped(NOW) == 0  # a second migrate adds nothing and keeps edits


def test_a_new_shipped_text_is_added_beside_edited_ones(editor):
    TemplateVersion.objects.filter(name="reminder", lang="pl").delete()
    draft = save_draft("invitation", "nl", GOOD, editor, NOW)
    assert load_shipped(NOW) == 1
    assert published("reminder", "pl").origin == "shipped"
    assert TemplateVersion.objects.get(pk=draft.pk).status == Status.DRAFT


def test_a_draft_is_not_sent_until_published(editor):
    before = published("invitation", "nl")
    draft = save_draft("invitation", "nl", GOOD, editor, NOW, note="korter")
    assert (draft.version, draft.status, draft.author) == (2, Status.DRAFT, editor)
    assert published("invitation", "nl") == before
    publish(draft, editor, NOW + timedelta(minutes=1))
    assert published("invitation", "nl").pk == draft.pk
    before.refresh_from_db()
    assert before.status == Status.RETIRED
    assert (
        TemplateVersion.objects.filter(
            name="invitation", lang="nl", status=Status.PUBLISHED
        ).count()
        == 1
    )


def test_an_error_blocks_publication(editor):
    draft = save_draft(
        "invitation",
        "nl",
        "Beste {{ iban }}, het is gratis. {{ worker_name }} {{ worker_phone }}",
        editor,
        NOW,
    )
    with pytest.raises(PublishError) as failure:
        publish(draft, editor, NOW)
    assert "error" in str(failure.value)
    assert any("iban" in f["message"] for f in failure.value.review.errors)
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT
    assert published("invitation", "nl").version == 1


def test_a_syntax_error_is_reported_with_its_line(editor):
    draft = save_draft("invitation", "nl", "Beste {{ name }},\nhet is gratis {% if %}", editor, NOW)
    with pytest.raises(PublishError) as failure:
        publish(draft, editor, NOW)
    assert any(f["line"] == 2 for f in failure.value.review.errors)


def test_a_warning_needs_a_written_reason(editor):
    long = " ".join(["woord"] * 11)  # 17 words: over 15 is a warning, over 20 an error
    source = f"{GOOD}\nDit is een zin met {long} erin."
    draft = save_draft("invitation", "nl", source, editor, NOW)
    with pytest.raises(PublishError) as failure:
        publish(draft, editor, NOW)
    assert "warning" in str(failure.value)
    assert failure.value.review.warnings and not failure.value.review.errors
    publish(draft, editor, NOW, reason="Lange zin is hier nodig.")
    draft.refresh_from_db()
    assert draft.status == Status.PUBLISHED
    assert draft.warning_reason == "Lange zin is hier nodig."
    assert draft.warnings and draft.warnings[0]["level"] == "warning"


def test_only_a_draft_can_be_published(editor):
    current = published("invitation", "nl")
    with pytest.raises(PublishError, match="not a draft"):
        publish(current, editor, NOW)


def test_a_text_over_the_size_limit_is_rejected(editor, settings):
    big = "a" * (settings.OUTREACH_TEMPLATE_MAX_BYTES + 1)
    with pytest.raises(PublishError, match="bytes"):
        save_draft("invitation", "nl", big, editor, NOW)
    assert not TemplateVersion.objects.filter(status=Status.DRAFT).exists()


def test_unknown_texts_and_languages_are_refused(editor):
    with pytest.raises(PublishError, match="unknown text"):
        save_draft("aanmaning", "nl", GOOD, editor, NOW)
    with pytest.raises(PublishError, match="unknown language"):
        save_draft("invitation", "de", GOOD, editor, NOW)


def test_rollback_publishes_an_old_text_as_a_new_version(editor):
    original = published("invitation", "nl")
    draft = save_draft("invitation", "nl", GOOD, editor, NOW)
    publish(draft, editor, NOW)
    back = rollback("invitation", "nl", 1, editor, NOW + timedelta(hours=1))
    assert (back.version, back.status, back.origin) == (3, Status.PUBLISHED, "rollback")
    assert back.source == original.source
    assert published("invitation", "nl").pk == back.pk
    assert [v.version for v in history("invitation", "nl")] == [3, 2, 1]
    with pytest.raises(PublishError, match="no version 9"):
        rollback("invitation", "nl", 9, editor, NOW)


def test_a_failed_rollback_leaves_nothing_behind(editor):
    bad = TemplateVersion.objects.create(
        name="invitation", lang="nl", version=7, source="{{ nope }}", status=Status.RETIRED,
        created_at=NOW,
    )  # fmt: skip
    with pytest.raises(PublishError):
        rollback("invitation", "nl", bad.version, editor, NOW)
    assert published("invitation", "nl").version == 1
    assert not TemplateVersion.objects.filter(version=8).exists()


def test_a_language_without_a_published_text_falls_back_to_dutch():
    TemplateVersion.objects.filter(name="reminder", lang="tr").delete()
    assert published("reminder", "tr").lang == "nl"
    assert published("reminder", "en").lang == "en"


def test_diff_marks_added_and_removed_lines(editor):
    old = save_draft("invitation", "nl", "een\ntwee\ndrie", editor, NOW)
    new = save_draft("invitation", "nl", "een\n2\ndrie\nvier", editor, NOW)
    lines = diff(old, new)
    assert [(d.kind, d.text) for d in lines if d.kind in ("add", "remove")] == [
        ("remove", "-twee"),
        ("add", "+2"),
        ("add", "+vier"),
    ]
    assert lines[0].kind == "hunk"


def test_only_a_visit_text_may_count_on_an_appointment(editor):
    uses_visit = GOOD + " Wij komen op {{ appointment.date }}."
    draft = save_draft("invitation", "nl", uses_visit, editor, NOW)
    with pytest.raises(PublishError) as failure:
        publish(draft, editor, NOW)
    assert any("has no attribute 'date'" in f["message"] for f in failure.value.review.errors)
    visit = save_draft("visit_announcement_sms", "nl", uses_visit, editor, NOW)
    publish(visit, editor, NOW, reason="test")
    assert published("visit_announcement_sms", "nl").pk == visit.pk
