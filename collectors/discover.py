"""`finsocial discover`: official accounts from each institution's own website."""

from __future__ import annotations

import datetime as dt
import json
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from bs4 import BeautifulSoup
from protego import Protego

from collectors.base import EXIT_CODES
from collectors.http import CollectError, Fetched, HostLimit, HttpClient, is_public_address
from warehouse.domain.handles import parse_profile_url, profile_url
from warehouse.infra.paths import DataPaths
from warehouse.inputs.registry import Institution, load_registry
from warehouse.landing.records import Account, RunError
from warehouse.landing.runs import LandingRun
from warehouse.landing.store import landing_store

MAX_REDIRECTS = 5
MAX_PAGE_BYTES = 2_000_000
MAX_ROBOTS_BYTES = 500_000
MAX_JSON_LD_DEPTH = 64
# An official presence is a handful of accounts per platform; a page listing thousands of
# "sameAs" links is a directory or an attack, and each account would cost requests every night.
MAX_ACCOUNTS_PER_PLATFORM = 5
ROBOTS_AGENT = "finsocial"
SITE_LIMIT = HostLimit(per_second=1, burst=3, concurrency=1)
# Links to these pages often list the social accounts the home page leaves out.
ABOUT_WORDS = re.compile(
    r"contact|about|over-ons|overons|kontakt|impressum|a-propos|qui-sommes|chi-siamo|sobre|om-oss|about-us",
    re.IGNORECASE,
)
# Where a link sits says whose account it is: site chrome links the institution's own accounts,
# body text may link anyone's.
CHROME_TAGS = ("header", "footer", "nav")
SCORE_JSONLD, SCORE_CHROME, SCORE_BODY = 3, 2, 1


@dataclass
class DiscoverResult:
    """What a discover run found: its id, stats and the accounts."""

    run_id: str | None
    stats: dict = field(default_factory=dict)
    found: list[Account] = field(default_factory=list)
    status: str = "nothing"  # complete, partial (some websites failed), failed, nothing

    @property
    def exit_code(self) -> int:
        return EXIT_CODES[self.status]


@dataclass(frozen=True)
class Candidate:
    platform: str
    handle: str
    found_on: str
    score: int


class PageFetcher:
    """Fetches website pages politely: robots.txt, redirect and size limits, public hosts only."""

    def __init__(self, client: HttpClient, allow_loopback: bool = False):
        self.client = client
        self.allow_loopback = allow_loopback
        # per origin: the rules, None for none, or why robots.txt could not be read
        self._robots: dict[str, Protego | None | CollectError] = {}

    def check_url(self, url: str) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise CollectError("http_error", f"{url}: not an http(s) URL")
        ok, why = is_public_address(parts.hostname, self.allow_loopback)
        if not ok:
            # a name DNS does not know is not a refusal: say so ("cannot resolve host")
            raise CollectError(
                "http_error",
                f"{url}: {why}" if why.startswith("cannot resolve") else f"{url}: refused, {why}",
            )

    def fetch(
        self, url: str, max_bytes: int, before_hop: Callable[[str], None] | None = None
    ) -> tuple[str, Fetched]:
        """(final URL, answer), following at most MAX_REDIRECTS redirects, each hop checked for a
        public address (and by `before_hop`) before any connection to it."""
        for _ in range(MAX_REDIRECTS + 1):
            self.check_url(url)
            if before_hop is not None:
                before_hop(url)
            fetched = self.client.get(
                url,
                limit=SITE_LIMIT,
                platform="website",
                allow_redirects=False,
                max_bytes=min(max_bytes, self.client.max_bytes),
            )
            if fetched.status not in (301, 302, 303, 307, 308):
                return url, fetched
            location = fetched.headers.get("Location")
            if not location:
                raise CollectError("http_error", f"{url}: redirect without a Location", fetched.status)
            url = urljoin(url, location)
        raise CollectError("http_error", f"{url}: more than {MAX_REDIRECTS} redirects")

    def check_robots(self, url: str) -> None:
        """Raise unless the site's robots.txt lets finsocial fetch `url` (none allows all).

        robots.txt comes through the same checked redirects as every page. One that cannot be
        fetched (RFC 9309: unreachable, or a 5xx) disallows the site, and the error says why.
        """
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        if origin not in self._robots:
            try:
                _, fetched = self.fetch(origin + "/robots.txt", MAX_ROBOTS_BYTES)
                if fetched.status >= 500:
                    raise CollectError("http_error", f"HTTP {fetched.status}", fetched.status)
                # a 4xx means there are no rules
                self._robots[origin] = Protego.parse(fetched.text) if fetched.status == 200 else None
            except CollectError as exc:
                self._robots[origin] = CollectError(
                    exc.kind,
                    f"{url}: not fetched, as {origin}/robots.txt could not be read "
                    f"({exc.message}); RFC 9309 then disallows the whole site",
                    exc.http_status,
                )
        rules = self._robots[origin]
        if isinstance(rules, CollectError):
            raise rules
        if rules is not None and not rules.can_fetch(url, ROBOTS_AGENT):
            raise CollectError("http_error", f"{url}: robots.txt disallows finsocial")

    def get(self, url: str) -> tuple[str, str]:
        """(final URL, HTML) of a page, robots.txt obeyed and every redirect checked."""
        url, fetched = self.fetch(url, MAX_PAGE_BYTES, self.check_robots)
        if fetched.status == 404:
            raise CollectError("not_found", f"{url}: HTTP 404", 404)
        if fetched.status >= 400:
            raise CollectError("http_error", f"{url}: HTTP {fetched.status}", fetched.status)
        kind = fetched.headers.get("Content-Type", "text/html")
        if "html" not in kind and "xml" not in kind:
            raise CollectError("parse_error", f"{url}: not an HTML page ({kind})")
        return url, fetched.text


