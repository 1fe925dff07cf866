import json
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from outreach.messaging.models import Message
from outreach.messaging.transports.outbox import outbox_path, read_outbox

BODY_WIDTH = 60


class Command(BaseCommand):
    help = (
        "Show the messages in the file outbox (OUTREACH_OUTBOX_FILE), oldest first: what the "
        "embedded default would have sent. Unreadable lines are reported and skipped."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--json", action="store_true", help="print the messages as JSON")
        parser.add_argument("--limit", type=int, metavar="N", help="only the newest N")
        parser.add_argument("--channel", choices=Message.Channel.values)

    def handle(self, *args: Any, **options: Any) -> None:
        limit = options["limit"]
        if limit is not None and limit < 0:
            raise CommandError("--limit: use 0 or more")
        path = outbox_path()
        outbox = read_outbox(path)
        for number, problem in outbox.problems:
            self.stderr.write(f"{path}:{number}: skipped, {problem}")
        messages = outbox.messages
        if options["channel"]:
            messages = [m for m in messages if m["channel"] == options["channel"]]
        if limit is not None:
            messages = messages[len(messages) - limit :] if limit else []
        if options["json"]:
            self.stdout.write(json.dumps(messages, ensure_ascii=False))
            return
        for m in messages:
            to = " | ".join(str(m["to"]).splitlines())
            body = " ".join(str(m["body"]).split())
            if len(body) > BODY_WIDTH:
                body = body[: BODY_WIDTH - 1] + "…"
            self.stdout.write(
                f"{m['created']}  {m['id']:<16} {m['channel']:<8} case {m['case']:<6} {to}\n"
                f"    {body}"
            )
        self.stdout.write(f"{len(messages)} message(s) in {path}")
