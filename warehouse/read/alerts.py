"""What to tell a reader after a night: alert rules, and the alerts they raise on the warehouse."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import duckdb

from warehouse.domain.mentions import STORM_BASELINE_DAYS, STORM_MINIMUM, STORM_MULTIPLE, StormRule
from warehouse.domain.metrics import METRICS
from warehouse.domain.platforms import PLATFORMS
from warehouse.domain.posts import BACKLASH_MIN_COMMENTS, BACKLASH_MULTIPLE, Period
from warehouse.read import queries
from warehouse.read.formatting import format_value, human_count, human_minutes
from warehouse.read.report import platform_label


class RulesError(ValueError):
    """A rules file with a problem; the message names the file, the rule and the field."""


# Each rule type, its parameters and their defaults. A parameter of another type, or a key not
# listed, is an error naming the rule and the key.
RULE_TYPES: dict[str, dict[str, Any]] = {
    "flagged_post": {
        "whose": "both",
        "days": 3,
        "multiple": BACKLASH_MULTIPLE,
        "min_comments": BACKLASH_MIN_COMMENTS,
    },
    "reply_time": {"days": 3},
    "breakout_post": {"multiple": 5.0, "min_interactions": 50, "days": 3},
    "top10": {"platform": "all", "metric": "followers", "size": 10},
    "platform_failing": {"nights": 3},
    # a storm of mentions (or of their negative share): the storms of `finsocial storms`
    "storm": {
        "whose": "both",
        "days": 2,
        "multiple": STORM_MULTIPLE,
        "minimum": STORM_MINIMUM,
        "platform": "all",
    },
    # a storm of negative comments under our posts or a peer's (alert_comment_storms.sql)
    "comment_storm": {
        "whose": "both",
        "days": 2,
        "multiple": STORM_MULTIPLE,
        "minimum": STORM_MINIMUM,
        "platform": "all",
    },
}
WHOSE = ("mine", "peers", "both")


@dataclass(frozen=True)
class Rule:
    type: str
    params: dict[str, Any]
    name: str  # as the file names it, else its type

    def __getitem__(self, key: str) -> Any:
        return self.params[key]


@dataclass(frozen=True)
class Watch:
    """Whose news the rules look for: the reader's institution and its peers (named, or a population)."""

    institution: str | None = None
    peers: tuple[str, ...] = ()
    country: str | None = None
    kind: str | None = None
    group: str | None = None


@dataclass(frozen=True)
class Alert:
    """One thing to tell: `key` says what it is about, so it is sent once."""

    key: str
    rule: str
    title: str
    text: str
    facts: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "rule": self.rule,
            "title": self.title,
            "text": self.text,
            "facts": self.facts,
        }


def _check(where: str, key: str, value: Any, default: Any) -> Any:
    if isinstance(default, bool) or isinstance(value, bool):
        ok = isinstance(value, bool) and isinstance(default, bool)
    elif isinstance(default, float):
        ok = isinstance(value, int | float)
        value = float(value) if ok else value
    elif isinstance(default, int):
        ok = isinstance(value, int)
    else:
        ok = isinstance(value, str)
    if not ok:
        raise RulesError(f"{where}: {key} must be {type(default).__name__}, not {value!r}")
    if isinstance(value, int | float) and not isinstance(value, bool) and value <= 0:
        raise RulesError(f"{where}: {key} must be above 0, not {value!r}")
    return value


def parse_rules(entries: list[dict[str, Any]], source: str) -> list[Rule]:
    """The [[rules]] tables of a rules file as Rules; RulesError naming the file, the rule and the field."""
    rules = []
    for n, entry in enumerate(entries, start=1):
        where = f"{source}: rule {n}"
        if not isinstance(entry, dict) or "type" not in entry:
            raise RulesError(f"{where}: no type; one of {', '.join(RULE_TYPES)}")
        kind = entry["type"]
        if kind not in RULE_TYPES:
            raise RulesError(f"{where}: unknown type {kind!r}; one of {', '.join(RULE_TYPES)}")
        defaults = RULE_TYPES[kind]
        name = entry.get("name", kind)
        if not isinstance(name, str):
            raise RulesError(f"{where}: name must be text")
        where = f"{source}: rule {n} ({name})"
        unknown = set(entry) - set(defaults) - {"type", "name"}
        if unknown:
            raise RulesError(
                f"{where}: unknown key {sorted(unknown)[0]!r}; {kind} takes {', '.join(defaults)}"
            )
        params = {k: _check(where, k, entry[k], d) if k in entry else d for k, d in defaults.items()}
        if kind in ("flagged_post", "storm", "comment_storm") and params["whose"] not in WHOSE:
            raise RulesError(f"{where}: whose must be one of {', '.join(WHOSE)}, not {params['whose']!r}")
        if kind in ("top10", "storm", "comment_storm"):
            if params["platform"] not in ("all", *PLATFORMS):
                raise RulesError(f"{where}: unknown platform {params['platform']!r}")
            if kind == "top10" and params["metric"] not in METRICS:
                raise RulesError(f"{where}: unknown metric {params['metric']!r}")
        rules.append(Rule(kind, params, name))
    names = [r.name for r in rules]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise RulesError(f"{source}: two rules named {twice[0]!r}; give each a name of its own")
    return rules


