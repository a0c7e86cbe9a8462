"""Alerts delivered once: the rules file, webhooks (JSON, Slack, Teams) and e-mail, and the state that remembers what was sent."""

from __future__ import annotations

import datetime as dt
import json
import os
import smtplib
import ssl
import tomllib
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from warehouse.infra.files import write_atomic
from warehouse.read.alerts import Alert, Rule, RulesError, Watch, parse_rules

STATE_FILE = "alerts-state.json"  # beside the warehouse: builds replace the warehouse file, not this
RULES_FILE = "alerts.toml"
WEBHOOK_TYPES = ("webhook", "slack", "teams")
KEEP_SENT_DAYS = 400  # a key older than this is forgotten (a rule's keys carry their day)
REPEAT_NOTE = "(Possibly a repeat: the last run stopped between sending this and recording it as sent.)"


@dataclass(frozen=True)
class Destination:
    name: str
    type: str  # webhook | slack | teams | email
    url_env: str | None = None  # webhooks: the variable holding the URL (it carries a token)
    host: str | None = None
    port: int = 587
    sender: str | None = None
    to: tuple[str, ...] = ()
    username: str | None = None
    password_env: str | None = None
    starttls: bool = True
    ca_file: str | None = None  # a CA bundle to trust (a self-hosted relay's own certificate)
    timeout: float = 20.0


@dataclass(frozen=True)
class Config:
    watch: Watch
    rules: list[Rule]
    destinations: list[Destination]
    source: Path


def _text(where: str, entry: dict, key: str, required: bool = False) -> str | None:
    value = entry.get(key)
    if value is None:
        if required:
            raise RulesError(f"{where}: {key} is required")
        return None
    if not isinstance(value, str) or not value.strip():
        raise RulesError(f"{where}: {key} must be text")
    return value


def _destination(n: int, entry: dict, source: str) -> Destination:
    where = f"{source}: destination {n}"
    kind = _text(where, entry, "type", True)
    name = _text(where, entry, "name") or f"{kind}-{n}"
    where = f"{source}: destination {n} ({name})"
    if kind in WEBHOOK_TYPES:
        if "url" in entry:
            raise RulesError(f"{where}: give the URL's variable as url_env, never the URL in the file")
        known = {"type", "name", "url_env", "timeout"}
        unknown = set(entry) - known
        if unknown:
            raise RulesError(
                f"{where}: unknown key {sorted(unknown)[0]!r}; a {kind} takes {', '.join(sorted(known))}"
            )
        return Destination(
            name, kind, url_env=_text(where, entry, "url_env", True), timeout=float(entry.get("timeout", 20))
        )
    if kind == "email":
        if "password" in entry:
            raise RulesError(
                f"{where}: give the password's variable as password_env, never the password in the file"
            )
        known = {
            "type",
            "name",
            "host",
            "port",
            "from",
            "to",
            "username",
            "password_env",
            "starttls",
            "ca_file",
            "timeout",
        }
        unknown = set(entry) - known
        if unknown:
            raise RulesError(
                f"{where}: unknown key {sorted(unknown)[0]!r}; email takes {', '.join(sorted(known))}"
            )
        to = entry.get("to")
        to = [to] if isinstance(to, str) else to
        if not to or not all(isinstance(t, str) and "@" in t for t in to):
            raise RulesError(f"{where}: to must be an address or a list of addresses")
        port = entry.get("port", 587)
        if not isinstance(port, int) or not 0 < port < 65536:
            raise RulesError(f"{where}: port must be a number from 1 to 65535")
        return Destination(
            name,
            "email",
            host=_text(where, entry, "host", True),
            port=port,
            sender=_text(where, entry, "from", True),
            to=tuple(to),
            username=_text(where, entry, "username"),
            password_env=_text(where, entry, "password_env"),
            starttls=bool(entry.get("starttls", True)),
            ca_file=_text(where, entry, "ca_file"),
            timeout=float(entry.get("timeout", 20)),
        )
    raise RulesError(f"{where}: unknown type {kind!r}; one of {', '.join((*WEBHOOK_TYPES, 'email'))}")


