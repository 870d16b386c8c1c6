"""The opt-in trained PERSON decision (name_model.py): the shipped weights load, the model takes
the decision when asked to, and it keeps the hard negatives the hand rules keep."""

from __future__ import annotations

import pytest

from interlock.dlp.name_model import NameModel, load_model
from interlock.dlp.names import PERSON, NameRecognizer
from tests.dlp.corpus import corpus


@pytest.fixture(scope="module")
def trained() -> NameRecognizer:
    return NameRecognizer(trained=True)


def people(rec: NameRecognizer, text: str) -> list[tuple[str, str]]:
    return [(text[f.start : f.end], f.rule) for f in rec.find(text) if f.entity == PERSON]


def test_shipped_weights_load_once() -> None:
    model = load_model()
    assert model is not None and model is load_model()
    assert 0.0 < model.threshold < 1.0
    assert len(model.weights) > 100


def test_default_recogniser_keeps_the_hand_rules() -> None:
    assert NameRecognizer().model is None


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Please ask Maria Okafor to review the contract.", "Maria Okafor"),
        ("Regards,\nEinojuhani Pyysalo\n", "Einojuhani Pyysalo"),
        ("Dr. Kowalczyk approved the change on Monday.", "Kowalczyk"),
    ],
)
def test_the_model_decides_on_candidates(trained: NameRecognizer, text: str, name: str) -> None:
    found = people(trained, text)
    assert (name, "name_model") in found, found
    # every finding passes the engine's default min_score of 0.5
    assert all(f.score >= 0.5 for f in trained.find(text))


@pytest.mark.parametrize(
    "text",
    [
        "project Kestrel",
        "We moved project Kestrel to Frankfurt in March.",
        "The Salesforce release notes for September mention SSO and HubSpot.",
        "Deploy Atlas to Dublin on Friday; GDPR checks must pass first.",
    ],
)
def test_no_person_in_capitalised_non_names(trained: NameRecognizer, text: str) -> None:
    assert people(trained, text) == []


def test_hard_negatives_of_the_generated_corpus_stay_clean(trained: NameRecognizer) -> None:
    flagged = []
    for doc in corpus(120, seed=3):
        found = trained.find(doc.text)
        for kind, s, e in doc.negatives:
            flagged += [kind for f in found if f.start < e and s < f.end]
    assert flagged == []


def test_harvest_records_each_decision_for_training() -> None:
    rec = NameRecognizer(trained=False)
    rec.harvest = []
    rec.find("Thanks Maria Okafor, see you in Dublin.")
    spans = [(s, e) for s, e, _ in rec.harvest]
    assert (7, 19) in spans
    feats = rec.harvest[spans.index((7, 19))][2]
    assert "bias" in feats and any(f.startswith("cls=") for f in feats)


def test_probability_follows_the_weights() -> None:
    model = NameModel({"bias": -1.0, "cls=FL": 3.0}, 0.5)
    assert model.probability(["bias", "cls=FL"]) > 0.85
    assert model.probability(["bias"]) < 0.3
    assert model.probability(["unknown"]) == 0.5


def test_features_are_deterministic() -> None:
    rec = NameRecognizer(trained=False)
    rec.harvest = []
    rec.find("Hi Anna,\nplease call Jonas Berg about the Kestrel invoice.")
    again = NameRecognizer(trained=False)
    again.harvest = []
    again.find("Hi Anna,\nplease call Jonas Berg about the Kestrel invoice.")
    assert rec.harvest == again.harvest and rec.harvest