# ---- evaluation -----------------------------------------------------------------------------------


def watched(con: duckdb.DuckDBPyConnection, watch: Watch) -> tuple[list[str], list[str]]:
    """(mine, peers): the reader's institution and the peers (named ones and the population's)."""
    known = {r[0] for r in con.execute("SELECT institution_id FROM institutions").fetchall()}
    mine = [watch.institution] if watch.institution in known else []
    peers = [p for p in watch.peers if p in known]
    if watch.country or watch.kind or watch.group:
        population = con.execute(
            """SELECT institution_id FROM institutions
               WHERE ($country IS NULL OR country = $country) AND ($kind IS NULL OR kind = $kind)
                 AND ($group IS NULL OR list_contains(groups, $group)) ORDER BY institution_id""",
            {"country": watch.country, "kind": watch.kind, "group": watch.group},
        ).fetchall()
        peers += [r[0] for r in population if r[0] not in peers]
    return mine, [p for p in peers if p not in mine]


def _posts_window(as_of: dt.date, days: int) -> Period:
    start = as_of - dt.timedelta(days=days - 1)
    return Period(f"{start.isoformat()} to {as_of.isoformat()}", start, as_of)


def flagged_posts(con, rule: Rule, watch: Watch, as_of: dt.date) -> list[Alert]:
    mine, peers = watched(con, watch)
    whose = {"mine": mine, "peers": peers, "both": mine + peers}[rule["whose"]]
    if not whose:
        return []
    frame = queries.industry_posts(
        con,
        _posts_window(as_of, rule["days"]),
        "reaction_multiple",
        flagged=True,
        multiple=rule["multiple"],
        min_comments=rule["min_comments"],
        limit=None,
    )
    alerts = []
    for r in frame.to_dict("records"):
        if r["institution_id"] not in whose:
            continue
        ours = r["institution_id"] in mine
        why = r.get("flag_reason") or "comments per like"
        multiple = r.get("reaction_multiple")
        reason = f"flagged for {why}: {human_count(r['comments'])} comments" + (
            f", comments per like {multiple:.1f}× the account's usual (its median over the 90 days before)"
            if multiple is not None and multiple == multiple
            else ""
        )
        alerts.append(
            Alert(
                key=f"{rule.name}:{r['post_id']}",
                rule=rule.name,
                title=f"{'Our' if ours else r['name'] + chr(39) + 's'} post on {platform_label(r['platform'])} "
                "drew an unusual reaction",
                text=f"{r['name']}'s post of {str(r['posted_at'])[:16]} UTC: {reason}. "
                f"A signal to read the thread, not a sentiment verdict. {r['url'] or ''}".strip(),
                facts={
                    "institution_id": r["institution_id"],
                    "platform": r["platform"],
                    "post_id": r["post_id"],
                    "url": r["url"],
                    "comments": int(r["comments"]),
                    "reason": why,
                    "reaction_multiple": None
                    if multiple is None or multiple != multiple
                    else round(float(multiple), 2),
                },
            )
        )
    return alerts


STREAK_LOOKBACK_DAYS = 120  # how far back a streak's first day is looked for


def _streak(days_over: list[tuple[dt.date, bool]], last: dt.date | None = None) -> list[dt.date]:
    """The days of the run of consecutive 'over' days ending on the latest day (newest first); a
    missing day or one not over ends it."""
    run: list[dt.date] = []
    for day, over in sorted(days_over, reverse=True):
        expected = (run[-1] - dt.timedelta(days=1)) if run else (last or day)
        if not over or day != expected:
            break
        run.append(day)
    return run


