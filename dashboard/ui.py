"""What every page shares: the header, the demo banner, the empty-data explanations, labels."""

from __future__ import annotations

import datetime as dt
import numbers
import re
from collections.abc import Sequence

import duckdb
import pandas as pd
import streamlit as st

from dashboard import data, textwidth
from warehouse.domain.kinds import kind_label
from warehouse.domain.metrics import METRICS
from warehouse.read.formatting import MISSING, format_value, is_missing, thousands
from warehouse.read.queries import NoWarehouse
from warehouse.read.report import PLATFORM_NAMES

DEMO_BANNER = (
    "**Demo data.** The institutions on these pages are fictional and their numbers are generated; "
    "they are not real figures."
)
NEXT_STEPS_NO_FILE = (
    "Create one with `finsocial init`, import the institutions with "
    "`finsocial registry import registry/institutions.csv`, then run `finsocial collect`. "
    "To look around first, `finsocial demo` builds a warehouse of fictional institutions."
)
NEXT_STEPS_NO_INSTITUTIONS = (
    "The warehouse has no institutions yet. Run "
    "`finsocial registry import registry/institutions.csv`, then `finsocial collect`."
)
NEXT_STEPS_NO_COUNTS = (
    "No counts have been collected yet. Run `finsocial collect` (and `finsocial import-counts FILE` "
    "for platforms without an open API); the dashboard shows the new build without a restart."
)
PAGE_FAILED = (
    "This page could not be drawn. Reload it in a moment (a build may have been swapping the "
    "warehouse); if it fails again, the dashboard's log has the details, and `finsocial status` "
    "checks the warehouse."
)
# Older than this, the newest data is called out on every page (a real warehouse is collected nightly).
STALE_DAYS = 30
# "any" in a selectbox: Streamlit shows None as an empty choice, so the sentinel is "".
ANY = ""
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~$:])")


# Static styling only (no outside text ever goes through st.html): a tighter top margin.
PAGE_CSS = """<style>
.block-container { padding-top: 2.2rem; }
h1 { font-size: 2.2rem !important; }
</style>"""


