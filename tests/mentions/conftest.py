"""A small warehouse of hand-made mentions, landed and built through the real path, whose metrics
the tests work out by hand."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from tests.support.collector_fakes import write_registry
from warehouse.infra.paths import DataPaths
from warehouse.landing.records import Mention, MentionSearch
from warehouse.landing.runs import LandingRun

D = dt.date(2026, 11, 20)  # the night the search ran (03:00 UTC)
NIGHT = dt.datetime.combine(D, dt.time(3), dt.UTC)

INSTITUTIONS = [
    {
        "institution_id": "alder",
        "name": "Alder Bank",
        "kind": "bank",
        "country": "NL",
        "website": "https://alder.example/",
    },
    {
        "institution_id": "birch",
        "name": "Birch Bank",
        "kind": "bank",
        "country": "GB",
        "website": "https://birch.example/",
    },
    {
        "institution_id": "cedar",
        "name": "Cedar Insure",
        "kind": "insurer",
        "country": "NL",
        "website": "https://cedar.example/",
    },
    {
        "institution_id": "storm",
        "name": "Storm Bank",
        "kind": "bank",
        "country": "DE",
        "website": "https://storm.example/",
    },
]


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), dt.UTC)


def mention(
    inst: str,
    n: str,
    posted: dt.datetime,
    author: str,
    tone: str | None,
    themes: str = "",
    platform: str = "bluesky",
) -> Mention:
    return Mention(
        institution_id=inst,
        platform=platform,
        post_id=f"at://did:plc:someone/app.bsky.feed.post/{inst}{n}",
        posted_at=posted,
        collected_at=NIGHT,
        author_key=author,
        language="en" if tone else "de",
        tone=tone,
        tone_score=None if tone is None else {"negative": -0.6, "neutral": 0.0, "positive": 0.7}[tone],
        themes=themes,
    )


def land_mentions(paths: DataPaths) -> None:
    """One night's run: Alder and Birch searched on Bluesky back to two days before (03:00), Birch
    on Mastodon finding nothing, Cedar never searched; Storm searched back 31 days, with two
    neutral mentions a day and a storm three days before the night."""
    run = LandingRun(paths.landing, "collect", D, run_id="20261120T030000Z-mentions", started_at=NIGHT)
    since = NIGHT - dt.timedelta(days=2)
    for inst, platform, found in (("alder", "bluesky", 4), ("birch", "bluesky", 1), ("birch", "mastodon", 0)):
        run.add(MentionSearch(inst, platform, since, NIGHT, found, 1))
    day1 = D - dt.timedelta(days=1)
    run.extend(
        [
            mention("alder", "1", at(day1, 10), "k1", "negative", "fees,outage"),
            mention("alder", "2", at(day1, 11), "k1", "positive"),
            mention("alder", "3", at(D, 1), "k2", "neutral", "outage"),
            mention("alder", "4", at(D, 2), "k3", None),
            mention("birch", "1", at(D, 0, 30), "k4", "negative", "fraud"),
        ]
    )
    run.add(MentionSearch("storm", "bluesky", at(D - dt.timedelta(days=31), 0), NIGHT, 0, 1))
    for back in range(1, 31):
        day = D - dt.timedelta(days=back)
        if back == 3:  # the storm: 25 mentions, 20 of them negative
            run.extend(
                mention(
                    "storm", f"s{i}", at(day, 9, i), f"s{i}", "negative" if i < 20 else "neutral", "outage"
                )
                for i in range(25)
            )
        else:
            run.extend(mention("storm", f"{back}-{i}", at(day, 12 + i), f"a{i}", "neutral") for i in range(2))
    run.commit("complete", {})


@pytest.fixture(scope="session")
def mentions_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from warehouse.build.builder import build

    paths = DataPaths.resolve(tmp_path_factory.mktemp("mentions") / "finsocial.duckdb")
    paths.ensure()
    write_registry(paths, INSTITUTIONS)
    land_mentions(paths)
    build(paths)
    return paths.db