def reply_time(con, rule: Rule, watch: Watch, as_of: dt.date) -> list[Alert]:
    """Our median reply time over the platform's target on each of the last N days. Once per
    streak: its key is the streak's first day."""
    if not watch.institution:
        return []
    days = rule["days"]
    rows = queries.rows(
        con.execute(
            queries.query_sql("alert_reply_times"),
            {"institution_id": watch.institution, "as_of": as_of, "days": max(days, STREAK_LOOKBACK_DAYS)},
        )
    )
    name = _name(con, watch.institution)
    alerts = []
    for platform in sorted({r["platform"] for r in rows}):
        series = {r["day"]: r for r in rows if r["platform"] == platform}
        run = _streak(
            [
                (d, r["reply_time_median"] is not None and r["reply_time_median"] > r["target_minutes"])
                for d, r in series.items()
            ],
            as_of,
        )
        if len(run) < days:
            continue
        first, latest = run[-1], series[as_of]
        alerts.append(
            Alert(
                key=f"{rule.name}:{watch.institution}:{platform}:{first.isoformat()}",
                rule=rule.name,
                title=f"Our reply time on {platform_label(platform)} is over target for {len(run)} days",
                text=(
                    f"{name}'s median reply time on {platform_label(platform)} has been over its target of "
                    f"{human_minutes(latest['target_minutes'])} every day from {first.isoformat()} to "
                    f"{as_of.isoformat()}; on {as_of.isoformat()}: "
                    f"{human_minutes(latest['reply_time_median'])} over {human_count(latest['questions'])} "
                    "questions of the 28 days before."
                ),
                facts={
                    "institution_id": watch.institution,
                    "platform": platform,
                    "reply_time_median": latest["reply_time_median"],
                    "target_minutes": latest["target_minutes"],
                    "since": first.isoformat(),
                },
            )
        )
    return alerts


def breakout_posts(con, rule: Rule, watch: Watch, as_of: dt.date) -> list[Alert]:
    _, peers = watched(con, watch)
    if not peers:
        return []
    params = {
        "as_of": as_of,
        "days": rule["days"],
        "institutions": peers,
        "multiple": rule["multiple"],
        "min_interactions": rule["min_interactions"],
    }
    rows = queries.rows(con.execute(queries.query_sql("alert_breakout_posts"), params))
    return [
        Alert(
            key=f"{rule.name}:{r['post_id']}",
            rule=rule.name,
            title=f"{r['name']}'s post on {platform_label(r['platform'])} took off: "
            f"{r['multiple']:.1f}× its usual",
            text=(
                f"{r['name']}'s post of {str(r['posted_at'])[:16]} UTC has {human_count(r['interactions'])} "
                f"interactions, {r['multiple']:.1f}× the account's usual {human_count(r['usual_interactions'])} "
                f"per post (its posts of the 28 days before). {r['url'] or ''}"
            ).strip(),
            facts={
                "institution_id": r["institution_id"],
                "platform": r["platform"],
                "post_id": r["post_id"],
                "url": r["url"],
                "interactions": int(r["interactions"]),
                "usual_interactions": round(float(r["usual_interactions"]), 2),
                "multiple": round(float(r["multiple"]), 2),
            },
        )
        for r in rows
    ]


