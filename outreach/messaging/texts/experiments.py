"""Experiments on texts: one owner's text (the shared one or a municipality's) sent in two or
more wordings, each household getting one of them, to learn which reaches people better.

Variant "A" is the text itself as published (whatever `versions.resolution_order` gives the
reader); the other variants ("B", "C", ...) are TemplateVersions with `variant` set, written
per language in the editor. An experiment is prepared (`create`, `save_variant`, `set_shares`),
then started (`start`; with four eyes proposed by one person and started by another:
`propose`, `approve`) and at last stopped with the variant that stays (`stop`): a kept variant
other than A becomes a new published version of the text; the other variants' versions are
archived, kept for the record.

The rules never bend for a variant (`check`): every variant, A included, must pass the
renderer's checks and the linter (its required elements among them) in every language of the
experiment without an error, and a warning needs a written reason, as for any publication.

Which variant a household gets (`PublishedTexts.variant`, outreach.messaging.texts.compose):
the one recorded on an earlier message of the household in the same experiment, else
`outreach.core.variants.assign` on the experiment's name and the household's key
(`household_key`: its normalised address, which a repeat signal finds again; never a
database id). A household so stays in its variant across repeat signals and changes
of the shares. A reader whose language the variants do not cover gets the text itself and is
not in the experiment.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import Max, QuerySet

from outreach.messaging.models import TemplateVersion, TextExperiment
from outreach.messaging.texts.catalogue import LANGUAGES
from outreach.messaging.texts.rendering import RenderError, check_size
from outreach.messaging.texts.versions import (
    PublishError,
    Review,
    four_eyes,
    publish_kept,
    published_of_every_owner,
    review,
    save_draft,
    spec_for,
)

Status = TextExperiment.Status
VersionStatus = TemplateVersion.Status
BASE = "A"  # the text itself
EXTRA = ("B", "C", "D")  # the variants one may add, in this order
NAME = re.compile(r"^[a-z0-9][a-z0-9-]{2,63}$")
OPEN = (Status.DRAFT, Status.PROPOSED, Status.RUNNING)


class ExperimentError(Exception):
    """Why an experiment cannot be made, changed, started or stopped, in words staff read;
    `failures` names per variant and language what fails (`Failure`)."""

    def __init__(self, message: str, failures: "list[Failure] | None" = None) -> None:
        super().__init__(message)
        self.failures = failures or []


@dataclass(frozen=True)
class Failure:
    """One variant in one language that keeps the experiment from starting."""

    variant: str
    lang: str
    problem: str  # in Dutch
    findings: list[dict[str, Any]] = field(default_factory=list)


def household_key(address_key: str) -> str:
    """The key a household is assigned a variant by: its normalised address (Household.key,
    "1234AB|12|A"), which every repeat signal at the address finds again, and which a Dutch
    postcode and house number make unique across municipalities too. The campaign experiments
    (outreach.cadence) draw on the same key. Never a database id (a restored or merged
    database renumbers), never the person's BSN."""
    return address_key


# --- preparing ---------------------------------------------------------------------------------


def open_experiment(text: str, municipality_id: int | None) -> TextExperiment | None:
    """The owner's experiment on `text` that is not stopped, if any."""
    return TextExperiment.objects.filter(
        **_owner(municipality_id), text=text, status__in=OPEN
    ).first()


def history_of(text: str, municipality_id: int | None) -> list[TextExperiment]:
    """The owner's stopped experiments on `text`, newest first."""
    return list(
        TextExperiment.objects.filter(**_owner(municipality_id), text=text, status=Status.STOPPED)
    )


def _owner(municipality_id: int | None) -> dict[str, Any]:
    if municipality_id is None:
        return {"municipality__isnull": True}
    return {"municipality_id": municipality_id}


def check_name(name: str) -> str:
    """The experiment's name, stripped; raises when it is unusable or was used before."""
    name = name.strip()
    if not NAME.match(name):
        raise ExperimentError(
            "Geef het experiment een naam van 3 tot 64 tekens: kleine letters, cijfers en "
            f"streepjes, zoals 'uitnodiging-kort-2026' (niet '{name}')."
        )
    if TextExperiment.objects.filter(name=name).exists():
        raise ExperimentError(
            f"De naam '{name}' is al gebruikt: elk experiment krijgt een eigen naam, anders "
            "krijgen huishoudens dezelfde loting."
        )
    return name


