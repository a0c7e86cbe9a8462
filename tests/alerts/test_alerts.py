"""`finsocial alerts`: each rule fires on a warehouse built to trigger it, once, with the right text;
webhooks (JSON, Slack, Teams) and e-mail (STARTTLS) on 127.0.0.1 receive it; a failing endpoint gets
it on the next run; secrets never reach the output."""

from __future__ import annotations

import datetime as dt
import email
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from finsocial.cli import cli
from publish.alerts import REPEAT_NOTE, STATE_FILE, DeliveryError, deliver, load_config, run_alerts
from tests.alerts.conftest import NIGHT, SMTP_PASSWORD, SMTP_USER
from warehouse.read import queries
from warehouse.read.alerts import STREAK_LOOKBACK_DAYS, RulesError, Watch, evaluate, parse_rules
from warehouse.read.formatting import human_count

WATCH = 'institution = "northwind"\npeers = ["southbank", "cedar"]\n'
TOKEN = "hooks-SECRET-T0K3N"


def alerts_of(db: Path, rules: str, watch: Watch | None = None) -> list:
    import tomllib

    parsed = parse_rules(tomllib.loads(rules)["rules"], "rules.toml")
    with queries.connect(db) as con:
        return evaluate(con, parsed, watch or Watch("northwind", ("southbank", "cedar")))


def test_a_flagged_post_of_mine_with_its_reason(alert_db):
    found = alerts_of(alert_db, '[[rules]]\ntype = "flagged_post"\n')
    assert [a.title for a in found] == ["Our post on Bluesky drew an unusual reaction"]
    # 40 replies to 30 likes against the usual 2 per 100: (40 / 30) / 0.02 = 66.7
    assert "40 comments, comments per like 66.7× the account's usual" in found[0].text
    assert found[0].facts["reaction_multiple"] == pytest.approx(66.67, abs=0.01)
    assert alerts_of(alert_db, '[[rules]]\ntype = "flagged_post"\nwhose = "peers"\n') == []
    assert alerts_of(alert_db, '[[rules]]\ntype = "flagged_post"\nmultiple = 70.0\n') == []


def test_a_competitors_post_far_above_its_usual(alert_db):
    found = alerts_of(alert_db, '[[rules]]\ntype = "breakout_post"\nmultiple = 10.0\n')
    assert [a.title for a in found] == ["South Bank's post on Bluesky took off: 50.3× its usual"]
    # 500 likes + 3 replies + 50 reposts against three posts of 11 each
    assert "553 interactions, 50.3× the account's usual 11 per post" in found[0].text
    assert alerts_of(alert_db, '[[rules]]\ntype = "breakout_post"\nmultiple = 60.0\n') == []


def test_entering_and_leaving_a_top(alert_db):
    found = alerts_of(alert_db, '[[rules]]\ntype = "top10"\nplatform = "bluesky"\nsize = 1\n')
    assert [a.title for a in found] == [
        "South Bank entered the top 1 by followers on Bluesky",
        "Northwind Bank left the top 1 by followers on Bluesky",
    ]
    assert (
        f"number 1 of the top 1 by followers on Bluesky on {NIGHT.date().isoformat()} (1.02K)"
        in found[0].text
    )
    assert alerts_of(alert_db, '[[rules]]\ntype = "top10"\nplatform = "bluesky"\nsize = 2\n') == []


def test_a_platform_failing_nights_in_a_row(alert_db):
    found = alerts_of(alert_db, '[[rules]]\ntype = "platform_failing"\nnights = 3\n')
    first = (NIGHT - dt.timedelta(days=2)).date().isoformat()
    assert [a.title for a in found] == ["Mastodon failed 3 nights in a row"]
    assert (
        f"No Mastodon counts landed on the 3 nights from {first} to {NIGHT.date().isoformat()}"
        in found[0].text
    )
    assert alerts_of(alert_db, '[[rules]]\ntype = "platform_failing"\nnights = 4\n') == []