def top10(con, rule: Rule, watch: Watch, as_of: dt.date) -> list[Alert]:
    """Who entered or left the top `size` between the day before and as_of (the selection of the
    rules file: its country, kind and group)."""
    platform, metric, size = rule["platform"], rule["metric"], rule["size"]
    before = con.execute(
        "SELECT max(day) FROM institution_metrics WHERE day < $as_of", {"as_of": as_of}
    ).fetchone()[0]
    if before is None:
        return []
    args = (watch.country, watch.kind, watch.group, size)
    minimum = queries.default_minimum(metric)  # as `top` ranks by default
    now, _ = queries.league_rows(con, platform, metric, as_of, *args, minimum=minimum)
    then, _ = queries.league_rows(con, platform, metric, before, *args, minimum=minimum)
    now_in = {r["institution_id"]: r for r in now if r["value"] is not None}
    then_in = {r["institution_id"]: r for r in then if r["value"] is not None}
    label = f"top {size} by {METRICS[metric].label.lower()} on {platform_label(platform)}"
    scope = " · ".join(p for p in (watch.country, watch.kind, watch.group and f"group {watch.group}") if p)
    where = f"the {label}" + (f" ({scope})" if scope else "")
    day = as_of.isoformat()

    def change(iid: str, r: dict, entered: bool) -> Alert:
        if entered:
            value = format_value(metric, r["value"], r["rounded"])
            text = f"{r['name']} is number {r['rank']} of {where} on {day} ({value}); it was not on {before.isoformat()}."
        else:
            text = (
                f"{r['name']} was number {r['rank']} of {where} on {before.isoformat()} and is not on {day}."
            )
        verb = "entered" if entered else "left"
        return Alert(
            key=f"{rule.name}:{day}:{iid}:{verb}",
            rule=rule.name,
            title=f"{r['name']} {verb} {where}",
            text=text,
            facts={"institution_id": iid, "rank": r["rank"], "day": day, "change": verb},
        )

    entered = [change(iid, r, True) for iid, r in sorted(now_in.items()) if iid not in then_in]
    return entered + [change(iid, r, False) for iid, r in sorted(then_in.items()) if iid not in now_in]


def platform_failing(con, rule: Rule, watch: Watch, as_of: dt.date | None) -> list[Alert]:
    """A platform without one count landed on each of its last N nights of collection. Once per
    streak: its key is the streak's first night."""
    nights = rule["nights"]
    rows = queries.rows(con.execute(queries.query_sql("alert_failing_platforms")))
    alerts = []
    for platform in sorted({r["platform"] for r in rows}):
        series = [r for r in rows if r["platform"] == platform]  # the latest night first
        run = []
        for r in series:
            if not r["failed"]:
                break
            run.append(r)
        if len(run) < nights:
            continue
        first, last = run[-1]["night"], run[0]
        alerts.append(
            Alert(
                key=f"{rule.name}:{platform}:{first.isoformat()}",
                rule=rule.name,
                title=f"{platform_label(platform)} failed {len(run)} nights in a row",
                text=(
                    f"No {platform_label(platform)} counts landed on the {len(run)} nights from "
                    f"{first.isoformat()} to {last['night'].isoformat()}; {last['failures']} accounts failed "
                    f"on the last ({last['kind']}). `finsocial status` shows why."
                ),
                facts={"platform": platform, "since": first.isoformat(), "nights": len(run)},
            )
        )
    return alerts


def storm(con, rule: Rule, watch: Watch, as_of: dt.date | None) -> list[Alert]:
    """A storm about us or a peer on one of the last N days searched: mentions (or their negative
    share) at least `multiple` times the median day of the 28 before, with at least `minimum`."""
    mine, peers = watched(con, watch)
    whose = {"mine": mine, "peers": peers, "both": mine + peers}[rule["whose"]]
    last = queries.latest_mention_day(con)
    if not whose or last is None:
        return []
    found = queries.storms(
        con,
        last - dt.timedelta(days=rule["days"] - 1),
        last,
        rule["platform"],
        StormRule(multiple=rule["multiple"], minimum=rule["minimum"]),
    )
    alerts = []
    for r in sorted(found, key=lambda r: (r["day"], r["institution_id"])):
        if r["institution_id"] not in whose:
            continue
        ours = r["institution_id"] in mine
        where = platform_label(r["platform"])
        negative = (
            f"; negative {format_value('negative_share', r['negative_share'])} against "
            f"{format_value('negative_share', r['baseline_negative_share'])} usually"
            if r.get("negative_share") is not None
            else ""
        )
        theme = f"; the day's top theme: {r['top_theme']}" if r.get("top_theme") else ""
        alerts.append(
            Alert(
                key=f"{rule.name}:{r['institution_id']}:{r['platform']}:{r['day'].isoformat()}",
                rule=rule.name,
                title=f"A storm about {'us' if ours else r['name']} on {where} on {r['day'].isoformat()}",
                text=(
                    f"{human_count(r['mentions'])} mentions of {r['name']} on {where} on {r['day'].isoformat()}, "
                    f"{_against(r['multiple'], r['baseline_median'], 'the median day before it')}"
                    f"{negative}{theme}. What jumped: {r['jumped']}."
                ),
                facts={
                    "institution_id": r["institution_id"],
                    "platform": r["platform"],
                    "day": r["day"].isoformat(),
                    "mentions": r["mentions"],
                    "multiple": r["multiple"],
                    "jumped": r["jumped"],
                },
            )
        )
    return alerts