def create(
    text: str, municipality_id: int | None, name: str, user: Any, now: datetime
) -> TextExperiment:
    """A new experiment on the owner's `text` with one variant B beside the text itself,
    50/50. B starts as a copy of the text in each language the owner's readers get it in."""
    spec_for(text)
    if open_experiment(text, municipality_id) is not None:
        raise ExperimentError("Deze tekst heeft al een experiment; stop dat eerst.")
    name = check_name(name)
    with transaction.atomic():
        experiment = TextExperiment.objects.create(
            municipality_id=municipality_id,
            text=text,
            name=name,
            shares={BASE: 50, "B": 50},
            created_by=_user(user),
            created_at=now,
        )
        for lang, base in base_versions(experiment).items():
            save_variant(experiment, "B", lang, base.source, user, now)
    return experiment


def add_variant(experiment: TextExperiment, user: Any, now: datetime) -> str:
    """Add the next variant (C, D), copied from the text itself; the shares are split evenly
    again. Only while the experiment is prepared."""
    _preparing(experiment)
    taken = list(experiment.shares)
    free = [name for name in EXTRA if name not in taken]
    if not free:
        raise ExperimentError(f"Een experiment heeft hoogstens {1 + len(EXTRA)} varianten.")
    variant = free[0]
    names = [*taken, variant]
    even, rest = divmod(100, len(names))
    with transaction.atomic():
        experiment.shares = {n: even + (1 if i < rest else 0) for i, n in enumerate(names)}
        experiment.save(update_fields=["shares"])
        for lang, base in base_versions(experiment).items():
            save_variant(experiment, variant, lang, base.source, user, now)
    return variant


def _preparing(experiment: TextExperiment) -> None:
    if experiment.status != Status.DRAFT:
        raise ExperimentError(
            f"Het experiment {experiment.name} is {experiment.get_status_display()}: de "
            "varianten kunnen alleen in voorbereiding veranderen."
        )


def parse_shares(variants: list[str], posted: Mapping[str, str]) -> dict[str, int]:
    """The shares staff typed per variant (whole percentages, each 1 to 99, adding up to 100),
    or an ExperimentError that names every problem."""
    problems: list[str] = []
    shares: dict[str, int] = {}
    for variant in variants:
        raw = (posted.get(variant) or "").strip().rstrip("%").strip()
        if not raw.isdigit():
            problems.append(f"Het aandeel van variant {variant} is geen heel getal: '{raw}'.")
            continue
        share = int(raw)
        if not 1 <= share <= 99:
            problems.append(
                f"Het aandeel van variant {variant} is {share}%: het moet tussen 1 en 99% liggen."
            )
        shares[variant] = share
    if not problems and sum(shares.values()) != 100:
        problems.append(f"De aandelen tellen op tot {sum(shares.values())}%, niet tot 100%.")
    if problems:
        raise ExperimentError(" ".join(problems))
    return shares


def set_shares(experiment: TextExperiment, posted: Mapping[str, str]) -> dict[str, int]:
    """New shares, while prepared or running (a household keeps the variant it has: see the
    module's docstring); not while a proposal waits, which the approver checks as it is."""
    if experiment.status not in (Status.DRAFT, Status.RUNNING):
        raise ExperimentError(
            f"Het experiment {experiment.name} is {experiment.get_status_display()}: de "
            "aandelen liggen vast."
        )
    shares = parse_shares(list(experiment.shares), posted)
    experiment.shares = shares
    experiment.save(update_fields=["shares"])
    return shares


def variant_versions(experiment: TextExperiment) -> QuerySet[TemplateVersion]:
    return TemplateVersion.objects.filter(experiment=experiment).exclude(variant="")


