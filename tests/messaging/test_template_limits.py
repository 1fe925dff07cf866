"""Templates that would build huge values (`{{ 'a' * 10**9 }}`) are refused by the linter, the
publisher's check and the editor within the sandbox's limits, in little memory: nothing is
evaluated outside those limits while a template is parsed, compiled or analysed.

The linter and the render run in a child process whose address space is capped, so a fold or a
render that builds a gigabyte fails there with MemoryError instead of passing slowly; the editor's
requests run in this process under the same kind of cap."""

import contextlib
import json
import os
import resource
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.test import Client

from outreach.core.roles import ensure_role_groups
from outreach.messaging.editor import LIMIT_MESSAGE
from outreach.messaging.models import TemplateVersion
from outreach.messaging.texts import sandbox
from outreach.messaging.texts.rendering import LIMIT, RenderError, render_text
from outreach.messaging.texts.versions import review

HEADROOM = 512 * 1024 * 1024  # bytes above what the process has mapped already

# Each builds far more than the cap in one value, or in many values each under the limit.
BOMBS = {
    "string times a billion": "{{ 'a' * 10**9 }}",
    "list times a billion": "{{ [1] * 10**9 }}",
    "power of a power": "{{ 10 ** (10 ** 10) }}",  # (Jinja's ** is left-associative)
    "range of a billion": "{{ range(10**9) | list }}",
    "loop over a billion": "{% for i in range(10**9) %}x{% endfor %}",
    "nested replace": "{{ 'a'" + " | replace('a', 'aaaaaaaaaa')" * 9 + " }}",
    "many values under the limit": "{{ [" + "'a' * 199999, " * 3000 + "] | length }}",
}

CHILD = """
import json, os, resource, sys
import django

django.setup()
from outreach.messaging.lint import lint_template
from outreach.messaging.texts.rendering import check_source

def mapped() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError("no VmSize")

sources = json.load(sys.stdin)
check_source("warm up {{ salutation }}", "sms")
lint_template("invitation", "nl", "warm up", "sms")
_, hard = resource.getrlimit(resource.RLIMIT_AS)
resource.setrlimit(resource.RLIMIT_AS, (mapped() + int(sys.argv[1]), hard))
results = {}
for name, source in sources.items():
    try:
        lint = lint_template("invitation", "nl", source, "sms")
        render = check_source(source, "sms")
        results[name] = {
            "lint": [[f.rule, f.message] for f in lint if f.is_error],
            "render": [[getattr(e, "code", "render"), e.message] for e in render],
        }
    except MemoryError:
        results[name] = {"crash": "MemoryError"}
print(json.dumps(results))
"""


@pytest.fixture(scope="module")
def capped_results() -> dict[str, Any]:
    """The linter's errors and the publisher's check of every bomb, in a capped process."""
    root = Path(__file__).resolve().parents[2]
    env = {
        **os.environ,
        "PYTHONPATH": str(root),
        "DJANGO_SETTINGS_MODULE": "outreach.settings",
    }
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(HEADROOM)],
        input=json.dumps(BOMBS),
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("name", BOMBS)
def test_the_linter_refuses_a_huge_constant_without_building_it(capped_results, name):
    result = capped_results[name]
    assert "crash" not in result, result
    assert LIMIT in [rule for rule, _ in result["lint"]], result


@pytest.mark.parametrize("name", BOMBS)
def test_the_publishers_check_refuses_it_as_a_limit(capped_results, name):
    result = capped_results[name]
    assert "crash" not in result, result
    assert [code for code, _ in result["render"]] == [LIMIT], result


def test_the_linter_says_which_limit_and_on_which_line():
    findings = review("invitation", "nl", "Hallo.\n{{ 'a' * 10**9 }}\n")
    limits = [f for f in findings.errors if f["rule"] == LIMIT]
    assert [(f["line"], f["message"]) for f in limits] == [
        (2, "a value of 1000000000 characters or items; the limit is 200000")
    ]
    ranges = review("invitation", "nl", "{% for i in range(10**9) %}x{% endfor %}").errors
    assert "range() is limited to 1000 items" in [f["message"] for f in ranges]