def _against(multiple: float | None, baseline: float, usual: str) -> str:
    """'27.0× the median day before it (1)'; a storm after days whose median was 0 has no multiple:
    'where the median day before it had none'."""
    if multiple is None:
        return f"where {usual} had none"
    return f"{multiple:.1f}× {usual} ({human_count(baseline)})"


def comment_storm(con, rule: Rule, watch: Watch, as_of: dt.date | None) -> list[Alert]:
    """A storm of negative comments under our posts or a peer's on one of the last N days: on a
    platform, the day's negative comments by others at least `multiple` times the median known day
    of the 28 before, with at least `minimum` (warehouse/read/sql/alert_comment_storms.sql). Once
    per institution, platform and day."""
    mine, peers = watched(con, watch)
    whose = {"mine": mine, "peers": peers, "both": mine + peers}[rule["whose"]]
    if not whose or as_of is None:
        return []
    params = {
        "start": as_of - dt.timedelta(days=rule["days"] - 1),
        "end": as_of,
        "institutions": whose,
        "platform": None if rule["platform"] == "all" else rule["platform"],
        "multiple": rule["multiple"],
        "minimum": rule["minimum"],
        "baseline_days": STORM_BASELINE_DAYS,
    }
    rows = queries.rows(con.execute(queries.query_sql("alert_comment_storms"), params))
    alerts = []
    for r in sorted(rows, key=lambda r: (r["day"], r["institution_id"], r["platform"])):
        ours = r["institution_id"] in mine
        where = platform_label(r["platform"])
        day = r["day"].isoformat()
        against = _against(r["multiple"], r["baseline_median"], "the median day of the 28 before")
        share = (
            f" ({format_value('negative_share', r['negative_share'])} of the {human_count(r['toned'])} "
            "comments the tone classifier judged"
            + (
                f"; usually {format_value('negative_share', r['baseline_negative_share'])})"
                if r["baseline_negative_share"] is not None
                else ")"
            )
            if r["negative_share"] is not None
            else ""
        )
        top = (
            f" The most under its post of {str(r['top_post_at'])[:16]} UTC "
            f"({human_count(r['top_post_negative'])}). {r['top_post_url'] or ''}"
            if r["top_post_at"] is not None
            else ""
        )
        alerts.append(
            Alert(
                key=f"{rule.name}:{r['institution_id']}:{r['platform']}:{day}",
                rule=rule.name,
                title=f"A storm of negative comments under {'our' if ours else r['name'] + chr(39) + 's'} "
                f"posts on {where} on {day}",
                text=(
                    f"{human_count(r['negative'])} negative comments under {r['name']}'s posts on {where} "
                    f"on {day}{share}, {against}.{top}"
                ).strip(),
                facts={
                    "institution_id": r["institution_id"],
                    "platform": r["platform"],
                    "day": day,
                    "negative": int(r["negative"]),
                    "toned": int(r["toned"]),
                    "baseline_median": float(r["baseline_median"]),
                    "multiple": None if r["multiple"] is None else round(float(r["multiple"]), 2),
                    "post_id": r["top_post_id"],
                    "url": r["top_post_url"],
                },
            )
        )
    return alerts


EVALUATE = {
    "flagged_post": flagged_posts,
    "reply_time": reply_time,
    "breakout_post": breakout_posts,
    "top10": top10,
    "platform_failing": platform_failing,
    "storm": storm,
    "comment_storm": comment_storm,
}


def _name(con: duckdb.DuckDBPyConnection, institution_id: str) -> str:
    found = con.execute(
        "SELECT name FROM institutions WHERE institution_id = $i", {"i": institution_id}
    ).fetchone()
    return found[0] if found else institution_id


def evaluate(con: duckdb.DuckDBPyConnection, rules: list[Rule], watch: Watch) -> list[Alert]:
    """Every alert the rules raise on the warehouse's latest day, in the rules' order."""
    as_of = queries.latest_day(con)
    if as_of is None:
        return [
            a
            for rule in rules
            if rule.type == "platform_failing"
            for a in platform_failing(con, rule, watch, as_of)
        ]
    return [alert for rule in rules for alert in EVALUATE[rule.type](con, rule, watch, as_of)]
