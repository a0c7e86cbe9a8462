"""The practices scorecard: thresholds and states, the backlash reasons, and business hours."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

PRACTICES_ENV = "FINSOCIAL_PRACTICES"
STATES = ("green", "amber", "red")
WINDOWS = (28, 90)


@dataclass(frozen=True)
class Practice:
    """One measure of the scorecard with its thresholds and the practice it checks."""

    name: str  # the column of institution_practices
    label: str
    higher_is_better: bool
    green: float
    amber: float
    min_n: int
    n: str  # the column holding the measure's sample size
    checks: str
    practice: str

    def state(self, value: float | None, n: float | None) -> str | None:
        """green, amber or red; None without a value or with fewer than min_n behind it."""
        if value is None or n is None or value != value or n != n or n < self.min_n:
            return None
        if self.higher_is_better:
            return "green" if value >= self.green else "amber" if value >= self.amber else "red"
        return "green" if value <= self.green else "amber" if value <= self.amber else "red"

    @property
    def rule(self) -> str:
        """The thresholds in words: "green ≥ 80, amber ≥ 50, else red (n ≥ 10)"."""
        sign = "≥" if self.higher_is_better else "≤"
        return f"green {sign} {self.green:g}, amber {sign} {self.amber:g}, else red (n ≥ {self.min_n})"


@dataclass(frozen=True)
class Backlash:
    """The thresholds of the backlash reasons beyond unusual comments per like."""

    negative_multiple: float
    min_toned: int
    negative_norm_default: float
    norm_min_toned: int
    negative_norm_floor: float
    angry_multiple: float
    angry_min_share: float
    min_reactions: int


@dataclass(frozen=True)
class BusinessHours:
    """When an institution's webcare is expected to be staffed, in its country's time zone."""

    opens: dt.time
    closes: dt.time
    weekdays: tuple[int, ...]
    public_holidays: bool
    days_off: tuple[dt.date, ...]
    time_zones: dict[str, str]


@dataclass(frozen=True)
class Config:
    measures: dict[str, Practice]
    backlash: Backlash
    count_tolerance: dict[str, int]
    business_hours: BusinessHours
    digest: str  # of the settings the build depends on (tolerances, business hours)

    def tolerance(self, platform: str) -> int:
        return self.count_tolerance.get(platform, self.count_tolerance.get("default", 0))


def _merge(base: dict, extra: dict) -> dict:
    merged = dict(base)
    for key, value in extra.items():
        merged[key] = (
            _merge(base[key], value) if isinstance(value, dict) and isinstance(base.get(key), dict) else value
        )
    return merged


def _raw() -> dict[str, Any]:
    text = (resources.files("warehouse.domain") / "practices.toml").read_text(encoding="utf-8")
    data = tomllib.loads(text)
    path = os.environ.get(PRACTICES_ENV)
    if path:
        try:
            extra = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise ValueError(f"{PRACTICES_ENV} {path}: {exc}") from exc
        unknown = set(extra) - set(data)
        if unknown:
            raise ValueError(f"{PRACTICES_ENV} {path}: unknown section {sorted(unknown)[0]!r}")
        data = _merge(data, extra)
    return data


def _time(text: Any, where: str) -> dt.time:
    try:
        return dt.time.fromisoformat(str(text))
    except ValueError:
        raise ValueError(f"practices: {where} is {text!r}, not a time like 09:00") from None


def load() -> Config:
    """The thresholds and settings in force: the packaged file, then FINSOCIAL_PRACTICES over it."""
    return _load(os.environ.get(PRACTICES_ENV))


@cache
def _load(_env: str | None) -> Config:
    data = _raw()
    measures = {}
    for name, m in data["measures"].items():
        try:
            practice = Practice(
                name,
                str(m["label"]),
                bool(m["higher_is_better"]),
                float(m["green"]),
                float(m["amber"]),
                int(m["min_n"]),
                str(m["n"]),
                str(m["checks"]),
                str(m["practice"]),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"practices: measures.{name}: {exc!r}") from None
        ordered = (
            practice.green >= practice.amber
            if practice.higher_is_better
            else practice.green <= practice.amber
        )
        if not ordered:
            raise ValueError(f"practices: measures.{name}: green must be on the good side of amber")
        measures[name] = practice
    b = data["backlash"]
    backlash = Backlash(
        float(b["negative_multiple"]),
        int(b["min_toned"]),
        float(b["negative_norm_default"]),
        int(b["norm_min_toned"]),
        float(b["negative_norm_floor"]),
        float(b["angry_multiple"]),
        float(b["angry_min_share"]),
        int(b["min_reactions"]),
    )
    h = data["business_hours"]
    hours = BusinessHours(
        _time(h["opens"], "business_hours.opens"),
        _time(h["closes"], "business_hours.closes"),
        tuple(int(d) for d in h["weekdays"]),
        bool(h["public_holidays"]),
        tuple(dt.date.fromisoformat(str(d)) for d in h.get("days_off", [])),
        {str(k).upper(): str(v) for k, v in h.get("time_zones", {}).items()},
    )
    if hours.closes <= hours.opens:
        raise ValueError("practices: business_hours.closes must be after opens")
    if not set(hours.weekdays) <= set(range(1, 8)):
        raise ValueError("practices: business_hours.weekdays are ISO weekdays, 1 (Monday) to 7 (Sunday)")
    tolerance = {str(k): int(v) for k, v in data["removed"]["count_tolerance"].items()}
    digest = hashlib.sha256(repr((tolerance, hours)).encode()).hexdigest()[:16]
    return Config(measures, backlash, tolerance, hours, digest)


# ---- business hours ---------------------------------------------------------------------------


@cache
def _zone_tab() -> dict[str, str]:
    """Country code → the first time zone tzdata's zone.tab lists for it."""
    import tzdata

    text = (resources.files(tzdata) / "zoneinfo" / "zone.tab").read_text(encoding="utf-8")
    zones: dict[str, str] = {}
    for line in text.splitlines():
        if line.startswith("#") or not line.strip():
            continue
        parts = line.split("\t")
        zones.setdefault(parts[0].upper(), parts[2])
    return zones