def load_config(path: Path) -> Config:
    """The rules file: whose news to watch, the rules, where to send. RulesError naming file and field."""
    if not path.exists():
        raise RulesError(
            f"no rules file at {path}: write one (README, 'finsocial alerts') or pass --rules FILE"
        )
    try:
        data = tomllib.loads(path.read_text("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise RulesError(f"{path}: not TOML: {exc}") from exc
    known = {"institution", "peers", "country", "kind", "group", "rules", "destinations"}
    unknown = set(data) - known
    if unknown:
        raise RulesError(f"{path}: unknown key {sorted(unknown)[0]!r}; known: {', '.join(sorted(known))}")
    peers = data.get("peers", [])
    if not isinstance(peers, list) or not all(isinstance(p, str) for p in peers):
        raise RulesError(f"{path}: peers must be a list of institution ids")
    where = str(path)
    watch = Watch(
        institution=_text(where, data, "institution"),
        peers=tuple(peers),
        country=(_text(where, data, "country") or "").upper() or None,
        kind=_text(where, data, "kind"),
        group=_text(where, data, "group"),
    )
    rules = parse_rules(data.get("rules", []), where)
    if not rules:
        raise RulesError(f"{path}: no [[rules]]; nothing to watch for")
    destinations = [_destination(n, d, where) for n, d in enumerate(data.get("destinations", []), start=1)]
    names = [d.name for d in destinations]
    if len(set(names)) != len(names):
        raise RulesError(f"{path}: two destinations with one name; name each")
    return Config(watch, rules, destinations, path)


# ---- bodies ---------------------------------------------------------------------------------------


def _heading(alerts: list[dict], demo: bool) -> str:
    return f"finsocial: {len(alerts)} alert{'s' if len(alerts) != 1 else ''}" + (
        " (demo data)" if demo else ""
    )


def _lines(alert: dict) -> str:
    return alert["text"] + (f" {REPEAT_NOTE}" if alert.get("repeat") else "")


def webhook_body(kind: str, alerts: list[dict], demo: bool) -> dict[str, Any]:
    """The JSON a webhook receives: finsocial's own (webhook), Slack's blocks, or a Teams message card."""
    heading = _heading(alerts, demo)
    if kind == "slack":  # an incoming webhook: `text` is the notification, blocks the message
        blocks: list[dict] = [{"type": "header", "text": {"type": "plain_text", "text": heading}}]
        for a in alerts:
            blocks.append(
                {"type": "section", "text": {"type": "mrkdwn", "text": f"*{a['title']}*\n{_lines(a)}"}}
            )
        return {"text": heading, "blocks": blocks}
    if kind == "teams":  # a Workflows or connector webhook: an Adaptive Card in a message
        body: list[dict] = [{"type": "TextBlock", "size": "Large", "weight": "Bolder", "text": heading}]
        for a in alerts:
            body.append({"type": "TextBlock", "weight": "Bolder", "wrap": True, "text": a["title"]})
            body.append({"type": "TextBlock", "wrap": True, "text": _lines(a)})
        card = {"type": "AdaptiveCard", "version": "1.4", "body": body}
        return {
            "type": "message",
            "attachments": [{"contentType": "application/vnd.microsoft.card.adaptive", "content": card}],
        }
    return {"source": "finsocial", "demo": demo, "alerts": alerts}


def email_message(dest: Destination, alerts: list[dict], demo: bool) -> EmailMessage:
    message = EmailMessage()
    message["Subject"] = _heading(alerts, demo) + ": " + alerts[0]["title"]
    message["From"] = dest.sender
    message["To"] = ", ".join(dest.to)
    parts = []
    for a in alerts:
        parts += [a["title"], _lines(a), ""]
    if demo:
        parts.append("Demo data: fictional institutions with generated numbers.")
    message.set_content("\n".join(parts).rstrip() + "\n")
    return message


# ---- delivery -------------------------------------------------------------------------------------


class DeliveryError(Exception):
    """A destination did not take the message; the message never holds the URL or a password."""


def _secret(name: str | None, dest: Destination, what: str, env: dict[str, str]) -> str:
    value = env.get(name or "")
    if not value:
        raise DeliveryError(f"{dest.name}: ${name} is not set (the {what})")
    return value


def send_webhook(dest: Destination, body: dict, env: dict[str, str]) -> None:
    url = _secret(dest.url_env, dest, "webhook URL", env)
    if not url.startswith(("https://", "http://")):
        raise DeliveryError(f"{dest.name}: ${dest.url_env} is not an http(s) URL")
    request = urllib.request.Request(
        url,
        data=json.dumps(body, ensure_ascii=False).encode("utf-8"),
        headers={"Content-Type": "application/json", "User-Agent": "finsocial-alerts"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=dest.timeout) as response:  # noqa: S310 (http(s) only)
            response.read()
    except urllib.error.HTTPError as exc:
        raise DeliveryError(f"{dest.name}: the webhook answered HTTP {exc.code}") from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise DeliveryError(
            f"{dest.name}: the webhook could not be reached ({type(reason).__name__})"
        ) from None


def send_email(dest: Destination, message: EmailMessage, env: dict[str, str]) -> None:
    password = _secret(dest.password_env, dest, "SMTP password", env) if dest.password_env else None
    context = ssl.create_default_context(cafile=dest.ca_file)
    try:
        with smtplib.SMTP(dest.host, dest.port, timeout=dest.timeout) as smtp:
            smtp.ehlo()
            if dest.starttls:
                smtp.starttls(context=context)
                smtp.ehlo()
            if dest.username and password:
                # one mechanism, not login()'s round of every one: a server may hang up after a refusal
                offered = smtp.esmtp_features.get("auth", "").upper().split()
                mechanism = "PLAIN" if "PLAIN" in offered or not offered else "LOGIN"
                smtp.user, smtp.password = dest.username, password
                smtp.auth(mechanism, getattr(smtp, f"auth_{mechanism.lower()}"))
            smtp.send_message(message)
    except smtplib.SMTPAuthenticationError as exc:
        raise DeliveryError(
            f"{dest.name}: the SMTP server refused the login (code {exc.smtp_code})"
        ) from None
    except smtplib.SMTPException as exc:
        code = getattr(exc, "smtp_code", None)
        raise DeliveryError(
            f"{dest.name}: SMTP failed ({type(exc).__name__}{f', code {code}' if code else ''})"
        ) from None
    except (OSError, ssl.SSLError) as exc:
        raise DeliveryError(
            f"{dest.name}: cannot reach {dest.host}:{dest.port} ({type(exc).__name__})"
        ) from None


def deliver(dest: Destination, alerts: list[dict], demo: bool, env: dict[str, str]) -> None:
    if dest.type == "email":
        send_email(dest, email_message(dest, alerts, demo), env)
    else:
        send_webhook(dest, webhook_body(dest.type, alerts, demo), env)


# ---- the state ------------------------------------------------------------------------------------


@dataclass
class State:
    """Per destination: the keys sent (and the day), the alerts waiting (a failed delivery), and the
    keys being sent when the last run stopped."""

    path: Path
    sent: dict[str, dict[str, str]] = field(default_factory=dict)
    pending: dict[str, list[dict]] = field(default_factory=dict)
    sending: dict[str, list[str]] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path) -> State:
        if not path.exists():
            return cls(path)
        try:
            data = json.loads(path.read_text("utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise RulesError(
                f"{path}: the alerts' state is damaged ({exc}); move it aside to start again"
            ) from exc
        return cls(path, data.get("sent", {}), data.get("pending", {}), data.get("sending", {}))

    def save(self) -> None:
        data = {"version": 1, "sent": self.sent, "pending": self.pending, "sending": self.sending}
        write_atomic(
            self.path, json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True).encode("utf-8")
        )

    def forget_old(self, today: dt.date) -> None:
        limit = (today - dt.timedelta(days=KEEP_SENT_DAYS)).isoformat()
        for dest, keys in self.sent.items():
            self.sent[dest] = {k: d for k, d in keys.items() if d >= limit}


@dataclass
class Outcome:
    destination: str
    alerts: list[dict]
    error: str | None = None
    repeat: bool = False  # some of these may have been sent before (a run stopped mid-way)


def run_alerts(
    config: Config,
    alerts: list[Alert],
    state_path: Path,
    demo: bool,
    today: dt.date,
    dry_run: bool = False,
    env: dict[str, str] | None = None,
    send: Callable[[Destination, list[dict], bool, dict[str, str]], None] = deliver,
    log: Callable[[str], None] = lambda _: None,
) -> list[Outcome]:
    """Send each destination the alerts it has not had (and those a failed delivery left waiting),
    recording each delivery as it succeeds; with dry_run, send and record nothing."""
    env = dict(os.environ) if env is None else env
    state = State.load(state_path)
    outcomes = []
    for dest in config.destinations:
        sent = state.sent.setdefault(dest.name, {})
        waiting = {a["key"]: a for a in state.pending.get(dest.name, [])}
        for alert in alerts:
            if alert.key not in sent and alert.key not in waiting:
                waiting[alert.key] = alert.as_dict()
        queue = list(waiting.values())
        if not queue:
            continue
        interrupted = set(state.sending.get(dest.name, []))
        for a in queue:
            a["repeat"] = a["key"] in interrupted
        outcome = Outcome(dest.name, queue, repeat=bool(interrupted & set(waiting)))
        outcomes.append(outcome)
        if dry_run:
            continue
        if outcome.repeat:
            log(
                f"{dest.name}: the last run stopped between sending and recording; "
                f"{len(interrupted & set(waiting))} alert(s) may reach it a second time"
            )
        # recorded before sending: a crash before the record below sends these once more, no more
        state.pending[dest.name] = queue
        state.sending[dest.name] = [a["key"] for a in queue]
        state.save()
        try:
            send(dest, queue, demo, env)
        except DeliveryError as exc:
            outcome.error = str(exc)
            state.sending.pop(dest.name, None)  # not sent: no repeat to announce
        else:
            for a in queue:
                sent[a["key"]] = today.isoformat()
            state.pending.pop(dest.name, None)
            state.sending.pop(dest.name, None)
        state.save()
    if not dry_run:
        state.forget_old(today)
        state.save()
    return outcomes


def dry_run_text(config: Config, outcomes: list[Outcome], demo: bool) -> str:
    """What would be sent, destination by destination (no URL, no password)."""
    if not outcomes:
        return "nothing to send: every alert was sent before, or no rule fired"
    out = []
    for outcome in outcomes:
        dest = next(d for d in config.destinations if d.name == outcome.destination)
        target = ", ".join(dest.to) if dest.type == "email" else f"${dest.url_env}"
        out.append(f"== {dest.name} ({dest.type}, to {target}): {len(outcome.alerts)} alert(s)")
        for a in outcome.alerts:
            out.append(f"- {a['title']}\n  {_lines(a)}")
    return "\n".join(out)
