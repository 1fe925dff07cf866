"""Experiments on texts in the editor: a variant beside the text, its shares, the checks every
variant must pass before it starts, four eyes, and stopping with the variant that stays; each
step in the audit log."""

import re

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.test import Client

from outreach.core.models import AuditEntry, StaffProfile
from outreach.core.roles import COMMUNICATION, ensure_role_groups
from outreach.messaging.models import TemplateVersion, TextExperiment
from outreach.messaging.texts import experiments as ex
from outreach.messaging.texts.versions import current, history, published

pytestmark = pytest.mark.django_db

Status = TextExperiment.Status
URL = "/texts/gedeeld/invitation/experiment/"
SHORT = (
    "{{ salutation }}, de gemeente helpt gratis. Stuur {{ keywords.yes }} naar "
    "{{ reply_number }}. Of bel {{ worker_name }}: {{ worker_phone }}."
)
WITHOUT_FREE = (
    "{{ salutation }}, de gemeente helpt u graag. Stuur {{ keywords.yes }} naar "
    "{{ reply_number }}. Of bel {{ worker_name }}: {{ worker_phone }}."
)


def user_named(username: str, *, shared: bool = True) -> User:
    ensure_role_groups()
    user = User.objects.create_user(username, password="x")
    user.groups.add(Group.objects.get(name=COMMUNICATION))
    if shared:
        user.user_permissions.add(Permission.objects.get(codename="edit_shared_texts"))
    return user


