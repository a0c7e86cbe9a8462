"""The power-score formula: presets, files in every format, and the Power 100 points by hand."""

from __future__ import annotations

import json
import math

import pytest

from warehouse.domain.power import PowerTerm, load_formula, preset, resolve_formula, saved_formula_path
from warehouse.infra.csvcheck import InputError

# A Power 100-style table as published (fictional numbers), with the publisher's points per term
# worked out by hand: Facebook likes ÷ 1,500, Twitter followers ÷ 500, tweets ÷ 1,000, YouTube
# views ÷ 15,000, YouTube subscribers ÷ 50, each printed to the point.
PUBLISHED = [
    # likes, followers, tweets, views, subscribers -> points per term, total
    ((733_800, 120_500, 15_300, 4_300_000, 12_400), (489, 241, 15, 287, 248), 1280),
    ((1_500, 500, 1_000, 15_000, 50), (1, 1, 1, 1, 1), 5),
    # 41,250 ÷ 500 = 82.5 prints as 83; 64 + 82.5 + 8 = 154.5 prints as 155
    ((96_000, 41_250, 8_000, None, None), (64, 83, 8, None, None), 155),
]


def to_the_point(points: float) -> int:
    """Points as a publisher prints them: to the nearest point, halves up."""
    return math.floor(points + 0.5)


def test_the_power_100_preset_reproduces_the_published_points():
    power100 = preset("power100")
    assert power100.name == "power100"
    assert [(t.platform, t.measure) for t in power100.terms] == [
        ("facebook", "likes_total"),
        ("x", "followers"),
        ("x", "posts_total"),
        ("youtube", "views_total"),
        ("youtube", "followers"),
    ]
    for counts, points, total in PUBLISHED:
        by_term = [t.points(c) for t, c in zip(power100.terms, counts, strict=True)]
        assert [None if p is None else to_the_point(p) for p in by_term] == list(points)
        likes, followers, tweets, views, subscribers = counts
        scores = [
            power100.score("facebook", {"likes_total": likes}),
            power100.score("x", {"followers": followers, "posts_total": tweets}),
            power100.score("youtube", {"views_total": views, "followers": subscribers}),
        ]
        assert to_the_point(sum(s for s in scores if s is not None)) == total
    # no YouTube counts: no YouTube score (NULL, not 0)
    assert power100.score("youtube", {"views_total": None, "followers": None}) is None


def test_the_default_preset_is_todays_weights():
    default = preset("default")
    assert default.score("x", {"followers": 100_000}) == 100.0
    assert default.score("instagram", {"followers": 5000}) == pytest.approx(5000 / 750)
    assert default.score("youtube", {"views_total": 30_000, "followers": 999}) == 2.0


def test_todays_json_format_keeps_working(tmp_path):
    path = tmp_path / "weights.json"
    path.write_text(
        json.dumps(
            {"x": {"measure": "followers", "units_per_point": 250}, "linkedin": {"units_per_point": 100}}
        )
    )
    formula = load_formula(path)
    assert formula.name == "weights"
    assert formula.score("x", {"followers": 1000}) == 4.0
    assert formula.score("linkedin", {"followers": 1000}) == 10.0
    assert formula.score("facebook", {"followers": 1000}) == 2.0  # the default's, unchanged


def test_toml_csv_and_new_json_formats(tmp_path):
    toml = tmp_path / "mine.toml"
    toml.write_text(
        'name = "reach and effort"\nextends = "default"\n'
        '[[term]]\nplatform = "x"\nmeasure = "followers"\nunits_per_point = 100\n'
        '[[term]]\nplatform = "x"\nmeasure = "posts_per_week"\nweight = 2\n'
    )
    formula = load_formula(toml)
    assert formula.name == "reach and effort"
    assert formula.score("x", {"followers": 1000, "posts_per_week": 3.5}) == 17.0  # 10 + 7
    assert formula.score("instagram", {"followers": 1500}) == 2.0  # from the default
    csv = tmp_path / "terms.csv"
    csv.write_text(
        "platform,measure,units_per_point,weight\nfacebook,likes_total,1500,\nyoutube,followers,,0.02\n"
    )
    formula = load_formula(csv)
    assert formula.name == "terms" and len(formula.terms) == 2
    assert formula.score("youtube", {"followers": 500}) == pytest.approx(10.0)
    new_json = tmp_path / "new.json"
    new_json.write_text(
        json.dumps({"name": "j", "terms": [{"platform": "x", "measure": "followers", "units_per_point": 10}]})
    )
    assert load_formula(new_json).terms == (PowerTerm("x", "followers", 10.0, None),)


def test_bad_formulas_name_file_row_and_field(tmp_path):
    csv = tmp_path / "bad.csv"
    csv.write_text(
        "platform,measure,units_per_point,weight\n"
        "myspace,followers,10,\n"
        "x,karma,10,\n"
        "x,followers,0,\n"
        "x,followers,10,2\n"
    )
    with pytest.raises(InputError) as info:
        load_formula(csv)
    found = [str(p) for p in info.value.problems]
    assert f"{csv}, row 2, column platform: 'myspace' is not one of" in found[0]
    assert any(f"{csv}, row 3, column measure: 'karma'" in p for p in found)
    assert any(f"{csv}, row 4, column units_per_point: '0' is not a positive number" in p for p in found)
    assert any(f"{csv}, row 5, column units_per_point: give either" in p for p in found)
    with pytest.raises(InputError, match=r"power200: cannot read the file .*; presets: default, power100"):
        load_formula("power200")
    toml = tmp_path / "bad.toml"
    toml.write_text('extends = "power200"\n')
    with pytest.raises(InputError, match="extends: unknown power formula preset 'power200'"):
        load_formula(toml)
    with pytest.raises(ValueError, match="presets: default, power100"):
        preset("power200")


def test_the_formula_in_force(tmp_path, monkeypatch):
    monkeypatch.delenv("FINSOCIAL_POWER_WEIGHTS", raising=False)
    assert resolve_formula(tmp_path).name == "default"
    # --weights sets it for this build and the later ones
    assert resolve_formula(tmp_path, "power100").name == "power100"
    assert saved_formula_path(tmp_path).exists()
    assert resolve_formula(tmp_path) == preset("power100")
    # the environment overrides the kept formula for one command
    monkeypatch.setenv("FINSOCIAL_POWER_WEIGHTS", "default")
    assert resolve_formula(tmp_path).name == "default"
