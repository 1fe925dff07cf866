# The BSN at rest: each plain `bsn` column becomes the BSN encrypted and its blind index
# (outreach.core.bsn), and the rows kept as delivered lose their BSN.

import json

from django.db import migrations, models

from outreach.core.bsn import keyring
from outreach.intake.readers import without_bsn

MODELS = ("Person", "DebtHelpClient", "RegisterEntry")
CHUNK = 2000


def _by_chunk(queryset):
    """The rows of `queryset` in chunks by id, each read after the previous one was written."""
    last = 0
    while True:
        chunk = list(queryset.filter(pk__gt=last).order_by("pk")[:CHUNK])
        if not chunk:
            return
        yield chunk
        last = chunk[-1].pk


def encrypt(apps, schema_editor):
    keys = keyring()
    for name in MODELS:
        model = apps.get_model("intake", name)
        for chunk in _by_chunk(model.objects.exclude(bsn="").only("pk", "bsn")):
            for row in chunk:
                row.bsn_encrypted, row.bsn_index = keys.stored(row.bsn)
            model.objects.bulk_update(chunk, ["bsn_encrypted", "bsn_index"])


def decrypt(apps, schema_editor):
    keys = keyring()
    for name in MODELS:
        model = apps.get_model("intake", name)
        rows = model.objects.exclude(bsn_encrypted="").only("pk", "bsn_encrypted")
        for chunk in _by_chunk(rows):
            for row in chunk:
                row.bsn = keys.open(row.bsn_encrypted)
            model.objects.bulk_update(chunk, ["bsn"])


def scrub_raw(apps, schema_editor):
    """Signals keep the delivered row until the retention period ends: without its BSN now."""
    signal = apps.get_model("intake", "Signal")
    with_bsn = signal.objects.filter(
        models.Q(raw__icontains="bsn") | models.Q(raw__icontains="burgerservicenummer")
    ).only("pk", "raw")
    for chunk in _by_chunk(with_bsn):
        changed = []
        for row in chunk:
            raw = json.loads(row.raw)
            kept = without_bsn(raw) if isinstance(raw, dict) else raw
            if kept != raw:
                row.raw = json.dumps(kept, ensure_ascii=False)
                changed.append(row)
        signal.objects.bulk_update(changed, ["raw"])


class Migration(migrations.Migration):

    dependencies = [
        ("intake", "0004_optout"),
    ]

    operations = [
        *(
            migrations.AddField(
                model_name=name.lower(),
                name="bsn_encrypted",
                field=models.CharField(blank=True, max_length=200),
            )
            for name in MODELS
        ),
        migrations.AddField(
            model_name="person",
            name="bsn_index",
            field=models.CharField(blank=True, max_length=32),
        ),
        *(
            migrations.AddField(
                model_name=name.lower(),
                name="bsn_index",
                field=models.CharField(blank=True, db_index=True, max_length=32),
            )
            for name in ("DebtHelpClient", "RegisterEntry")
        ),
        migrations.RunPython(encrypt, decrypt),
        migrations.RunPython(scrub_raw, migrations.RunPython.noop),
        *(migrations.RemoveField(model_name=name.lower(), name="bsn") for name in MODELS),
    ]