def test_my_reply_time_over_target_for_days(demo_db):
    """On the demo: the streak of days each platform's median reply time was over its target,
    counted from institution_webcare day by day, decides which platforms an alert names."""
    me = "brildora-assurance"
    with queries.connect(demo_db) as con:
        last = queries.latest_day(con)
        over: dict[str, set[int]] = {}  # per platform: how many days back it was over its target
        for back in range(STREAK_LOOKBACK_DAYS):
            for r in queries.institution_webcare(con, me, last - dt.timedelta(days=back)).to_dict("records"):
                median, target = r["reply_time_median"], r["target_minutes"]
                if r["platform"] != "all" and median == median and target == target and median > target:
                    over.setdefault(r["platform"], set()).add(back)
        streaks = {
            p: next(n for n in range(STREAK_LOOKBACK_DAYS + 1) if n not in days) for p, days in over.items()
        }
        today = queries.institution_webcare(con, me, last).set_index("platform")
    assert any(n >= 3 for n in streaks.values())
    found = alerts_of(demo_db, '[[rules]]\ntype = "reply_time"\ndays = 3\n', Watch(me))
    assert sorted(a.facts["platform"] for a in found) == sorted(p for p, n in streaks.items() if n >= 3)
    from warehouse.read.formatting import human_minutes
    from warehouse.read.report import platform_label

    for alert in found:
        row = today.loc[alert.facts["platform"]]
        assert alert.title.startswith(
            f"Our reply time on {platform_label(alert.facts['platform'])} is over target"
        )
        assert f"on {last.isoformat()}: {human_minutes(row['reply_time_median'])}" in alert.text
        assert f"target of {human_minutes(row['target_minutes'])}" in alert.text
    # a longer streak asked for: only the platforms whose streak is that long
    shortest = min(n for n in streaks.values() if n >= 1)
    found = alerts_of(demo_db, f'[[rules]]\ntype = "reply_time"\ndays = {shortest + 1}\n', Watch(me))
    expected = sorted(p for p, n in streaks.items() if n > shortest)
    assert sorted(a.facts["platform"] for a in found) == expected and len(expected) < len(streaks)


def test_a_storm_about_a_peer_as_finsocial_storms_prints_it(demo_db):
    with queries.connect(demo_db) as con:
        last = queries.latest_mention_day(con)
    printed = json.loads(
        CliRunner()
        .invoke(
            cli,
            ["--db", str(demo_db), "storms", "--period", f"{last.year}-{last.month:02d}", "--format", "json"],
        )
        .output
    )
    window = [r for r in printed if r["day"] >= (last - dt.timedelta(days=29)).isoformat()]
    assert window, "the demo has no storm in its last 30 days"
    storm = window[0]
    found = alerts_of(
        demo_db, '[[rules]]\ntype = "storm"\ndays = 30\n', Watch(peers=(storm["institution_id"],))
    )
    ours = [a for a in found if a.facts["day"] == storm["day"]]
    assert len(ours) == 1
    assert ours[0].title == f"A storm about {storm['name']} on all platforms on {storm['day']}"
    assert ours[0].text.startswith(f"{human_count(storm['mentions'])} mentions of {storm['name']}")
    assert f"{storm['multiple']:.1f}× the median day before it" in ours[0].text
    mine = alerts_of(demo_db, '[[rules]]\ntype = "storm"\ndays = 30\n', Watch(storm["institution_id"]))
    assert mine[0].title.startswith("A storm about us")
    big = '[[rules]]\ntype = "storm"\ndays = 30\nminimum = 1000000\n'
    assert alerts_of(demo_db, big, Watch(peers=(storm["institution_id"],))) == []


def test_a_storm_after_days_without_mentions_has_no_multiple(demo_db):
    """A storm on a day whose 28 days before had a median of 0 mentions: its multiple is none, and
    the alert says the median day before it had none (it raised TypeError)."""
    with queries.connect(demo_db) as con:
        iid, day, mentions = con.execute(
            """SELECT institution_id, day, mentions FROM mention_days
               WHERE platform = 'all' AND baseline_median = 0 AND baseline_days >= 7 AND mentions >= 1
               ORDER BY day DESC, institution_id LIMIT 1"""
        ).fetchone()
        last = queries.latest_mention_day(con)
    rule = f'[[rules]]\ntype = "storm"\ndays = {(last - day).days + 1}\nminimum = 1\n'
    (alert,) = [a for a in alerts_of(demo_db, rule, Watch(peers=(iid,))) if a.facts["day"] == day.isoformat()]
    assert alert.facts["multiple"] is None
    assert alert.text.startswith(f"{human_count(mentions)} mentions of ")
    assert f"on {day.isoformat()}, where the median day before it had none" in alert.text


def test_no_storm_without_mentions(alert_db):
    assert alerts_of(alert_db, '[[rules]]\ntype = "storm"\n') == []


# ---- delivery -------------------------------------------------------------------------------------

RULES = """
[[rules]]
type = "flagged_post"
[[rules]]
type = "breakout_post"
"""


def rules_file(root: Path, destinations: str, rules: str = RULES) -> Path:
    path = root / "alerts.toml"
    path.write_text(WATCH + rules + destinations)
    return path


def copy_db(alert_db: Path, tmp_path: Path) -> Path:
    """The warehouse file alone in a folder of its own: the state file goes beside it."""
    db = tmp_path / "finsocial.duckdb"
    shutil.copy(alert_db, db)
    return db


