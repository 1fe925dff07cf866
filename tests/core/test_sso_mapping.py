"""The group map of single sign-on (outreach.core.sso): what a person's groups at her identity
provider grant here, and a clear error for a map that cannot be read."""

import json

import pytest

from outreach.core.sso import (
    Access,
    Grant,
    GroupMapError,
    Refused,
    claimed_groups,
    full_name,
    parse_group_map,
    roles_and_municipalities,
    username_from,
)

MAP = parse_group_map(
    json.dumps(
        {
            "gm0363-klantmanagers": {"role": "caseworker", "municipalities": ["0363"]},
            "gm0363-communicatie": {"role": "communication", "municipalities": ["0363"]},
            "regio-teamleiders": {
                "role": "supervisor",
                "roles": ["administrator"],
                "municipalities": ["0363", "0307"],
            },
        }
    )
)


def test_a_group_grants_its_role_and_municipalities() -> None:
    assert MAP["gm0363-klantmanagers"] == Grant(frozenset({"caseworker"}), frozenset({"0363"}))
    assert MAP["regio-teamleiders"].roles == {"supervisor", "administrator"}


def test_a_person_gets_what_all_her_groups_grant_and_nothing_for_unknown_groups() -> None:
    claims = {"groups": ["gm0363-klantmanagers", "regio-teamleiders", "alle-medewerkers"]}
    assert roles_and_municipalities(claims, MAP) == Access(
        roles=frozenset({"caseworker", "supervisor", "administrator"}),
        municipalities=frozenset({"0363", "0307"}),
    )
    assert roles_and_municipalities({"groups": ["alle-medewerkers"]}, MAP) == Access(
        frozenset(), frozenset()
    )
    assert roles_and_municipalities({}, MAP) == Access(frozenset(), frozenset())


def test_groups_from_another_or_a_nested_claim() -> None:
    claims = {"realm_access": {"roles": ["gm0363-communicatie"]}, "groups": ["regio-teamleiders"]}
    access = roles_and_municipalities(claims, MAP, claim="realm_access.roles")
    assert access.roles == {"communication"}
    assert claimed_groups({"groups": "gm0363-klantmanagers"}, "groups") == ["gm0363-klantmanagers"]
    assert claimed_groups({"groups": ["a", 3, None, "b"]}, "groups") == ["a", "b"]
    assert claimed_groups({"groups": {"a": 1}}, "groups") == []
    assert claimed_groups({"realm_access": "x"}, "realm_access.roles") == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("{not json", "not valid JSON"),
        ('["gm0363"]', "must be a JSON object"),
        ('{"gm0363": "caseworker"}', "group 'gm0363': expected an object"),
        ('{"gm0363": {"role": "baas"}}', "group 'gm0363': unknown role(s) baas"),
        ('{"gm0363": {"roles": "caseworker"}}', "group 'gm0363': roles must be a list"),
        ('{"gm0363": {"role": "caseworker", "gemeenten": ["0363"]}}', "unknown key(s) gemeenten"),
        ('{"gm0363": {"role": "caseworker", "municipalities": "0363"}}', "list of CBS codes"),
        ('{"gm0363": {"role": "caseworker", "municipalities": ["363"]}}', "363 is not a CBS"),
        ('{"gm0363": {}}', "group 'gm0363' grants nothing"),
        ('{"": {"role": "caseworker"}}', "empty group name"),
    ],
)
def test_a_map_that_cannot_be_read_says_which_group_and_why(text: str, expected: str) -> None:
    with pytest.raises(GroupMapError) as error:
        parse_group_map(text)
    assert expected in str(error.value)


def test_an_empty_map_grants_nothing() -> None:
    assert parse_group_map("") == {}
    assert parse_group_map("  ") == {}


def test_the_username_comes_from_the_stable_claim(settings) -> None:
    settings.OUTREACH_OIDC_PROVIDER_NAME = "Gemeente Testdam"
    assert username_from({"sub": "abc-123", "preferred_username": "fjansen"}, "sub") == "abc-123"
    assert username_from({"preferred_username": "fjansen"}, "preferred_username") == "fjansen"
    for claims in ({}, {"sub": ""}, {"sub": 42}, {"sub": "x" * 151}):
        with pytest.raises(Refused) as refused:
            username_from(claims, "sub")
        assert "Gemeente Testdam" in refused.value.message


def test_the_name_from_given_and_family_name_or_else_the_full_name() -> None:
    assert full_name({"given_name": "Fleur", "family_name": "Jansen"}) == ("Fleur", "Jansen")
    assert full_name({"name": "Fleur Jansen"}) == ("Fleur Jansen", "")
    assert full_name({"given_name": "Fleur"}) == ("Fleur", "")
    assert full_name({}) == ("", "")