def plain(text: object) -> str:
    """Text from outside made literal for elements that render Markdown (titles, captions)."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", str(text))


def platform_name(platform: str) -> str:
    return PLATFORM_NAMES.get(platform, platform.title())


def kind_name(kind: str) -> str:
    return kind_label(kind)


def metric_name(metric: str) -> str:
    return METRICS[metric].label


def missing_text(value: object) -> str:
    return MISSING if is_missing(value) else str(value)


def value_text(metric: str, value: object, rounded: object = False) -> str:
    return format_value(metric, value, rounded)


def value_columns(frame: pd.DataFrame, headers: dict[str, str]) -> dict[str, pd.Series]:
    """Metric columns as a table shows them, by heading: {header: frame[metric] as value_text}."""
    return {header: frame[m].map(lambda v, m=m: value_text(m, v)) for m, header in headers.items()}


def whole(values: pd.Series) -> pd.Series:
    """Raw counts as people read them in a table: 6,068; '–' where there is none."""
    return values.map(thousands)


def right_aligned(*columns: str) -> dict:
    """column_config for columns of numbers shown as text (whole()): aligned as numbers are."""
    return {c: st.column_config.TextColumn(c, alignment="right") for c in columns}


def iso(day: object) -> str:
    """A day in ISO form; '–' for none."""
    if is_missing(day):
        return MISSING
    if isinstance(day, pd.Timestamp | dt.datetime):
        return day.date().isoformat()
    return day.isoformat() if isinstance(day, dt.date) else str(day)


def page(title: str, intro: str, needs: str = "counts") -> data.Warehouse | None:
    """The page's title, the demo banner and a check of the data the page needs.

    needs: 'counts' (metrics), 'institutions', 'file' (any warehouse) or 'nothing'.
    Stops the page with an explanation and the next step when the data is not there.
    """
    st.html(PAGE_CSS)
    st.title(title)
    st.caption(intro)
    try:
        wh = data.warehouse()
    except NoWarehouse:
        if needs == "nothing":
            return None
        st.info(
            f"There is no warehouse at `{data.db_path()}` yet. {NEXT_STEPS_NO_FILE}",
            icon=":material/database:",
        )
        st.stop()
    except duckdb.Error as exc:
        if needs == "nothing":
            return None
        st.error(
            f"The warehouse at `{data.db_path()}` could not be read ({type(exc).__name__}). "
            "If a build is running, reload in a moment; otherwise run `finsocial build`.",
            icon=":material/error:",
        )
        st.stop()
    if wh.demo:
        st.warning(DEMO_BANNER, icon=":material/science:")
    if needs in ("counts", "institutions") and not wh.has_institutions:
        st.info(NEXT_STEPS_NO_INSTITUTIONS, icon=":material/account_balance:")
        st.stop()
    if needs == "counts" and not wh.has_metrics:
        no_counts_yet()
        st.stop()
    if not wh.demo and wh.last_day is not None:
        age = (dt.datetime.now(dt.UTC).date() - wh.last_day).days
        if age > STALE_DAYS:
            st.warning(
                f"The newest counts are from {iso(wh.last_day)}, {age} days ago: collection may have "
                "stopped. Data health shows the last runs; `finsocial collect` brings the counts up to date.",
                icon=":material/schedule:",
            )
    return wh


def no_counts_message() -> str:
    """Why a warehouse with institutions has no counts: nothing collected yet, or runs that failed."""
    runs = data.last_runs(1)
    if runs.empty:
        return NEXT_STEPS_NO_COUNTS
    last = runs.iloc[0]
    return (
        f"No counts yet: the last run ({last['kind']} on {iso(last['run_date'])}) ended "
        f"{last['status']}, with {int(last['errors'])} accounts failed. Data health shows why; "
        "fix the cause and run `finsocial collect` again."
    )


def no_counts_yet() -> None:
    """Why there are no counts, with the last run's errors per platform and a link to Data health."""
    failures = data.run_failures()
    causes = "; ".join(
        f"{platform_name(p)}: {thousands(n)} {k.replace('_', ' ')} ({plain(e)})"
        for p, k, n, e in zip(
            failures["platform"], failures["kind"], failures["accounts"], failures["example"], strict=True
        )
    )
    st.info(
        no_counts_message() + (f" The last run's errors: {causes}." if causes else ""),
        icon=":material/inbox:",
    )
    st.page_link(
        "views/health.py",
        label="Data health: the last runs and their errors",
        icon=":material/monitor_heart:",
    )


def footer(wh: data.Warehouse | None) -> None:
    if wh is None:
        return
    st.divider()
    span = f"data {iso(wh.info.get('data_from'))} to {iso(wh.info.get('data_to'))}"
    built = str(wh.info.get("built_at") or MISSING).replace("T", " ")
    st.caption(f"finsocial · {span} · warehouse built {built} · build {str(wh.info.get('build_id'))[:8]}")


def keep(key: str, default: object, valid=None) -> None:
    """Before a widget is drawn: hand it, through session state, the value this session last
    chose (else `default`). Streamlit forgets a widget that a run did not draw (after st.stop,
    on another page) and redraws it at its default while the page could read an older value;
    a value set here is the one the widget shows and the one the page uses."""
    valid = valid or (lambda _: True)
    value = st.session_state.get(key)
    if value is None or not valid(value):
        saved = st.session_state.get(f"{key}_saved", default)
        value = saved if saved is not None and valid(saved) else default
    st.session_state[key] = value


def kept(key: str, value: object) -> object:
    """Remember a widget's value for keep() and return it."""
    st.session_state[f"{key}_saved"] = value
    return value


def choose(label: str, options: list, key: str, default: object = None, **kwargs) -> object:
    """A selectbox whose choice survives a run that did not draw it (a page switch, a stop)."""
    keep(key, default if default in options else options[0], lambda v: v in options)
    return kept(key, st.selectbox(label, options, key=key, **kwargs))