def newest_sources(experiment: TextExperiment) -> dict[str, dict[str, TemplateVersion]]:
    """Per variant other than A, per language, its newest version."""
    out: dict[str, dict[str, TemplateVersion]] = {}
    for version in variant_versions(experiment).order_by("version"):
        out.setdefault(version.variant, {})[version.lang] = version
    return out


def save_variant(
    experiment: TextExperiment, variant: str, lang: str, source: str, user: Any, now: datetime
) -> TemplateVersion:
    """A new draft version of `variant` in `lang` (numbered per text, language, owner and
    variant); the same source as its newest version saves nothing."""
    _preparing(experiment)
    if variant not in experiment.shares or variant == BASE:
        raise ExperimentError(
            f"Variant {variant} hoort niet bij dit experiment; variant A is de tekst zelf en "
            "verandert in de gewone editor."
        )
    if lang not in LANGUAGES:
        raise ExperimentError(f"Onbekende taal '{lang}'.")
    try:
        check_size(source.encode("utf-8"))
    except RenderError as exc:
        raise ExperimentError(str(exc)) from None
    mid = experiment.municipality_id
    with transaction.atomic():
        mine = TemplateVersion.objects.select_for_update().filter(
            **_owner(mid), name=experiment.text, lang=lang, variant=variant
        )
        newest = mine.filter(experiment=experiment).order_by("-version").first()
        if newest is not None and newest.source == source:
            return newest
        top = mine.aggregate(top=Max("version"))["top"] or 0
        return TemplateVersion.objects.create(
            municipality_id=mid,
            name=experiment.text,
            lang=lang,
            variant=variant,
            experiment=experiment,
            version=top + 1,
            source=source,
            note=f"experiment {experiment.name}",
            author=_user(user),
            created_at=now,
        )


def drop_language(experiment: TextExperiment, variant: str, lang: str) -> int:
    """Leave `lang` out of `variant` (its draft versions go): readers in that language then
    stay out of the experiment, unless another variant still has it."""
    _preparing(experiment)
    deleted, _ = variant_versions(experiment).filter(variant=variant, lang=lang).delete()
    return deleted


# --- checking and starting --------------------------------------------------------------------


def base_versions(experiment: TextExperiment) -> dict[str, TemplateVersion]:
    """Variant A per language: the published version of the text itself that the owner's
    readers in that language get (a municipality without its own: the shared one), for the
    languages that have one."""
    mid = experiment.municipality_id
    out: dict[str, TemplateVersion] = {}
    for lang in LANGUAGES:
        found = published_of_every_owner(experiment.text, lang)
        for key in ((mid, lang), (None, lang)) if mid is not None else ((None, lang),):
            if key in found:
                out[lang] = found[key]
                break
    return out


def languages_of(experiment: TextExperiment) -> list[str]:
    """The languages the experiment runs in: those every variant other than A has."""
    sources = newest_sources(experiment)
    variants = [v for v in experiment.shares if v != BASE]
    common = set(LANGUAGES)
    for variant in variants:
        common &= set(sources.get(variant, {}))
    return [lang for lang in LANGUAGES if lang in common]


