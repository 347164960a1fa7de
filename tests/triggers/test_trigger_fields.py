"""The rule-made fields: round names and the money raised, and the repairs of what the recogniser marks
(the acquirer of a deal told from the acquired side, a name's first word, a title run into a name)."""

from __future__ import annotations

import pytest
import spacy

from triggers.components import unit_features
from triggers.fields import (
    announcer,
    appointee,
    deal_counterparty,
    funding_round,
    passive_acquisition,
    person_beside_title,
    raised_amount,
    whole_company,
)


@pytest.mark.parametrize(
    ("text", "round_"),
    [
        ("Kestrel Robotics raises $18M Series A", "series_a"),
        ("Kestrel Robotics Raises $18M SERIES B", "series_b"),
        ("Payloop closes pre-Series A round", "pre_series_a"),
        ("Payloop bags pre-seed cheque", "pre_seed"),
        ("Tallow lands $2M seed funding", "seed"),
        ("Tallow secures $40 million Series F", "series_e_plus"),
        ("Quarrystone gets $300M credit facility", "debt"),
        ("Vantor takes venture debt from Lakeview", "debt"),
        ("Harbor Labs raises growth equity from Summit", "growth"),
        ("Harbor Labs raises $5 million", "undisclosed"),
    ],
)
def test_round_names(text: str, round_: str) -> None:
    assert funding_round(text) == round_


def test_raised_amount_skips_valuations() -> None:
    found = raised_amount("Brightkeel, valued at $2 billion, raises $150 million")
    assert found is not None and (found.value, found.currency) == (150_000_000, "USD")


def test_raised_amount_reads_other_currencies() -> None:
    found = raised_amount("Lisbon fintech Payzo secures €12m")
    assert found is not None and (found.value, found.currency) == (12_000_000, "EUR")


def test_no_amount() -> None:
    assert raised_amount("Payzo raises money from angels") is None


@pytest.mark.parametrize(
    ("text", "deal"),
    [
        ("Quillfeather acquired by Marrowline Systems", ("Marrowline Systems", "Quillfeather")),
        ("Quillfeather to be acquired by Marrowline for $300 million", ("Marrowline", "Quillfeather")),
        ("UPDATE 1-Tarnwick Health agrees to sell itself to Ostrava Capital", ("Ostrava Capital", "Tarnwick Health")),
        ("Tarnwick Health Sold To Ostrava Capital In $2 Billion Deal", ("Ostrava Capital", "Tarnwick Health")),
        ("TARNWICK HEALTH BOUGHT BY OSTRAVA CAPITAL", ("OSTRAVA CAPITAL", "TARNWICK HEALTH")),
        ("Brindle Labs has been taken over by Gansett Group, sources say", ("Gansett Group", "Brindle Labs")),
        ("Marrowline acquires Quillfeather", None),  # told from the acquirer's side: the recogniser's
        ("Marrowline agrees to sell its Quillfeather unit to Ostrava", None),  # a divestiture
        ("Shares of Quillfeather jump after Marrowline bid", None),
        ("Analysts say Quillfeather, long a target, could be bought by a rival", None),
    ],
)  # fmt: skip
def test_an_acquisition_told_from_the_acquired_side_names_the_acquirer(
    text: str, deal: tuple[str, str] | None
) -> None:
    assert passive_acquisition(text) == deal


@pytest.mark.parametrize(
    ("recognised", "subject", "company"),
    [
        ("Signal", "Polar Signal", "Polar Signal"),  # a name word cut off the front
        ("Payments", "Global Payments", "Global Payments"),
        ("Bukit", "Indonesian Bukit", "Bukit"),  # a demonym describes
        ("Halvard", "Swiss Halvard", "Halvard"),
        ("Paylane", "Fintech Paylane", "Paylane"),  # so does a sector word
        ("Halvard", None, "Halvard"),  # Title Case: no subject to compare with
        ("Halvard Labs", "Halvard Labs", "Halvard Labs"),
    ],
)
def test_a_company_keeps_its_whole_name(recognised: str, subject: str | None, company: str) -> None:
    assert whole_company(recognised, subject) == company