def run(db: Path, *args: str, env: dict | None = None, code: int = 0):
    result = CliRunner().invoke(cli, ["--db", str(db), "alerts", *args], env=env, catch_exceptions=False)
    assert result.exit_code == code, result.output
    assert TOKEN not in result.output and SMTP_PASSWORD not in result.output
    return result


HOOKS = """
[[destinations]]
name = "json"
type = "webhook"
url_env = "HOOK_JSON"
[[destinations]]
name = "slack"
type = "slack"
url_env = "HOOK_SLACK"
[[destinations]]
name = "teams"
type = "teams"
url_env = "HOOK_TEAMS"
"""


def hook_env(webhooks) -> dict:
    return {
        name: webhooks.url(f"/{name.lower()}/{TOKEN}") for name in ("HOOK_JSON", "HOOK_SLACK", "HOOK_TEAMS")
    }


def test_webhooks_get_each_alert_once_in_their_format(alert_db, tmp_path, webhooks):
    db = copy_db(alert_db, tmp_path)
    rules_file(tmp_path, HOOKS)
    env = hook_env(webhooks)
    result = run(db, env=env)
    assert "sent 2 alert(s) to json" in result.output
    (generic,) = webhooks.received[f"/hook_json/{TOKEN}"]
    assert [a["rule"] for a in generic["alerts"]] == ["flagged_post", "breakout_post"]
    assert generic["source"] == "finsocial" and generic["demo"] is False
    (slack,) = webhooks.received[f"/hook_slack/{TOKEN}"]
    assert slack["text"] == "finsocial: 2 alerts"
    assert slack["blocks"][1]["text"]["text"].startswith("*Our post on Bluesky drew an unusual reaction*\n")
    (teams,) = webhooks.received[f"/hook_teams/{TOKEN}"]
    card = teams["attachments"][0]
    assert card["contentType"] == "application/vnd.microsoft.card.adaptive"
    assert card["content"]["body"][3]["text"] == "South Bank's post on Bluesky took off: 50.3× its usual"
    # the next night, nothing new: nothing is sent again
    again = run(db, env=env)
    assert "none new" in again.output
    assert all(len(bodies) == 1 for bodies in webhooks.received.values())
    state = (tmp_path / STATE_FILE).read_text()
    assert TOKEN not in state and set(json.loads(state)["sent"]) == {"json", "slack", "teams"}


def test_a_failing_endpoint_gets_its_alerts_on_the_next_run(alert_db, tmp_path, webhooks):
    db = copy_db(alert_db, tmp_path)
    rules_file(tmp_path, HOOKS)
    env = hook_env(webhooks)
    webhooks.failing = {f"/hook_slack/{TOKEN}"}
    result = run(db, env=env, code=3)
    assert "error: slack: the webhook answered HTTP 500; 2 alert(s) kept for the next run" in result.output
    assert len(webhooks.received[f"/hook_json/{TOKEN}"]) == 1  # the others are not held back
    assert f"/hook_slack/{TOKEN}" not in webhooks.received
    webhooks.failing = set()
    result = run(db, env=env)
    assert result.output.strip() == "sent 2 alert(s) to slack"
    assert len(webhooks.received[f"/hook_slack/{TOKEN}"]) == 1
    assert (
        len(webhooks.received[f"/hook_json/{TOKEN}"]) == 1
        and len(webhooks.received[f"/hook_teams/{TOKEN}"]) == 1
    )


def test_an_unreachable_endpoint_or_a_missing_variable_is_named_without_the_url(alert_db, tmp_path, webhooks):
    db = copy_db(alert_db, tmp_path)
    rules_file(tmp_path, HOOKS)
    env = hook_env(webhooks)
    env["HOOK_TEAMS"] = f"http://127.0.0.1:9/{TOKEN}"  # nothing listens on the discard port
    del env["HOOK_SLACK"]
    result = run(db, env=env, code=3)
    assert "error: teams: the webhook could not be reached" in result.output
    assert "error: slack: $HOOK_SLACK is not set (the webhook URL)" in result.output


def test_dry_run_prints_and_sends_nothing(alert_db, tmp_path, webhooks):
    db = copy_db(alert_db, tmp_path)
    rules_file(tmp_path, HOOKS)
    result = run(db, "--dry-run", env=hook_env(webhooks))
    assert "== slack (slack, to $HOOK_SLACK): 2 alert(s)" in result.output
    assert "- South Bank's post on Bluesky took off: 50.3× its usual" in result.output
    assert not webhooks.received and not (tmp_path / STATE_FILE).exists()