def check(
    experiment: TextExperiment, reason: str = "", *, warnings: bool = True
) -> dict[str, dict[str, Review]]:
    """The review of every variant in every language of the experiment (A: the text as
    published). Raises ExperimentError naming each variant and language that fails: an error
    of the renderer or the linter (a missing required element among them), a warning without
    a reason (unless not `warnings`: the editor's page shows what blocks for certain), a
    variant without a text in a language the others have, a language the text itself has no
    version in, or wrong shares."""
    failures: list[Failure] = []
    try:
        parse_shares(list(experiment.shares), {k: str(v) for k, v in experiment.shares.items()})
    except ExperimentError as exc:
        failures.append(Failure("", "", str(exc)))
    sources = newest_sources(experiment)
    base = base_versions(experiment)
    variants = [v for v in experiment.shares if v != BASE]
    everywhere = set().union(*(set(sources.get(v, {})) for v in variants)) if variants else set()
    langs = languages_of(experiment)
    if not langs:
        failures.append(Failure("", "", "Geen taal waarin elke variant een tekst heeft."))
    for variant in variants:
        for lang in sorted(everywhere - set(sources.get(variant, {}))):
            failures.append(
                Failure(variant, lang, f"Variant {variant} heeft geen tekst in deze taal.")
            )
    reviews: dict[str, dict[str, Review]] = {}
    warned = False
    mid = experiment.municipality_id
    for lang in langs:
        if lang not in base:
            failures.append(Failure(BASE, lang, "De tekst zelf is in deze taal niet gepubliceerd."))
            continue
        candidates = {BASE: base[lang], **{v: sources[v][lang] for v in variants}}
        for variant, version in candidates.items():
            result = review(experiment.text, lang, version.source, mid)
            reviews.setdefault(variant, {})[lang] = result
            if result.errors:
                failures.append(
                    Failure(
                        variant,
                        lang,
                        f"{len(result.errors)} fout(en): los die eerst op.",
                        result.errors,
                    )
                )
            warned = warned or bool(result.warnings)
    if warnings and warned and not reason.strip():
        for variant, per_lang in reviews.items():
            for lang, result in per_lang.items():
                if result.warnings:
                    failures.append(
                        Failure(
                            variant,
                            lang,
                            f"{len(result.warnings)} waarschuwing(en): schrijf waarom het zo mag.",
                            result.warnings,
                        )
                    )
    if failures:
        raise ExperimentError(
            "Het experiment kan niet starten: elke variant moet door de controle.", failures
        )
    return reviews


def start(experiment: TextExperiment, user: Any, now: datetime, reason: str = "") -> None:
    """Start the prepared experiment where one person may publish the owner's texts."""
    if experiment.status != Status.DRAFT:
        raise ExperimentError(f"Het experiment is {experiment.get_status_display()}.")
    if four_eyes(experiment.municipality_id):
        raise ExperimentError(
            "Vier ogen: stel het experiment voor; een collega start het na goedkeuring."
        )
    _start(experiment, user, now, reason)


def propose(experiment: TextExperiment, user: Any, now: datetime, reason: str = "") -> None:
    """Propose the prepared experiment for a colleague to start (checked as for starting)."""
    if experiment.status != Status.DRAFT:
        raise ExperimentError(f"Het experiment is {experiment.get_status_display()}.")
    check(experiment, reason)
    experiment.status = Status.PROPOSED
    experiment.proposed_by = _user(user)
    experiment.proposed_at = now
    experiment.warning_reason = reason.strip()
    experiment.save(update_fields=["status", "proposed_by", "proposed_at", "warning_reason"])


def approve(experiment: TextExperiment, user: Any, now: datetime) -> None:
    """A colleague (not the proposer, not an author of a variant) starts the proposal."""
    if experiment.status != Status.PROPOSED:
        raise ExperimentError("Het experiment wacht niet op goedkeuring.")
    authors = set(variant_versions(experiment).values_list("author_id", flat=True))
    if not getattr(user, "pk", None) or user.pk in {experiment.proposed_by_id, *authors}:
        raise ExperimentError(
            "U hebt aan dit experiment geschreven of het voorgesteld: een collega keurt het "
            "goed (vier ogen)."
        )
    _start(experiment, user, now, experiment.warning_reason)


def back_to_draft(experiment: TextExperiment) -> None:
    """Withdraw a proposal (or have it sent back): it is prepared again."""
    if experiment.status != Status.PROPOSED:
        raise ExperimentError("Het experiment wacht niet op goedkeuring.")
    experiment.status = Status.DRAFT
    experiment.save(update_fields=["status"])


def _start(experiment: TextExperiment, user: Any, now: datetime, reason: str) -> None:
    """Publish each variant's newest version in each language of the experiment, after the
    checks; the experiment runs from now."""
    with transaction.atomic():
        locked = TextExperiment.objects.select_for_update().get(pk=experiment.pk)
        if locked.status not in (Status.DRAFT, Status.PROPOSED):
            raise ExperimentError(f"Het experiment is {locked.get_status_display()}.")
        reviews = check(experiment, reason)
        sources = newest_sources(experiment)
        for variant, per_lang in reviews.items():
            if variant == BASE:
                continue
            for lang, result in per_lang.items():
                version = sources[variant][lang]
                version.status = VersionStatus.PUBLISHED
                version.published_at = now
                version.published_by = _user(user)
                version.warnings = result.warnings
                version.warning_reason = reason.strip() if result.warnings else ""
                version.save()
        experiment.status = Status.RUNNING
        experiment.started_by = _user(user)
        experiment.started_at = now
        experiment.warning_reason = reason.strip()
        experiment.save()