def test_text_doubled_in_a_loop_is_refused_at_render_as_a_limit():
    # Not a constant (it grows through a variable): the render's budget stops it.
    source = "{% set s = 'aaaaaaaaaa' %}" + "{% set s = s ~ s %}" * 40 + "{{ s | length }}"
    errors = review("invitation", "nl", source).errors
    assert LIMIT in [f["rule"] for f in errors]


def test_many_slices_and_filter_results_add_up_against_the_budget():
    # Each value is under the output limit; together they are not.
    context = {"salutation": "x" * 150_000}
    for source in (
        "{% set a = salutation[1:] %}" * 10,
        "{% set a = salutation | upper %}" * 10,
        "{% set a = salutation.upper() %}" * 10,
    ):
        with pytest.raises(RenderError, match="builds too much text") as refused:
            render_text(source, context)
        assert refused.value.code == LIMIT
        assert render_text(source[: len(source) // 10] + "ok", context) == "ok"


def test_the_sandbox_evaluates_nothing_while_it_compiles():
    env = sandbox.MessageSandbox(autoescape=False)
    calls = []
    upper = env.filters["upper"]

    def counted(value: str) -> str:
        calls.append(value)
        return upper(value)

    env.filters["upper"] = counted
    source = "{{ 'abc' | upper }}{{ ('d' ~ 'e') | upper }}"
    template = env.from_string(source)
    assert calls == []
    sandbox.find_undeclared_variables(env.parse(source))
    assert calls == []
    assert template.render() == "ABCDE"
    assert calls == ["abc", "de"]


# --- the editor ---------------------------------------------------------------------------------


def mapped_bytes() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError("no VmSize in /proc/self/status")


@contextlib.contextmanager
def memory_cap(headroom: int = HEADROOM) -> Iterator[None]:
    """This process may map at most `headroom` bytes more inside the block."""
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    resource.setrlimit(resource.RLIMIT_AS, (mapped_bytes() + headroom, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


@pytest.fixture
def staff(db, settings) -> Client:
    settings.OUTREACH_SHARED_TEXTS_FOUR_EYES = False
    ensure_role_groups()
    user = User.objects.create_user("communication", password="x")
    user.groups.add(Group.objects.get(name="communication"))
    user.user_permissions.add(Permission.objects.get(codename="edit_shared_texts"))
    client = Client()
    client.force_login(user)
    return client


def test_the_live_preview_shows_the_limit_in_dutch(staff):
    with memory_cap():
        answer = staff.post(
            "/texts/gedeeld/invitation/nl/preview", {"source": BOMBS["string times a billion"]}
        ).json()
    assert answer["preview"]["error"] == LIMIT_MESSAGE
    assert answer["errors"] >= 1
    assert {"rule": LIMIT, "line": 1, "message": LIMIT_MESSAGE, "level": "error"} in answer[
        "findings"
    ]


def test_a_saved_bomb_is_a_draft_whose_page_shows_the_limit(staff):
    with memory_cap():
        staff.post(
            "/texts/gedeeld/invitation/nl/",
            {"source": BOMBS["nested replace"], "action": "save"},
        )
        page = staff.get("/texts/gedeeld/invitation/nl/").content.decode()
        published = staff.post(
            "/texts/gedeeld/invitation/nl/",
            {"source": BOMBS["nested replace"], "action": "publish"},
            follow=True,
        )
    draft = TemplateVersion.objects.get(name="invitation", lang="nl", version=2)
    assert draft.status == TemplateVersion.Status.DRAFT
    assert LIMIT_MESSAGE in page
    assert published.status_code == 200
    assert TemplateVersion.objects.filter(
        name="invitation", lang="nl", status=TemplateVersion.Status.PUBLISHED, version=1
    ).exists()