def test_a_crash_between_sending_and_recording_repeats_once_and_says_so(alert_db, tmp_path, webhooks):
    db = copy_db(alert_db, tmp_path)
    config = load_config(rules_file(tmp_path, HOOKS.split('[[destinations]]\nname = "slack"')[0]))
    env = hook_env(webhooks)
    with queries.connect(db) as con:
        found = evaluate(con, config.rules, config.watch)

    def send_then_die(dest, alerts, demo, env):
        deliver(dest, alerts, demo, env)
        raise KeyboardInterrupt  # the process stops before the record

    today = NIGHT.date()
    with pytest.raises(KeyboardInterrupt):
        run_alerts(config, found, tmp_path / STATE_FILE, False, today, env=env, send=send_then_die)
    said = []
    outcomes = run_alerts(config, found, tmp_path / STATE_FILE, False, today, env=env, log=said.append)
    assert outcomes[0].repeat and outcomes[0].error is None
    assert said == [
        "json: the last run stopped between sending and recording; 2 alert(s) may reach it a second time"
    ]
    first, second = webhooks.received[f"/hook_json/{TOKEN}"]
    assert all(REPEAT_NOTE not in a["text"] and not a["repeat"] for a in first["alerts"])
    assert all(a["repeat"] for a in second["alerts"])
    assert run_alerts(config, found, tmp_path / STATE_FILE, False, today, env=env) == []  # no third


def test_email_over_starttls_with_a_login(alert_db, tmp_path, smtp, certificate):
    db = copy_db(alert_db, tmp_path)
    rules_file(
        tmp_path,
        f"""
[[destinations]]
name = "board"
type = "email"
host = "127.0.0.1"
port = {smtp.port}
from = "{SMTP_USER}"
to = ["strategy@bank.example", "comms@bank.example"]
username = "{SMTP_USER}"
password_env = "SMTP_PASSWORD"
ca_file = "{certificate[0]}"
""",
    )
    result = run(db, env={"SMTP_PASSWORD": SMTP_PASSWORD})
    assert result.output.strip() == "sent 2 alert(s) to board"
    ((sender, recipients, content),) = smtp.messages
    assert (sender, recipients) == (SMTP_USER, ["strategy@bank.example", "comms@bank.example"])
    message = email.message_from_bytes(content)
    assert message["Subject"] == "finsocial: 2 alerts: Our post on Bluesky drew an unusual reaction"
    body = message.get_payload(decode=True).decode()
    assert "553 interactions, 50.3× the account's usual 11 per post" in body
    assert smtp.logins == [("PLAIN", True)]
    # a wrong password: refused, kept for the next run, never printed
    again = tmp_path / "again"
    again.mkdir()
    db2 = copy_db(alert_db, again)
    shutil.copy(tmp_path / "alerts.toml", again / "alerts.toml")
    refused = run(db2, env={"SMTP_PASSWORD": "wrong-SECRET"}, code=3)
    assert "error: board: the SMTP server refused the login (code 535)" in refused.output
    assert "wrong-SECRET" not in refused.output and len(smtp.messages) == 1


def test_a_rules_file_with_a_problem_is_named(alert_db, tmp_path):
    db = copy_db(alert_db, tmp_path)
    path = rules_file(tmp_path, "", '[[rules]]\ntype = "storms"\n')
    assert "rule 1: unknown type 'storms'" in run(db, code=1).output
    path.write_text(WATCH + '[[rules]]\ntype = "top10"\nsize = "ten"\n')
    assert "rule 1 (top10): size must be int, not 'ten'" in run(db, code=1).output
    path.write_text(
        WATCH + RULES + f'[[destinations]]\ntype = "slack"\nurl = "https://hooks.example/{TOKEN}"\n'
    )
    assert "give the URL's variable as url_env, never the URL in the file" in run(db, code=1).output
    path.write_text('institution = "nobody"\n' + RULES)
    assert "institution 'nobody' is not in the registry" in run(db, code=1).output
    with pytest.raises(RulesError, match="two rules named 'flagged_post'"):
        parse_rules([{"type": "flagged_post"}, {"type": "flagged_post"}], "x.toml")
    assert not (tmp_path / STATE_FILE).exists()


def test_without_destinations_the_alerts_are_printed(alert_db, tmp_path):
    db = copy_db(alert_db, tmp_path)
    rules_file(tmp_path, "")
    result = run(db)
    assert "2 alert(s) raised" in result.output
    assert "- Our post on Bluesky drew an unusual reaction" in result.output


def test_delivery_errors_never_hold_the_url():
    from publish.alerts import Destination, send_webhook

    dest = Destination("x", "webhook", url_env="U")
    with pytest.raises(DeliveryError) as caught:
        send_webhook(dest, {}, {"U": f"http://127.0.0.1:9/{TOKEN}"})
    assert TOKEN not in str(caught.value)
