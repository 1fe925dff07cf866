"""Where BSNs are stored (encrypted, with their blind index: outreach.core.bsn), the check that
the configured key opens them, and moving them to a new key.

Three tables hold a BSN: the person named on a signal, the debt-help client and the register
entry. Each row holds the BSN encrypted and its blind index under the same key.
"""

from collections.abc import Iterator

from django.db import transaction
from django.db.models import Model

from outreach.core import bulk
from outreach.core.bsn import BsnKeyError, Keyring
from outreach.core.models import Municipality
from outreach.intake.models import DebtHelpClient, Person, RegisterEntry

BSN_MODELS: tuple[type[Model], ...] = (Person, DebtHelpClient, RegisterEntry)
REKEY_CHUNK = 2000


def check_bsn_key(municipality: Municipality, keys: Keyring) -> None:
    """Open one stored BSN of each table of the municipality and compare its blind index:
    BsnKeyError when the key is not the one they were stored with. Without this a wrong key
    would fail silently: no source would match by BSN any more."""
    for model in BSN_MODELS:
        rows = bulk.select(
            f"SELECT bsn_encrypted, bsn_index FROM {bulk.table(model)} "
            "WHERE municipality_id = %s AND bsn_encrypted <> '' LIMIT 1",
            [municipality.pk],
        )
        for encrypted, index in rows:
            if index not in keys.indexes(keys.open(encrypted)):
                raise BsnKeyError(
                    f"the blind index of a stored BSN ({model._meta.db_table}) was not made "
                    "with any key in OUTREACH_BSN_KEY: the key is wrong"
                )


def _chunks(model: type[Model]) -> Iterator[list[tuple[int, str]]]:
    """The rows with a BSN, (id, encrypted), in chunks by id (each read after the previous
    chunk's changes, so none is read twice)."""
    last = 0
    while True:
        rows = bulk.select(
            f"SELECT id, bsn_encrypted FROM {bulk.table(model)} "
            "WHERE id > %s AND bsn_encrypted <> '' ORDER BY id LIMIT %s",
            [last, REKEY_CHUNK],
        )
        if not rows:
            return
        yield [(pk, encrypted) for pk, encrypted in rows]
        last = rows[-1][0]


def rekey(keys: Keyring) -> dict[str, int]:
    """Encrypt and index every stored BSN under the first key; per table, how many rows moved.
    Rows already under the first key are left as they are; each chunk commits on its own, so
    an interrupted run is simply run again."""
    moved: dict[str, int] = {}
    for model in BSN_MODELS:
        count = 0
        for chunk in _chunks(model):
            changed = []
            for pk, encrypted in chunk:
                if keys.is_current(encrypted):
                    continue
                plain = keys.open(encrypted)
                changed.append((pk, keys.seal(plain), keys.index(plain)))
            with transaction.atomic():
                bulk.update(model, ["bsn_encrypted", "bsn_index"], changed)
            count += len(changed)
        moved[model._meta.db_table] = count
    return moved


__all__ = ["BSN_MODELS", "BsnKeyError", "check_bsn_key", "rekey"]
