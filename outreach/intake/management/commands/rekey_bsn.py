from typing import Any

from django.core.management.base import BaseCommand, CommandError

from outreach.core.bsn import BsnKeyError, keyring
from outreach.intake.bsn_storage import rekey


class Command(BaseCommand):
    help = (
        "Encrypt and index every stored BSN under the first key of OUTREACH_BSN_KEY (after a "
        "new key was put first); then the older keys can be taken out of the list."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            moved = rekey(keyring())
        except BsnKeyError as exc:
            raise CommandError(str(exc)) from exc
        for table, count in moved.items():
            self.stdout.write(f"{table}: {count} BSN(s) moved to the first key")