# --- stopping ----------------------------------------------------------------------------------


def stop(experiment: TextExperiment, kept: str, user: Any, now: datetime) -> list[TemplateVersion]:
    """Stop the running experiment and keep `kept` as the text: for a variant other than A, its
    wording becomes a new published version of the text itself in each of its languages (it
    passed the checks and, with four eyes, a colleague's approval when the experiment
    started; the checks run again). Every variant's versions are archived. Returns the new
    versions (none when A stays)."""
    if experiment.status != Status.RUNNING:
        raise ExperimentError(f"Het experiment is {experiment.get_status_display()}.")
    if kept not in experiment.shares:
        raise ExperimentError(
            f"Kies de variant die blijft: een van {', '.join(experiment.shares)} (niet '{kept}')."
        )
    new: list[TemplateVersion] = []
    with transaction.atomic():
        locked = TextExperiment.objects.select_for_update().get(pk=experiment.pk)
        if locked.status != Status.RUNNING:
            raise ExperimentError(f"Het experiment is {locked.get_status_display()}.")
        if kept != BASE:
            winners = variant_versions(experiment).filter(
                variant=kept, status=VersionStatus.PUBLISHED
            )
            for winner in winners.order_by("lang"):
                draft = save_draft(
                    experiment.text, winner.lang, winner.source, user, now,
                    f"variant {kept} van experiment {experiment.name}",
                    TemplateVersion.Origin.EXPERIMENT,
                    municipality_id=experiment.municipality_id,
                )  # fmt: skip
                try:
                    publish_kept(
                        draft, user, now, winner.warning_reason or experiment.warning_reason
                    )
                except PublishError as exc:
                    raise ExperimentError(
                        f"Variant {kept} ({winner.lang}) kan nu niet gepubliceerd worden: {exc}"
                    ) from exc
                new.append(draft)
        variant_versions(experiment).update(status=VersionStatus.ARCHIVED)
        experiment.status = Status.STOPPED
        experiment.kept = kept
        experiment.stopped_by = _user(user)
        experiment.stopped_at = now
        experiment.save(update_fields=["status", "kept", "stopped_by", "stopped_at"])
    return new


def _user(user: Any) -> Any:
    return user if getattr(user, "pk", None) else None


# --- which variant a household gets -----------------------------------------------------------


@dataclass(frozen=True)
class Household:
    """Whom a message is for, as far as an experiment asks: the household's row (to find the
    variants recorded on its earlier messages) and its stable key (`household_key`)."""

    id: int
    key: str


@dataclass(frozen=True)
class Running:
    """A running experiment on a text, with its variants' published versions."""

    name: str
    municipality_id: int | None
    variants: list[tuple[str, float]]
    versions: dict[tuple[str, str], TemplateVersion]  # (variant, lang) -> its version

    def covers(self, lang: str) -> bool:
        return all((v, lang) in self.versions for v, _ in self.variants if v != BASE)


def running_on(text: str) -> dict[int | None, Running]:
    """The running experiments on `text` per owner (None: the shared text): two queries."""
    experiments = {e.pk: e for e in TextExperiment.objects.filter(text=text, status=Status.RUNNING)}
    if not experiments:
        return {}
    versions: dict[int, dict[tuple[str, str], TemplateVersion]] = {}
    for version in TemplateVersion.objects.filter(
        experiment_id__in=list(experiments), status=VersionStatus.PUBLISHED
    ):
        versions.setdefault(version.experiment_id or 0, {})[(version.variant, version.lang)] = (
            version
        )
    return {
        e.municipality_id: Running(e.name, e.municipality_id, e.variants, versions.get(pk, {}))
        for pk, e in experiments.items()
    }
