"""`outreach simulate`: its own process on a throw-away database; the service's data stays as
it was; its output; its errors."""

import io
import json
import os
import signal
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

import psycopg
import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.db import connection

from outreach.casework.models import Case
from outreach.core.models import Municipality
from outreach.intake.models import Signal
from outreach.messaging.models import Message
from outreach.simulation.throwaway import child_environment, postgres_url

pytestmark = pytest.mark.django_db
SVG = "{http://www.w3.org/2000/svg}"


def counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (Municipality, Signal, Case, Message, User)
    }


def leftovers() -> set[str]:
    """Throw-away databases (PostgreSQL) or folders (the embedded default) still there."""
    if connection.vendor == "postgresql":
        settings = connection.settings_dict
        with psycopg.connect(
            dbname=settings["NAME"],
            user=settings["USER"] or None,
            password=settings["PASSWORD"] or None,
            host=settings["HOST"] or None,
            port=settings["PORT"] or None,
        ) as conn:
            rows = conn.execute(
                "SELECT datname FROM pg_database WHERE datname LIKE 'outreach_sim_%'"
            ).fetchall()
        return {row[0] for row in rows}
    return {p.name for p in Path(tempfile.gettempdir()).glob("outreach-sim-*")}


def test_json_and_chart_from_a_throw_away_database_the_service_s_own_untouched(
    tmp_path, municipality
):
    before, left = counts(), leftovers()
    out = io.StringIO()
    chart = tmp_path / "reach.svg"
    call_command(
        "simulate", "--signals", "60", "--days", "21", "--campaigns", "letters-only,standard",
        "--capacity", "calls=5,visits=2", "--seed", "4", "--json", "--chart", str(chart),
        stdout=out, verbosity=0,
    )  # fmt: skip
    result = json.loads(out.getvalue())
    assert list(result["campaigns"]) == ["letters-only", "standard"]
    for figures in result["campaigns"].values():
        assert figures["signals"] == 60
        for key in ("reach", "acceptance", "deadline_compliance"):
            assert figures[key] is None or 0 <= figures[key] <= 1
        for key in ("attempts_per_signal", "staff_hours", "cost_per_reached"):
            assert figures[key] is None or figures[key] >= 0
    assert result["capacity"] == {"phone": 5, "visit": 2}
    # The service's own database: not a row more or less; the throw-away one is gone.
    assert counts() == before
    assert leftovers() == left
    svg = ET.parse(chart).getroot()
    assert svg.tag == f"{SVG}svg"
    series = svg.findall(f".//{SVG}g[@class='series']")
    assert [g.get("data-campaign") for g in series] == ["letters-only", "standard"]
    assert all(g.find(f"{SVG}polyline") is not None for g in series)


def test_the_readable_table(municipality):
    out = io.StringIO()
    call_command(
        "simulate", "--signals", "20", "--days", "14", "--campaigns", "light", stdout=out,
        verbosity=0,
    )  # fmt: skip
    text = out.getvalue()
    assert text.splitlines()[0].split()[:3] == ["campaign", "signals", "reach"]
    assert text.splitlines()[2].startswith("light ")
    assert "20 signals for" in text


def test_a_failing_simulation_still_drops_its_database(monkeypatch):
    left = leftovers()
    with pytest.raises(CommandError, match="the simulation stopped"):
        call_command(
            "simulate", "--signals", "5", "--days", "7", "--campaigns", "light",
            "--model", "outreach.simulation.response.NoSuchModel", verbosity=0,
        )  # fmt: skip
    assert leftovers() == left


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--campaigns", "letters-only,intensiv"], "unknown campaign 'intensiv'; known: crisis"),
        (["--campaigns", "light", "--capacity", "calls40"], "'calls40' is not KIND=NUMBER"),
        (["--campaigns", "light", "--capacity", "bellen=4"], "unknown kind 'bellen'"),
        (["--campaigns", "light", "--days", "3"], "--days must be from 7 to 730, not 3"),
        (["--campaigns", "light", "--signals", "0"], "--signals must be from 1"),
        (["--campaigns", "light", "--municipality", "0001"], "no municipality with code '0001'"),
        (["--campaigns", "light", "--letter-cost", "-1"], "--letter-cost must be a number of 0"),
        (["--campaigns", "light", "--chart", "/no/such/dir/x.svg"], "--chart: the folder"),
    ],
)
def test_bad_options_give_specific_errors(argv, message):
    base = {"--signals": "10", "--days": "14"}
    given = dict(zip(argv[::2], argv[1::2], strict=True))
    args = [part for pair in {**base, **given}.items() for part in pair]
    with pytest.raises(CommandError, match=message.replace("(", r"\(")):
        call_command("simulate", *args, verbosity=0)


def test_the_simulation_s_process_gets_nothing_that_reaches_outside(tmp_path):
    environ = {
        "PATH": "/usr/bin",
        "DATABASE_URL": "postgres://u@db/real",
        "REDIS_URL": "redis://r/1",
        "OUTREACH_TRANSPORTS": '{"sms": "twilio-sms"}',
        "TWILIO_AUTH_TOKEN": "secret",
        "OUTREACH_PRINT_HANDOVER": "hooks.upload",
        "EMAIL_HOST": "smtp.example.org",
        "OUTREACH_BSN_KEY": "k",
        "OUTREACH_ESCALATE_DAYS": "5",
    }
    env = child_environment(environ, "sqlite:///x", tmp_path / "d", tmp_path / "c")
    assert env["DATABASE_URL"] == "sqlite:///x"
    assert env["OUTREACH_TRANSPORT"] == "outbox" and env["OUTREACH_ENV"] == "development"
    for gone in ("REDIS_URL", "OUTREACH_TRANSPORTS", "TWILIO_AUTH_TOKEN", "OUTREACH_BSN_KEY",
                 "OUTREACH_PRINT_HANDOVER", "EMAIL_HOST"):  # fmt: skip
        assert gone not in env
    assert env["OUTREACH_ESCALATE_DAYS"] == "5"  # the engine's own settings hold
    assert env["OUTREACH_CAMPAIGNS_DIR"] == str(tmp_path / "c")
    assert (
        postgres_url({"USER": "a b", "PASSWORD": "p@ss", "HOST": "h", "PORT": 5433}, "sim")
        == "postgres://a%20b:p%40ss@h:5433/sim"
    )


def test_ctrl_c_stops_the_simulation_and_drops_its_database(tmp_path):
    """The command interrupted while it simulates: its process stops, its database and
    folders go."""
    env = {**os.environ, "TMPDIR": str(tmp_path), "OUTREACH_DATA_DIR": str(tmp_path / "own")}
    env.pop("REDIS_URL", None)
    if connection.vendor == "postgresql":
        env["DATABASE_URL"] = postgres_url(
            connection.settings_dict, connection.settings_dict["NAME"]
        )
    else:
        env.pop("DATABASE_URL", None)
    left = leftovers()
    command = [
        sys.executable, "-m", "outreach.cli", "simulate", "--signals", "300", "--days", "60",
        "--campaigns", "intensive",
    ]  # fmt: skip
    parent = subprocess.Popen(command, env=env, stderr=subprocess.PIPE, text=True)
    assert parent.stderr is not None
    for line in parent.stderr:  # the first progress line: the simulation is under way
        if line.startswith("day "):
            break
    assert list(tmp_path.glob("outreach-sim-*")), "no simulation folder while it runs"
    parent.send_signal(signal.SIGINT)
    assert parent.wait(timeout=60) != 0
    assert not list(tmp_path.glob("outreach-sim-*"))
    assert leftovers() == left