MY_INSTITUTION = "my_institution"


def my_institution(names: dict[str, str]) -> str | None:
    """The institution this reader benchmarks, chosen once on any page: the address's
    ?institution= when it names one, else this session's choice. Written back to the address,
    so that every page's link carries it (a page switch starts with a bare address)."""
    asked = st.query_params.get("institution")
    if asked in names:
        st.session_state[MY_INSTITUTION] = asked
    mine = st.session_state.get(MY_INSTITUTION)
    if mine not in names:
        mine = None
    if mine is not None and st.query_params.get("institution") != mine:
        st.query_params["institution"] = mine
    return mine


def set_my_institution(institution_id: str | None) -> None:
    st.session_state[MY_INSTITUTION] = institution_id or None
    if institution_id:
        st.query_params["institution"] = institution_id
    elif "institution" in st.query_params:
        del st.query_params["institution"]


def _picked(key: str) -> None:
    set_my_institution(st.session_state.get(key) or None)


# for a page's own institution picker: choosing there makes it "my institution" on every page
set_my_institution_from = _picked


def institution_picker(column, names: dict[str, str], key: str, default: str | None = None) -> str:
    """A selectbox of institutions in `column` that shows and sets "my institution"."""
    start = my_institution(names) or (default if default in names else next(iter(names)))
    st.session_state[key] = start
    with column:
        chosen = st.selectbox(
            "Institution", list(names), key=key, format_func=names.get, on_change=_picked, args=(key,)
        )
    if my_institution(names) is None:
        set_my_institution(chosen)
    return chosen


def highlight_picker(column, names: dict[str, str], key: str, label: str = "Highlight") -> str | None:
    """A selectbox of "my institution" or none, for a page that marks it among others."""
    st.session_state[key] = my_institution(names) or ANY
    with column:
        chosen = st.selectbox(
            label,
            [ANY, *names],
            key=key,
            format_func=lambda v: names[v] if v else "No institution",
            on_change=_picked,
            args=(key,),
        )
    return chosen or None


def as_of_picker(column, wh: data.Warehouse, key: str) -> dt.date:
    """The day a page shows, within the warehouse's data; the latest by default."""
    return column.date_input(
        "As of",
        value=wh.last_day,
        min_value=wh.first_day,
        max_value=wh.last_day,
        key=key,
        format="YYYY-MM-DD",
    )


def population_filters(columns: list, options: dict, prefix: str) -> tuple:
    """Country, kind and peer-group selectboxes in three columns; None means all."""
    country = columns[0].selectbox(
        "Country",
        [ANY, *options["countries"]],
        key=f"{prefix}_country",
        format_func=lambda v: v or "All countries",
    )
    kind = columns[1].selectbox(
        "Kind",
        [ANY, *options["kinds"]],
        key=f"{prefix}_kind",
        format_func=lambda v: kind_name(v) if v else "All kinds",
    )
    group = columns[2].selectbox(
        "Peer group",
        [ANY, *options["groups"]],
        key=f"{prefix}_group",
        format_func=lambda v: v or "All groups",
    )
    return country or None, kind or None, group or None


def seed(key: str, value: object) -> None:
    """Set a widget's starting value once (from the URL, say) before the widget is drawn."""
    if key not in st.session_state:
        st.session_state[key] = value


def explain(message: str, icon: str = ":material/info:") -> None:
    st.info(message, icon=icon)


@st.cache_resource(max_entries=128, show_spinner=False)
def _built(_builder, name: str, args: tuple, kwargs: tuple):
    # `_builder` is not hashed, `name` stands for it; the arguments (the cached reads' frames,
    # the page's choices) are, so a new build's data or another choice builds anew
    return _builder(*args, **dict(kwargs))


