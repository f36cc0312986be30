"""A small prao at school A: pupils proposed to organisation A's placement."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from portal.prao.links import supervisor_token
from portal.prao.models import Assignment
from tests import factories
from tests.conftest import World


@dataclass
class Prao:
    period: Any
    offer: Any
    placement: Any
    assignments: list[Assignment]

    @property
    def first(self) -> Assignment:
        return self.assignments[0]

    def supervisor_url(self) -> str:
        token = supervisor_token(self.placement.id, [a.id for a in self.assignments],
                                 self.period.last_day)
        return f"/handledare/{token}"


def make_prao(db: Any, world: World, pupils: int = 2, **period: Any) -> Prao:
    world.users["counsellor"].phone = "0920-555 55"
    world.users["counsellor"].name = "Sara Syv"
    prao_period = factories.PraoPeriodFactory(school=world.school_a, **period)
    placement = factories.PlacementFactory(organisation=world.organisation_a, title="Köket",
                                           supervisor_name="Hanna Handledare",
                                           supervisor_email="hanna@arbetsgivare-a.se")
    offer = factories.PlacementOfferFactory(placement=placement, seats=pupils + 1,
                                            seats_taken=pupils)
    assignments = [factories.AssignmentFactory(
        offer=offer, placement=placement, enrolment__period=prao_period,
        enrolment__student__first_name=f"Elev{n}", enrolment__student__last_name="Ek")
        for n in range(pupils)]
    db.session.commit()
    return Prao(prao_period, offer, placement, assignments)


@pytest.fixture
def prao(db, world) -> Prao:
    return make_prao(db, world)