def json_depth(text: str, limit: int) -> int:
    """How deep a JSON text nests its arrays and objects, counting no further than `limit + 1`.

    json.loads recurses once per level and raises RecursionError near 1,000 levels, which is no
    ValueError: a page's JSON-LD block is measured first, without recursion, and a block deeper
    than any real one is skipped as that page's problem.
    """
    depth = deepest = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > limit:
                    break
        elif char in "]}":
            depth -= 1
    return deepest


def _json_ld_same_as(data: object) -> Iterator[str]:
    """Every sameAs URL in a JSON-LD document, through @graph and nested objects."""
    if isinstance(data, list):
        for item in data:
            yield from _json_ld_same_as(item)
    elif isinstance(data, dict):
        same = data.get("sameAs")
        if isinstance(same, str):
            yield same
        elif isinstance(same, list):
            yield from (s for s in same if isinstance(s, str))
        for key, value in data.items():
            if key != "sameAs" and isinstance(value, (dict, list)):
                yield from _json_ld_same_as(value)


def parse_page(html: str, page_url: str) -> tuple[list[Candidate], list[str]]:
    """Account candidates on a page (pure) and the links that look like about/contact pages."""
    soup = BeautifulSoup(html, "html.parser")
    candidates: list[Candidate] = []
    for script in soup.find_all("script", type=re.compile(r"application/ld\+json", re.I)):
        text = script.string or ""
        if json_depth(text, MAX_JSON_LD_DEPTH) > MAX_JSON_LD_DEPTH:
            continue  # no schema.org document nests this deep; only a hostile or broken one does
        try:
            data = json.loads(text)
        except ValueError:
            continue
        for url in _json_ld_same_as(data):
            found = parse_profile_url(url)
            if found:
                candidates.append(Candidate(*found, page_url, SCORE_JSONLD))
    about: list[str] = []
    site = urlsplit(page_url).netloc.lower()
    for link in soup.find_all("a", href=True):
        href = urljoin(page_url, link["href"].strip())
        if link.find_parent("blockquote") is not None:
            continue  # an embedded post: the link is to its author, not to the institution
        found = parse_profile_url(href)
        if found:
            rel = {r.lower() for r in link.get("rel") or []}
            chrome = "me" in rel or any(link.find_parent(t) is not None for t in CHROME_TAGS)
            candidates.append(Candidate(*found, page_url, SCORE_CHROME if chrome else SCORE_BODY))
        elif urlsplit(href).netloc.lower() == site and ABOUT_WORDS.search(urlsplit(href).path):
            about.append(href.split("#")[0])
    return candidates, about


def _resembles(handle: str, inst: Institution) -> bool:
    words = {w for w in re.split(r"[^a-z0-9]+", inst.name.lower()) if len(w) >= 4}
    domain = (urlsplit(inst.website).hostname or "").removeprefix("www.").split(".")[0]
    squashed = re.sub(r"[^a-z0-9]", "", handle.lower())
    return any(w in squashed for w in words) or (len(domain) >= 3 and domain in squashed)


def choose_accounts(candidates: list[Candidate], inst: Institution) -> list[Candidate]:
    """The institution's own accounts among the candidates (pure).

    Per platform, the best-placed candidates win (JSON-LD over site chrome over body text);
    a body-text link counts only if it looks like the institution, since pages also link
    partners', journalists' and regulators' accounts.
    """
    chosen: list[Candidate] = []
    for platform in dict.fromkeys(c.platform for c in candidates):
        mine = [c for c in candidates if c.platform == platform]
        best = max(c.score for c in mine)
        keep = [c for c in mine if c.score == best]
        if best == SCORE_BODY:
            keep = [c for c in keep if _resembles(c.handle, inst)]
        seen: set[str] = set()
        for c in keep:
            if c.handle not in seen:
                seen.add(c.handle)
                chosen.append(c)
    return chosen