def test_a_title_run_into_a_name_is_taken_off_it() -> None:
    text = "Brackwater hires Head of Demand Generation Ines Corvo"
    assert person_beside_title("Demand Generation Ines", "Head of Demand Generation", text) == "Ines Corvo"
    assert person_beside_title("Ines Corvo", "Head of Demand Generation", text) == "Ines Corvo"
    assert person_beside_title("Ines Corvo", None, text) == "Ines Corvo"
    text = "Brackwater names Chief Revenue Officer Pell Anders, ex-Ostrava"
    assert person_beside_title("Revenue Officer Pell", "Chief Revenue Officer", text) == "Pell Anders"


@pytest.mark.parametrize(
    ("headline", "company"),
    [
        ("Brackwater Flooring Appoints Ines Corvo as President and CEO", "Brackwater Flooring"),
        ("Tarnwick, Inc. Announces Leadership Transition", "Tarnwick, Inc."),
        ("Quillfeather and Ostrava Capital Announce Strategic Partnership", "Quillfeather"),
        ("31st Street Group (Nasdaq: XXXI) Announces Departure of Chief Operating Officer", "31st Street Group"),
        ("GANSETT ANNOUNCES RETIREMENT OF CHAIRMAN PELL ANDERS", "GANSETT"),
        ("Marrowline Realty Trust Substantially Completes Acquisition of Portfolio", "Marrowline Realty Trust"),
        ("Brindle Labs CEO to Step Down", "Brindle Labs"),
        ("Fintech Startup Paylane Raises Seed Round", "Paylane"),
        ("Bank of Tarnwick Names New Finance Chief", "Bank of Tarnwick"),
        ("The Best Apps of the Year Are Here", None),  # no name before a verb
        ("Why Paylane Raises Matter", None),
        ("CEO of Brindle Labs Steps Down", None),
        ("Shares of Brindle Labs Jump", None),
    ],
)  # fmt: skip
def test_a_title_case_announcement_names_its_company_before_the_verb(
    headline: str, company: str | None
) -> None:
    assert announcer(spacy.blank("en").make_doc(headline)) == company


@pytest.mark.parametrize(
    ("headline", "person"),
    [
        ("Polarine Appoints Dana Whitcombe as VP Marketing", "Dana Whitcombe"),
        ("Dana Whitcombe Joins Polarine as Chief Revenue Officer", "Dana Whitcombe"),
        ("Tarnwick Names Pell Anders to Lead Sales", "Pell Anders"),
        ("Polarine Appoints New Chief Financial Officer", None),  # no name: not a title as the person
        ("Polarine Names Gansett Capital Partners as Adviser", None),
    ],
)
def test_a_title_case_hire_names_its_person(headline: str, person: str | None) -> None:
    assert appointee(headline) == person


@pytest.mark.parametrize(
    ("headline", "counterparty"),
    [
        ("Brackwater acquires analytics startup Quillfeather for $120 million", "Quillfeather"),
        ("Brackwater to acquire rival courier Zipline Parcel", "Zipline Parcel"),
        ("Brackwater Acquires Analytics Startup Quillfeather", "Quillfeather"),
        ("Tarnwick partners with Horizon Clinics to digitise records", "Horizon Clinics"),
        ("Tarnwick Partners With Ostrava To Launch App", "Ostrava"),
        ("Tarnwick signs distribution agreement with Gansett Corp", "Gansett Corp"),
        ("Tarnwick acquires majority stake", None),
    ],
)
def test_the_other_side_of_a_deal_follows_its_verb(headline: str, counterparty: str | None) -> None:
    assert deal_counterparty(headline) == counterparty


def test_an_investor_named_partners_is_no_partnership_cue() -> None:
    from triggers.detector import load_detector

    nlp = load_detector().nlp
    led = nlp("Quillfeather raises $30 million led by Summit Lane Partners")
    assert unit_features(led)["partnership"][1] == 0.0
    teams = nlp("Quillfeather partners with Summit Lane on payments")
    assert unit_features(teams)["partnership"][1] == 1.0