def figure(builder, *args, **kwargs):
    """builder(*args, **kwargs): a chart of dashboard/charts.py, built once for the same inputs and
    shared by every session and rerun (building a figure is most of a page's own CPU: plotly
    validates each property). Never changed once built: st.plotly_chart and titled() copy it."""
    return _built(
        builder, f"{builder.__module__}.{builder.__qualname__}", args, tuple(sorted(kwargs.items()))
    )


def chart(
    figure,
    key: str,
    heading: str,
    file_name: str,
    wh: data.Warehouse | None = None,
    below: int = 56,
    **kwargs,
) -> None:
    """A plotly chart with a "Download PNG" button under it: the image carries the heading (every
    filter, the period, the minimum) and the source line, drawn by the command line's renderer
    (dashboard/export.py) only when the button is pressed. `below`: the source line's distance
    under the plot (under an x axis's labels and title; the league's bars have none)."""
    from dashboard.charts import titled
    from dashboard.export import figure_image
    from warehouse.read.report import DEMO_LINE, SOURCE_LINE

    kwargs.setdefault("width", "stretch")
    kwargs.setdefault("config", {"displayModeBar": False})
    st.plotly_chart(figure, key=key, **kwargs)
    footer_line = SOURCE_LINE + (f". {DEMO_LINE}" if wh is not None and wh.demo else "")
    st.download_button(
        "Download PNG",
        lambda: figure_image(titled(figure, heading, footer_line, below)),
        f"{file_name}.png",
        "image/png",
        key=f"{key}_png",
        icon=":material/image:",
        on_click="ignore",
    )


STATE_DOTS = {"green": "🟢", "amber": "🟡", "red": "🔴"}
# scorecard measures shown in the format of a registered metric of the same kind
_PRACTICE_FORMATS = {"answered_share": "answered_pct"}


def practice_text(measure: str, value: object, state: object) -> str:
    """A scorecard cell: the value in its metric's format, after its state's dot ('–' for none)."""
    if is_missing(value):
        return MISSING
    text = value_text(_PRACTICE_FORMATS.get(measure, measure), value)
    dot = STATE_DOTS.get(state) if isinstance(state, str) else None
    return f"{dot} {text}" if dot else text


NO_PEER_SET = ""
MY_PEER_SET = "my_peer_set"


def _peer_set_picked(key: str) -> None:
    """A picker's choice: this session's peer set on every page, and in the address."""
    name = st.session_state.get(key) or None
    st.session_state[MY_PEER_SET] = name
    if name:
        st.query_params["peers"] = name
    elif "peers" in st.query_params:
        del st.query_params["peers"]


def peer_set_picker(column, key: str, names: dict[str, str] | None = None):
    """A selectbox of the saved peer sets (`finsocial peers`, or saved on the Peer benchmark page)
    for any page: the address's ?peers= when it names one, else this session's choice, written
    back to the address so that a shared link or a reload keeps it. Under it, the set's
    institutions by name, and a warning naming any that left the registry since the set was
    saved. Returns the chosen PeerSet or None; pages pass peer_set.members to their queries."""
    sets = data.peer_sets()
    asked = st.query_params.get("peers")
    if asked in sets:
        st.session_state[MY_PEER_SET] = asked
    elif asked:  # a link to a set that is not (or no longer) saved here
        st.session_state[MY_PEER_SET] = None
        del st.query_params["peers"]
        column.warning(f"No peer set named {plain(asked)} is saved here: showing everyone.")
    if not sets:
        return None
    mine = st.session_state.get(MY_PEER_SET)
    st.session_state[key] = mine if mine in sets else NO_PEER_SET
    names = names if names is not None else data.institution_names()
    with column:
        name = st.selectbox(
            "Peer set",
            [NO_PEER_SET, *sets],
            key=key,
            format_func=lambda n: n or "Everyone",
            on_change=_peer_set_picked,
            args=(key,),
            help="An institution and its peers, saved with `finsocial peers` or on the Peer benchmark "
            "page. Rankings are ranks among the set.",
        )
    chosen = sets.get(name)
    if chosen is None:
        if "peers" in st.query_params:
            del st.query_params["peers"]
        return None
    st.query_params["peers"] = chosen.name
    present, gone = chosen.resolve(names)
    with column:
        if present:
            st.caption(
                plain(
                    f"{names.get(chosen.institution_id, chosen.institution_id)} against "
                    + (", ".join(names[i] for i in present if i != chosen.institution_id) or "no peer left")
                )
            )
        if gone:
            st.warning(plain(chosen.gone_note(gone)) + ".", icon=":material/warning:")
    # the set's own institution is "my institution" unless the reader chose another
    if my_institution(names) is None and chosen.institution_id in names:
        set_my_institution(chosen.institution_id)
    return chosen


