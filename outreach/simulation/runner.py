"""One simulation inside its throw-away database: what to simulate (`Spec`, plain JSON between
the two processes) and `run`, which the simulation's own process calls after migrating.

`python -m outreach.simulation.runner SPEC.json RESULT.json` is that process
(outreach.simulation.throwaway starts it): it migrates the empty database its DATABASE_URL
names, plays the days, writes the figures as JSON to RESULT.json and a line
`{"day": n, "days": d}` to its standard output after every simulated day.
"""

import importlib
import json
import os
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from outreach.simulation.policy import Simulated

# A Monday; a fixed start keeps a seed's figures the same whatever day it runs (holidays).
DEFAULT_START = date(2026, 2, 2)
DEFAULT_MODEL = "outreach.simulation.response.CalibratedModel"


@dataclass(frozen=True)
class Spec:
    """What to simulate: plain values, written as JSON for the simulation's process."""

    campaigns: list[Simulated]
    signals: int
    days: int
    seed: int = 1
    start: date = DEFAULT_START
    capacity: dict[str, int] = field(default_factory=dict)  # "phone"/"visit" -> a day
    policy: dict[str, Any] = field(default_factory=dict)  # the real municipality's settings
    costs: dict[str, float] = field(default_factory=dict)  # outreach.simulation.figures.Costs
    model: str = DEFAULT_MODEL  # a class (or function) taking seed=, giving a ResponseModel

    def to_json(self) -> str:
        values = asdict(self)
        values["start"] = self.start.isoformat()
        return json.dumps(values)

    @classmethod
    def from_json(cls, text: str) -> "Spec":
        values = json.loads(text)
        values["campaigns"] = [Simulated(**c) for c in values["campaigns"]]
        values["start"] = date.fromisoformat(values["start"])
        return cls(**values)


def load_model(path: str, seed: int) -> Any:
    """The response model `path` names ("package.module.Name"), made with the seed."""
    module, _, name = path.rpartition(".")
    factory = getattr(importlib.import_module(module), name)
    model = factory(seed=seed)
    for method in ("reaches", "accepts"):
        if not callable(getattr(model, method, None)):
            raise TypeError(f"{path} makes no response model: it has no {method}()")
    return model


def run(
    spec: Spec, folder: Path, progress: Callable[[int, int], None] | None = None
) -> dict[str, Any]:
    """Simulate `spec` in the current (empty, migrated) database, files in `folder`."""
    from django.utils import timezone

    from outreach.simulation.figures import Costs, campaign_figures
    from outreach.simulation.households import generate
    from outreach.simulation.play import Setup, set_up, simulate

    began = time.perf_counter()
    generated = generate(spec.signals, spec.start, spec.days, spec.seed, folder)
    setup = Setup(spec.start, spec.days, spec.seed, spec.capacity, spec.policy)
    municipalities = set_up(spec.campaigns, generated, setup)
    model = load_model(spec.model, spec.seed)
    played = simulate(municipalities, generated, setup, model, progress)
    end = spec.start + timedelta(days=spec.days - 1)
    now = timezone.make_aware(datetime.combine(end, datetime.max.time()))
    costs = Costs(**spec.costs)
    campaigns = {
        sim.campaign: campaign_figures(
            municipality, spec.start, end, now, costs, played.shortfall_peak[sim.code]
        )
        for sim, municipality in zip(spec.campaigns, municipalities, strict=True)
    }
    return {
        "campaigns": campaigns,
        "signals": generated.signals,
        "households": generated.households,
        "start": spec.start.isoformat(),
        "end": end.isoformat(),
        "days": spec.days,
        "seed": spec.seed,
        "model": spec.model,
        "costs": costs.as_dict(),
        "capacity": spec.capacity,
        "engine": played.as_dict(),
        "seconds": round(time.perf_counter() - began, 1),
    }


def _throwaway_durability(sender: Any, connection: Any, **kwargs: Any) -> None:
    """A throw-away database need not survive a crash of the machine: its commits do not wait
    for the disk. The engine's transactions and their order stay as they are."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = OFF")
        elif connection.vendor == "postgresql":
            cursor.execute("SET synchronous_commit TO off")


def main(argv: list[str] | None = None) -> None:
    spec_path, result_path = (sys.argv[1:] if argv is None else argv)[:2]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "outreach.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db.backends.signals import connection_created

    connection_created.connect(_throwaway_durability)

    call_command("migrate", verbosity=0, interactive=False)
    spec = Spec.from_json(Path(spec_path).read_text(encoding="utf-8"))

    def tell(day: int, days: int) -> None:
        print(json.dumps({"day": day, "days": days}), flush=True)

    result = run(spec, Path(result_path).parent, tell)
    Path(result_path).write_text(json.dumps(result), encoding="utf-8")


if __name__ == "__main__":
    main()
