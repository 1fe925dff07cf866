"""`outreach load-demo` (which `make run` runs each time): on an empty database and again on its
own demo data, never on a database with anything else, where its users with their published
password would open the real data."""

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command

from outreach.core.models import Municipality
from outreach.demo.loader import DEMO_CODE
from tests.conftest import municipality_with_contact

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def own_data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path  # the demo's files, never the real var/


def load_demo() -> None:
    call_command("load_demo", "--history-weeks", "0", stdout=None)


def test_load_demo_runs_on_an_empty_database_and_again_on_its_own_data(capsys):
    load_demo()
    assert Municipality.objects.get().code == DEMO_CODE
    users = set(User.objects.values_list("username", flat=True))
    load_demo()  # `make run` the next time
    assert "demo municipality" in capsys.readouterr().out
    assert set(User.objects.values_list("username", flat=True)) == users
    assert Municipality.objects.count() == 1


def test_load_demo_refuses_a_database_with_another_municipality():
    load_demo()
    municipality_with_contact("0344", "Utrecht")
    with pytest.raises(CommandError, match=r"1 municipality other than 9999 .*\(0344\)"):
        load_demo()


def test_load_demo_refuses_a_database_with_a_user_of_its_own():
    User.objects.create_superuser("beheerder", password="geheim-wachtwoord-1")
    with pytest.raises(CommandError, match="1 user the demo did not make") as refused:
        load_demo()
    assert "empty database" in str(refused.value)
    # Nothing was added: no demo municipality, no demo user with the published password.
    assert not Municipality.objects.exists()
    assert list(User.objects.values_list("username", flat=True)) == ["beheerder"]


def test_load_demo_refuses_a_user_named_like_a_demo_user_before_the_demo_exists():
    User.objects.create_superuser("administrator", password="geheim-wachtwoord-1")
    with pytest.raises(CommandError, match="1 user the demo did not make"):
        load_demo()