def peer_set_part(peer_set) -> str:
    """A heading's part for a chosen set: ' · peer set NAME' (empty without one)."""
    return f" · peer set {peer_set.name}" if peer_set is not None else ""


def members(peer_set) -> tuple[str, ...] | None:
    """A chosen set's ids for the queries' `institutions` (None: everyone)."""
    return None if peer_set is None else tuple(peer_set.members)


def in_peer_set(frame: pd.DataFrame, peer_set, column: str = "institution_id") -> pd.DataFrame:
    """The rows of the set's institution and its peers (all rows without a set): for a frame of
    the set's own rows (no ranking depends on it; rankings take members() in their query)."""
    if peer_set is None:
        return frame
    return frame[frame[column].isin(peer_set.members)]


# A table as wide as the page at 1280 px has this many px for its columns (the main block's width);
# a column of free text shortened to fit (table(shorten=...)) gets what the others leave of it.
TABLE_PX = 1100
SHORTENED_MIN_PX = 160


# the text of a metric card a quarter of the page wide, at 1280 px
CARD_PX = 230


def card_text(text: str) -> tuple[str, str | None]:
    """A name for a metric card's line under its number: whole when it fits a quarter-wide card at
    1280 px, else shortened at a word with '…' and the whole for the card's help."""
    short = textwidth.shortened(text, CARD_PX)
    return short, None if short == text else text


def _column_texts(values: pd.Series, given: dict) -> list[str] | None:
    """What a column shows in its cells, to size it; None where Streamlit formats the values
    itself (floats, dates, a number format) and its own sizing stands."""
    kind = (given.get("type_config") or {}).get("type")
    if kind == "link":
        shown = given["type_config"].get("display_text")
        return [shown, MISSING] if shown and not re.search(r"[()\[\]^$*+?\\]", shown) else None
    if kind not in (None, "text"):
        return None
    if (
        pd.api.types.is_integer_dtype(values)
        or pd.api.types.is_object_dtype(values)
        or (pd.api.types.is_string_dtype(values))
    ):
        return [
            MISSING if is_missing(v) else f"{v:,}" if isinstance(v, numbers.Integral) else str(v)
            for v in values
        ]
    return None


def fitted(frame: pd.DataFrame, column_config: dict | None = None) -> dict:
    """column_config for st.dataframe that makes each column of text or whole numbers as wide as
    its widest text, header or cell, over every row (textwidth.column_px). Streamlit sizes a
    column by its first rows and leaves out a cell twice as wide as the others, and the grid cuts
    what does not fit its column. A width the caller gave stands, as does any other config (a
    link column's text, a help); a hidden column (None) stays hidden."""
    config = dict(column_config or {})
    for name in frame.columns:
        given = config.get(name, {})
        if not isinstance(given, dict) or given.get("width") is not None:
            continue
        texts = _column_texts(frame[name], given)
        if texts is not None:
            width = textwidth.column_px([given.get("label") or name, *texts])
            config[name] = {**given, "width": width} if given else st.column_config.Column(width=width)
    return config


