"""One measured intake run in its own process: `python -m bench.intake_run FILE WORKERS NOW`.

Prints one JSON line: seconds, signals, and peak memory of this process and its workers.
"""

import json
import os
import resource
import sys
import time
from pathlib import Path

import django


def main() -> None:
    path, workers, now_text = Path(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "outreach.settings")
    django.setup()
    from outreach.core.clock import parse_now
    from outreach.core.models import Municipality
    from outreach.intake.parallel import import_file
    from outreach.intake.pipeline import import_rows
    from outreach.intake.readers import open_delivery

    municipality = Municipality.objects.get(code="9999")
    now = parse_now(now_text)
    began = time.perf_counter()
    if workers > 1:
        report = import_file(path, municipality=municipality, now=now, workers=workers)
    else:
        report = import_rows(open_delivery(path).rows, municipality=municipality, now=now)
    seconds = time.perf_counter() - began
    from outreach.intake.integrity import dangling_references

    dangling = sum(dangling_references().values())
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(
        json.dumps(
            {
                "seconds": seconds,
                "accepted": report.accepted,
                "rejected": report.rejected,
                "duplicates": report.duplicates,
                "workers": workers,
                "dangling_references": dangling,
                "peak_mb_self": own,
                "peak_mb_largest_worker": child,
                # Upper bound for all processes together: each worker at the largest's peak.
                "peak_mb_total_bound": own + (child * workers if workers > 1 else 0),
            }
        )
    )


if __name__ == "__main__":
    main()