def cap_accounts(chosen: list[Candidate]) -> tuple[list[Candidate], dict[str, int]]:
    """At most MAX_ACCOUNTS_PER_PLATFORM per platform, the best placed first; and how many were
    left out per platform."""
    kept: list[Candidate] = []
    excess: dict[str, int] = {}
    for platform in dict.fromkeys(c.platform for c in chosen):
        mine = sorted((c for c in chosen if c.platform == platform), key=lambda c: -c.score)
        kept += mine[:MAX_ACCOUNTS_PER_PLATFORM]
        if len(mine) > MAX_ACCOUNTS_PER_PLATFORM:
            excess[platform] = len(mine) - MAX_ACCOUNTS_PER_PLATFORM
    return kept, excess


def discover_institution(
    fetcher: PageFetcher, inst: Institution
) -> tuple[list[Candidate], list[tuple[str, str]]]:
    """(chosen candidates, [(page URL, html)]) for one institution; raises for the home page."""
    home_url, html = fetcher.get(inst.website)
    pages = [(home_url, html)]
    candidates, about = parse_page(html, home_url)
    for url in dict.fromkeys(about):
        if url.rstrip("/") == home_url.rstrip("/"):
            continue
        try:
            about_url, about_html = fetcher.get(url)
        except CollectError:
            break  # the about page is a bonus: its failure is not the institution's
        pages.append((about_url, about_html))
        candidates += parse_page(about_html, about_url)[0]
        break  # one about or contact page is enough
    return choose_accounts(candidates, inst), pages


def discover(
    paths: DataPaths,
    institution_ids: list[str] | None = None,
    allow_loopback: bool = False,
    log: Callable[[str], None] = print,
    *,
    client: HttpClient | None = None,
) -> DiscoverResult:
    """Find each institution's official accounts on its website and land them as a discover run."""
    started = time.monotonic()
    institutions = [
        i for i in load_registry(paths.registry) if not institution_ids or i.institution_id in institution_ids
    ]
    if not institutions:
        log("nothing to discover: no institutions in the registry match")
        return DiscoverResult(None, {"institutions": []})
    paths.ensure()
    run = LandingRun(landing_store(paths), "discover", dt.datetime.now(dt.UTC).date())
    client = client or HttpClient(timeout=(10.0, 20.0), max_retries=2)
    client.on_request = run.count_request
    fetcher = PageFetcher(client, allow_loopback)
    covered: list[str] = []
    found: list[Account] = []
    over_cap: dict[str, dict[str, int]] = {}
    errors = 0
    for inst in institutions:
        try:
            try:
                chosen, pages = discover_institution(fetcher, inst)
            except (RecursionError, MemoryError, ValueError, TypeError, AttributeError, KeyError) as exc:
                # a page that breaks the parser is that institution's error, never the run's
                raise CollectError(
                    "parse_error", f"{inst.website}: the page could not be read ({type(exc).__name__})"
                ) from None
        except CollectError as exc:
            errors += 1
            run.add(
                RunError(
                    inst.institution_id,
                    "website",
                    None,
                    exc.kind,
                    exc.message,
                    dt.datetime.now(dt.UTC),
                    exc.http_status,
                )
            )
            log(f"{inst.institution_id}: {exc.message}")
            continue
        covered.append(inst.institution_id)
        chosen, excess = cap_accounts(chosen)
        if excess:
            over_cap[inst.institution_id] = excess
            left = ", ".join(f"{n} {p}" for p, n in excess.items())
            log(
                f"{inst.institution_id}: more accounts than an official presence has; kept "
                f"{MAX_ACCOUNTS_PER_PLATFORM} per platform, left out {left}"
            )
        for page_url, html in pages:
            run.add_raw("website", f"{inst.institution_id}-{urlsplit(page_url).path or 'home'}", html)
        now = dt.datetime.now(dt.UTC)
        for c in chosen:
            account = Account(
                institution_id=inst.institution_id,
                platform=c.platform,
                handle=c.handle,
                observed_at=now,
                url=profile_url(c.platform, c.handle),
                found_via="discovered",
                found_on=c.found_on,
            )
            run.add(account)
            found.append(account)
        log(f"{inst.institution_id}: {len(chosen)} account{'s' if len(chosen) != 1 else ''} found")
    stats = {
        "institutions": covered,
        "institutions_tried": len(institutions),
        "accounts_found": len(found),
        "accounts_over_cap": over_cap,
        "errors": errors,
        "requests": dict(run.requests),
        "duration_s": round(time.monotonic() - started, 3),
    }
    status = "complete" if not errors else ("partial" if covered else "failed")
    run.commit(status, stats)
    return DiscoverResult(run.run_id, stats, found, status)