def table(frame, shorten: str | None = None, labels: Sequence[str] = (), **kwargs):
    """st.dataframe with every column fitted to its text (fitted()), missing cells as '–'. A
    Styler (the league's highlighted row) is fitted by its data.

    shorten: a column of free text (a post's text; frame a DataFrame) that could not fit whole.
    Its cells end in '…' at the last word that fits the room the other columns leave at 1280 px
    (TABLE_PX), and under the table an expander holds every text in full, each after its row's
    label (labels)."""
    if isinstance(frame, dict):  # columns by heading (the report's tables)
        frame = pd.DataFrame(frame)
    data = frame.data if hasattr(frame, "data") and not isinstance(frame, pd.DataFrame) else frame
    if shorten not in data:  # a column dropped for having no value at all
        shorten = None
    config = fitted(data.drop(columns=[shorten]) if shorten else data, kwargs.get("column_config"))
    whole: list[str] = []
    if shorten:
        others = sum(
            c["width"]
            for n, c in config.items()
            if n in data and n != shorten and isinstance(c, dict) and isinstance(c.get("width"), int)
        )
        room = max(SHORTENED_MIN_PX, TABLE_PX - others)
        whole = [MISSING if is_missing(t) else " ".join(str(t).split()) for t in data[shorten]]
        frame = data.assign(
            **{shorten: [textwidth.shortened(t, room - 2 * textwidth.PADDING_PX) for t in whole]}
        )
        config[shorten] = {**(config.get(shorten) or {}), "width": room}
    kwargs["column_config"] = config
    kwargs.setdefault("placeholder", MISSING)
    kwargs.setdefault("hide_index", True)
    shown = st.dataframe(frame, **kwargs)
    if shorten and list(frame[shorten]) != whole:
        with st.expander(f"{shorten} in full"):
            st.markdown(
                "\n".join(
                    f"- **{plain(label)}**: {plain(text)}" for label, text in zip(labels, whole, strict=True)
                )
            )
    return shown


# Captions say what a metric means in words; its formula is on the Methodology page.
_WORDS = {
    "growth_30d_pct": "Followers gained over 30 days, as a share of the followers 30 days earlier.",
    "growth_90d_pct": "Followers gained over 90 days, as a share of the followers 90 days earlier.",
    "growth_365d_pct": "Followers gained over a year, as a share of the followers a year earlier.",
    "posts_per_week": "The institution's own posts of the last four weeks, per week.",
    "engagement_rate": "Likes, comments and shares per post, as a share of the account's followers.",
    "overperformance": "Interactions per post against what accounts of the same size typically get on "
    "the platform that day: 2.00× is twice as many.",
    "presence_index": "Engagement and growth together, each against the platform's other accounts: "
    "100 leads on both.",
    "power_score": "Points for each count the formula weighs, per platform, added up.",
    "reply_target_ratio": "The median time to a first reply against the platform's target: 1.00× is on target.",
}


def in_words(metric: str) -> str:
    """What a metric means, in words, for a caption (the Methodology page gives the formula)."""
    if metric in _WORDS:
        return _WORDS[metric] + " The Methodology page gives the formula."
    text = METRICS[metric].definition
    if "÷" not in text and "×" not in text:
        return text
    # "A ÷ B × 100" reads "A as a share of B"
    text = text.replace(" × 100", "").replace(" ÷ ", " as a share of ")
    return text + " The Methodology page gives the formula."


def inline_code(text: str) -> str:
    """Text as Markdown inline code, kept literal: fenced by more backticks than any run inside it.
    Inline code is plain monospace; a code block (st.code) loads the browser's syntax highlighter."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    return f"{fence} {text} {fence}"


def metric_card(column, label: str, value: str, delta: str | None = None, trail=(), **kwargs) -> None:
    """st.metric in a bordered box with the metric's history as a sparkline under it, drawn as an
    SVG image (charts.sparkline_svg): st.metric's own chart_data loads Vega beside plotly."""
    from dashboard.charts import sparkline_svg

    box = column.container(border=True)
    box.metric(label, value, delta, **kwargs)
    svg = sparkline_svg(list(trail))
    if svg is not None:
        box.image(svg, width="stretch")