def time_zone(country: str, hours: BusinessHours | None = None) -> str | None:
    """The IANA time zone of a country's business hours, or None for an unknown country."""
    hours = hours or load().business_hours
    zone = hours.time_zones.get(country.upper()) or _zone_tab().get(country.upper())
    if zone is None:
        return None
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"practices: business_hours.time_zones.{country} {zone!r} is no IANA time zone"
        ) from None
    return zone


def public_holidays(country: str, years: range) -> set[dt.date]:
    """The country's public holidays in those years (the `holidays` package); none for a country
    it does not know."""
    import holidays

    try:
        return set(holidays.country_holidays(country.upper(), years=list(years)))
    except NotImplementedError:
        return set()


def business_windows(
    countries: list[str], first: dt.date, last: dt.date, hours: BusinessHours | None = None
) -> list[dict]:
    """One row per working day per country from first to last: its opening and closing instants."""
    hours = hours or load().business_hours
    rows = []
    for country in sorted(set(countries)):
        zone_name = time_zone(country, hours)
        if zone_name is None:
            continue
        zone = ZoneInfo(zone_name)
        off = set(hours.days_off)
        if hours.public_holidays:
            off |= public_holidays(country, range(first.year, last.year + 1))
        day = first
        while day <= last:
            if day.isoweekday() in hours.weekdays and day not in off:
                rows.append(
                    {
                        "country": country,
                        "day": day,
                        "time_zone": zone_name,
                        "opens_at": dt.datetime.combine(day, hours.opens, zone).astimezone(dt.UTC),
                        "closes_at": dt.datetime.combine(day, hours.closes, zone).astimezone(dt.UTC),
                    }
                )
            day += dt.timedelta(days=1)
    return rows


__all__ = [
    "PRACTICES_ENV",
    "STATES",
    "WINDOWS",
    "Backlash",
    "BusinessHours",
    "Config",
    "Practice",
    "business_windows",
    "load",
    "public_holidays",
    "time_zone",
]
