"""Admins set organisations up from TOML files: idempotent, and every error names the field."""

import pytest

from domain.organisation import OrganisationError, check_org_number
from service import admin
from tests.service.conftest import BERGVIK, IK_FJELL, KVANN, SK_DAL, World
from tests.service.fakes import FakeDatabase

STAGE = '[[stages]]\nname = "godkjenning"\napprovers = ["a@klubb.no"]\n'
HEAD = 'slug = "klubb"\nname = "Klubben"\norg_number = "974760673"\n'


@pytest.mark.parametrize("number", ["974760673", "971524960", "983887457", "910000004"])
def test_the_org_numbers_used_in_these_tests_are_valid(number):
    assert check_org_number(number) == number


async def test_applying_an_organisation_stores_it(world: World, db: FakeDatabase):
    org, changed = await admin.apply_organisation(world.env, BERGVIK)
    assert changed
    assert [s.name for s in org.stages] == ["attestasjon", "anvisning"]
    assert db.organisations["bergvik"].organisation == org
    assert await admin.organisation(world.env, "bergvik") == org


async def test_applying_the_same_file_twice_changes_nothing(world: World, db: FakeDatabase):
    first, _ = await admin.apply_organisation(world.env, IK_FJELL)
    org, changed = await admin.apply_organisation(world.env, IK_FJELL)
    assert changed is False
    assert org == first == db.organisations["ik-fjell"].organisation


async def test_applying_a_changed_file_replaces_the_organisation(world: World, db: FakeDatabase):
    await admin.apply_organisation(world.env, SK_DAL)
    changed_text = SK_DAL.replace('["leder@skdal.no"]', '["Nestleder@SKDal.no"]')
    org, changed = await admin.apply_organisation(world.env, changed_text)
    assert changed
    assert org.stages[0].approvers == ("nestleder@skdal.no",)
    assert db.organisations["sk-dal"].organisation == org


async def test_the_four_sample_organisations_apply(world: World, db: FakeDatabase):
    await world.organisations(IK_FJELL, SK_DAL, BERGVIK, KVANN)
    assert sorted(db.organisations) == ["bergvik", "ik-fjell", "kvann", "sk-dal"]


INVALID = {
    "org number check digit": (HEAD.replace("974760673", "974760674") + STAGE, "org_number"),
    "org number length": (HEAD.replace("974760673", "97476067") + STAGE, "org_number"),
    "no stages": (HEAD, "stages"),
    "approver not an email": (HEAD + STAGE.replace("a@klubb.no", "kasserer"),
                              "stages[0].approvers"),
    "stage without approvers": (HEAD + '[[stages]]\nname = "x"\napprovers = []\n',
                                "stages[0].approvers"),
    "slug with capitals": (HEAD.replace('"klubb"', '"Klubb"') + STAGE, "slug"),
    "no name": (HEAD.replace('name = "Klubben"\n', "") + STAGE, "name"),
    "admin not an email": (HEAD + 'admins = ["okonomi"]\n' + STAGE, "admins"),
    "item without rate": (HEAD + STAGE + '[[catalogue]]\ncode = "k"\nlabel_nb = "K"\n',
                          "catalogue[0].rate"),
    "catalogue code twice": (HEAD + STAGE + '[[catalogue]]\ncode = "k"\nlabel_nb = "K"\n'
                             'rate = "1"\n[[catalogue]]\ncode = "k"\nlabel_nb = "K"\n'
                             'rate = "2"\n', "catalogue[1].code"),
    "rate as float": (HEAD + STAGE + '[[catalogue]]\ncode = "k"\nlabel_nb = "K"\nrate = 9.5\n',
                      "catalogue[0].rate"),
    "unknown dimension": (HEAD + STAGE + '[dimensions]\navdeling = "free"\n',
                          "dimensions.avdeling"),
    "deadline of 0 months": (HEAD + STAGE + "[policy]\nsubmit_deadline_months = 0\n",
                             "policy.submit_deadline_months"),
    "payroll day 31": (HEAD + STAGE + "[policy]\npayroll_day = 31\n", "policy.payroll_day"),
    "justify_own_car as text": (HEAD + STAGE + '[policy]\njustify_own_car = "ja"\n',
                                "policy.justify_own_car"),
    "not TOML": ("slug = ", "TOML"),
}


@pytest.mark.parametrize(("text", "field"), list(INVALID.values()), ids=list(INVALID))
async def test_an_invalid_organisation_file_is_refused_naming_the_field(
        world: World, db: FakeDatabase, text, field):
    with pytest.raises(OrganisationError, match=None) as refused:
        await admin.apply_organisation(world.env, text)
    assert field in str(refused.value)
    assert db.organisations == {}