def client_of(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def staff(settings) -> Client:
    settings.OUTREACH_SHARED_TEXTS_FOUR_EYES = False
    return client_of(user_named("schrijver"))


def make(staff: Client, name: str = "uitnodiging-kort") -> TextExperiment:
    page = staff.post(URL, {"action": "create", "name": name}, follow=True).content.decode()
    assert f"Experiment {name} is aangemaakt met variant B." in page
    return TextExperiment.objects.get(name=name)


def write(staff: Client, source: str, lang: str = "nl", variant: str = "B") -> str:
    return staff.post(
        f"{URL}{variant}/{lang}/", {"source": source, "action": "save"}, follow=True
    ).content.decode()


def start(staff: Client, reason: str = "") -> str:
    return staff.post(URL, {"action": "start", "reason": reason}, follow=True).content.decode()


def test_adding_a_variant_copies_the_text_in_each_language_at_50_50(staff):
    experiment = make(staff)
    assert experiment.shares == {"A": 50, "B": 50}
    assert experiment.status == Status.DRAFT
    copies = {v.lang: v for v in ex.variant_versions(experiment)}
    assert set(copies) == {"nl", "en", "tr", "ar", "pl", "uk"}
    assert copies["nl"].source == published("invitation", "nl").source
    assert (copies["nl"].variant, copies["nl"].version, copies["nl"].status) == ("B", 1, "draft")
    # The text itself is untouched: its editor and history know nothing of the variant.
    assert current("invitation", "nl").version == 1
    assert [v.version for v in history("invitation", "nl")] == [1]

    write(staff, SHORT)
    assert ex.newest_sources(experiment)["B"]["nl"].version == 2
    assert "Niets veranderd" in write(staff, SHORT)


@pytest.mark.parametrize(
    ("posted", "message"),
    [
        ({"A": "60", "B": "30"}, "De aandelen tellen op tot 90%, niet tot 100%."),
        ({"A": "veel", "B": "50"}, "variant A is geen heel getal: &#x27;veel&#x27;."),
        ({"A": "0", "B": "100"}, "variant A is 0%: het moet tussen 1 en 99% liggen."),
        ({"A": "50"}, "Het aandeel van variant B is geen heel getal: &#x27;&#x27;."),
    ],
)
def test_shares_are_whole_percentages_each_1_to_99_adding_up_to_100(staff, posted, message):
    experiment = make(staff)
    page = staff.post(URL, {"action": "shares", **posted}, follow=True).content.decode()
    assert message in page
    experiment.refresh_from_db()
    assert experiment.shares == {"A": 50, "B": 50}


def test_shares_are_saved_and_a_third_variant_splits_them_evenly(staff):
    experiment = make(staff)
    staff.post(URL, {"action": "shares", "A": "70", "B": "30%"})
    experiment.refresh_from_db()
    assert experiment.shares == {"A": 70, "B": 30}
    staff.post(URL, {"action": "add"})
    experiment.refresh_from_db()
    assert experiment.shares == {"A": 34, "B": 33, "C": 33}
    assert ex.newest_sources(experiment)["C"]["nl"].source == published("invitation", "nl").source


def test_an_experiment_needs_a_fresh_name(staff):
    page = staff.post(URL, {"action": "create", "name": "Mijn Test!"}, follow=True)
    assert "Geef het experiment een naam" in page.content.decode()
    make(staff, "proef-1")
    page = staff.post(URL, {"action": "create", "name": "proef-2"}, follow=True)
    assert "Deze tekst heeft al een experiment" in page.content.decode()


def test_starting_is_refused_while_a_variant_has_an_error_and_says_which(staff):
    experiment = make(staff)
    write(staff, SHORT + " {{ iban }}")
    page = start(staff)
    assert "Het experiment kan niet starten: elke variant moet door de controle." in page
    assert re.search(r"Variant B \(nl\): \d fout\(en\)", page)
    assert "iban" in page
    assert "Variant A (" not in page  # the text itself passes
    experiment.refresh_from_db()
    assert experiment.status == Status.DRAFT
    assert not ex.variant_versions(experiment).filter(status="published").exists()


def test_starting_is_refused_when_a_variant_lacks_a_required_element(staff):
    experiment = make(staff)
    write(staff, WITHOUT_FREE)
    page = start(staff)
    assert "Variant B (nl)" in page
    assert "(missing-element)" in page
    experiment.refresh_from_db()
    assert experiment.status == Status.DRAFT


def test_a_variant_without_a_language_the_other_has_fails_and_the_page_names_it(staff):
    experiment = make(staff)
    staff.post(URL, {"action": "add"})
    staff.post(f"{URL}C/tr/", {"action": "drop"})
    page = start(staff)
    assert "Variant C (tr): Variant C heeft geen tekst in deze taal." in page
    experiment.refresh_from_db()
    assert experiment.status == Status.DRAFT


def test_starting_publishes_every_variant_when_all_pass(staff):
    experiment = make(staff)
    write(staff, SHORT)
    page = start(staff)
    assert "Experiment uitnodiging-kort loopt." in page
    experiment.refresh_from_db()
    assert experiment.status == Status.RUNNING
    live = ex.variant_versions(experiment).filter(status="published")
    assert live.count() == 6
    assert live.get(lang="nl").source == SHORT
    # The text itself is still the published version 1: A is unchanged.
    assert published("invitation", "nl").version == 1
    # Variants cannot change while it runs: a new wording is a new experiment.
    assert "kunnen alleen in voorbereiding veranderen" in write(staff, SHORT + " Tot ziens.")


def test_stopping_keeps_the_chosen_variant_as_the_text_and_archives_the_others(staff):
    experiment = make(staff)
    write(staff, SHORT)
    start(staff)
    page = staff.post(URL, {"action": "stop", "kept": "Z"}, follow=True).content.decode()
    assert "Kies de variant die blijft: een van A, B (niet &#x27;Z&#x27;)." in page

    page = staff.post(URL, {"action": "stop", "kept": "B"}, follow=True).content.decode()
    assert "Experiment uitnodiging-kort is gestopt; variant B is de tekst" in page
    experiment.refresh_from_db()
    assert (experiment.status, experiment.kept) == (Status.STOPPED, "B")
    text = published("invitation", "nl")
    assert (text.version, text.source, text.variant) == (2, SHORT, "")
    assert text.origin == TemplateVersion.Origin.EXPERIMENT
    assert published("invitation", "en").version == 2  # B's English copy became the text too
    # The variants are kept for the record, never sent again.
    assert set(ex.variant_versions(experiment).values_list("status", flat=True)) == {"archived"}
    assert "uitnodiging-kort: gestopt" in staff.get(URL).content.decode()  # the earlier ones


def test_stopping_with_a_keeps_the_text_as_it_was(staff):
    experiment = make(staff)
    write(staff, SHORT)
    start(staff)
    staff.post(URL, {"action": "stop", "kept": "A"})
    experiment.refresh_from_db()
    assert (experiment.status, experiment.kept) == (Status.STOPPED, "A")
    assert published("invitation", "nl").version == 1
    assert set(ex.variant_versions(experiment).values_list("status", flat=True)) == {"archived"}


def test_running_shares_can_change(staff):
    experiment = make(staff)
    write(staff, SHORT)
    start(staff)
    staff.post(URL, {"action": "shares", "A": "20", "B": "80"})
    experiment.refresh_from_db()
    assert experiment.shares == {"A": 20, "B": 80}


def test_every_step_is_in_the_audit_log(staff):
    experiment = make(staff)
    write(staff, SHORT)
    staff.post(URL, {"action": "shares", "A": "40", "B": "60"})
    start(staff)
    staff.post(URL, {"action": "stop", "kept": "A"})
    details = list(
        AuditEntry.objects.filter(kind=AuditEntry.Kind.TEXT)
        .order_by("pk")
        .values_list("action", "detail")
    )
    assert details == [
        ("created", "invitation experiment uitnodiging-kort: aangemaakt met variant B, 50/50"),
        ("created", "invitation experiment uitnodiging-kort: concept variant B nl v2"),
        ("changed", "invitation experiment uitnodiging-kort: aandelen A 40%, B 60%"),
        ("changed", "invitation experiment uitnodiging-kort: gestart"),
        ("changed", "invitation experiment uitnodiging-kort: gestopt, variant A blijft"),
    ]
    assert AuditEntry.objects.filter(actor_name="schrijver").count() == 5
    assert experiment.pk in AuditEntry.objects.values_list("object_id", flat=True)


def test_with_four_eyes_one_proposes_and_a_colleague_starts(municipality):
    writer, colleague = user_named("schrijver", shared=False), user_named("collega", shared=False)
    for user in (writer, colleague):
        StaffProfile.objects.create(user=user).municipalities.add(municipality)
    url = f"/texts/{municipality.code}/invitation/experiment/"
    mine, theirs = client_of(writer), client_of(colleague)
    mine.post(url, {"action": "create", "name": "utrecht-kort"})
    mine.post(f"{url}B/nl/", {"source": SHORT, "action": "save"})
    page = mine.post(url, {"action": "start"}, follow=True).content.decode()
    assert "Vier ogen: stel het experiment voor" in page
    mine.post(url, {"action": "propose"})
    experiment = TextExperiment.objects.get(name="utrecht-kort")
    assert (experiment.status, experiment.municipality_id) == (Status.PROPOSED, municipality.pk)

    page = mine.post(url, {"action": "approve"}, follow=True).content.decode()
    assert "een collega keurt het goed (vier ogen)" in page
    theirs.post(url, {"action": "approve"})
    experiment.refresh_from_db()
    assert (experiment.status, experiment.started_by) == (Status.RUNNING, colleague)
    # The municipality's own variant, beside the shared text it sends.
    b = ex.variant_versions(experiment).get(lang="nl", status="published")
    assert (b.municipality_id, b.source) == (municipality.pk, SHORT)


def test_another_municipalitys_experiment_is_not_yours(municipality, other_municipality):
    writer = user_named("schrijver", shared=False)
    StaffProfile.objects.create(user=writer).municipalities.add(municipality)
    client = client_of(writer)
    url = f"/texts/{other_municipality.code}/invitation/experiment/"
    assert client.get(url).status_code == 403
    assert client.post(url, {"action": "create", "name": "niet-van-mij"}).status_code == 403
    assert not TextExperiment.objects.exists()
