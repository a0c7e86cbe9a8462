"""Data health: freshness per platform, last runs and their failures, coverage, anomalies."""

import datetime as dt

import pandas as pd
import streamlit as st

from dashboard import charts, data, defaults, ui
from warehouse.domain.platforms import PLATFORM_BY_NAME
from warehouse.read.formatting import human_count

wh = ui.page(
    "Data health",
    "Can the numbers be trusted today? How fresh each platform's counts are, what the last runs "
    "did and where they failed, how many known accounts have data, and counts that jumped.",
    needs="file",
)


def short_list(names: list[str], room: int = 24) -> str:
    """Names joined while they fit a metric card's note, else the first and how many more."""
    joined = ", ".join(names)
    return joined if len(joined) <= room or len(names) < 2 else f"{names[0]} and {len(names) - 1} more"


def show_quarantine() -> None:
    """Runs moved aside from the landing zone, when there are any: their counts are left out."""
    quarantine = data.quarantined_runs()
    if quarantine.empty:
        return
    st.subheader("Runs in the quarantine")
    st.caption(
        "Runs moved aside from the landing zone: damaged ones (a file missing, cut short or "
        "unreadable) and retracted ones. Their counts are left out of every metric. "
        "`finsocial runs` lists them; `finsocial runs restore RUN_ID` brings a repaired one back."
    )
    ui.table(
        pd.DataFrame(
            {
                "Run": quarantine["run_id"],
                "State": quarantine["state"],
                "Since": quarantine["quarantined_at"].map(ui.iso),
                "Reason": quarantine["reason"],
            }
        ),
        hide_index=True,
        width="stretch",
        placeholder=ui.MISSING,
    )


fresh = data.freshness()
runs = data.last_runs(defaults.HEALTH_RUNS)
coverage = data.coverage()
if fresh.empty and runs.empty:
    ui.explain(
        ui.NEXT_STEPS_NO_INSTITUTIONS
        if not wh.has_institutions
        else "No accounts and no runs yet. Run `finsocial discover` to find the institutions' "
        "accounts, then `finsocial collect`."
    )
    show_quarantine()
    ui.footer(wh)
    st.stop()

if runs.empty:
    ui.explain(
        "No collect has run yet, so no account has counts. Run `finsocial collect` (and "
        "`finsocial import-counts FILE` for platforms without an open API)."
    )
k = st.columns(4)
if not runs.empty:
    last = runs.iloc[0]
    k[0].metric(
        "Last run",
        ui.iso(last["run_date"]),
        f"{last['status']} · {last['kind']}",
        delta_color="off",
        delta_arrow="off",
        border=True,
    )
    # accounts that failed to collect, apart from websites that discover could not read: a
    # weekly discover's 197 unreadable websites are not 197 failed accounts
    collecting = runs[runs["kind"] != "discover"]
    if not collecting.empty:
        counted = collecting.iloc[0]
        k[1].metric(
            "Accounts failed in the last collect",
            int(counted["errors"]),
            f"of {int(counted['snapshots']) + int(counted['errors'])} tried",
            delta_color="off",
            delta_arrow="off",
            border=True,
        )
    else:
        k[1].metric("Accounts failed in the last collect", "–", "no collect yet", border=True)
    discovering = runs[runs["kind"] == "discover"]
    if not discovering.empty:
        st.caption(
            f"Discovery, counted apart: the last `finsocial discover` ({ui.iso(discovering.iloc[0]['run_date'])}, "
            f"{discovering.iloc[0]['status']}) could not read {int(discovering.iloc[0]['errors'])} website(s)."
        )
else:
    k[0].metric("Last run", "none yet", border=True)
    k[1].metric("Accounts failed in the last collect", "–", border=True)
known, with_data = int(fresh["accounts_known"].sum()), int(fresh["accounts_with_data"].sum())
k[2].metric(
    "Accounts with data",
    f"{with_data} of {known}",
    f"{with_data / known:.0%} coverage" if known else None,
    delta_color="off",
    delta_arrow="off",
    border=True,
)
# state and limit_hours come from queries.freshness: the one rule `finsocial status` also uses
# an 'off' platform (switched off, or without its credential) is neither fresh nor stale
stale = fresh[~fresh["state"].isin(["fresh", "off"])]
switched = fresh[fresh["state"] == "off"]
k[3].metric(
    "Platforms not fresh",
    f"{len(stale)} of {len(fresh) - len(switched)}",
    short_list(stale["platform"].map(ui.platform_name).tolist()) or "all fresh",
    delta_color="off",
    delta_arrow="off",
    border=True,
)

st.subheader("Freshness per platform")
table = fresh.merge(coverage, on=["platform", "accounts_known"], how="left")
ui.table(
    pd.DataFrame(
        {
            "Platform": table["platform"].map(ui.platform_name),
            "Accounts": ui.whole(table["accounts_known"]),
            "With data": ui.whole(table["accounts_with_data"]),
            "Fresh (7 days)": ui.whole(table["fresh_7d"]),
            "Last count": table["last_snapshot"].map(ui.iso),
            "Age (hours)": table["age_hours"],
            "Rounded ≈": ui.whole(table["rounded"]),
            "Manual": ui.whole(table["manual"]),
            "State": table["state"],
        }
    ),
    hide_index=True,
    width="stretch",
    placeholder=ui.MISSING,
    column_config={
        "Age (hours)": st.column_config.NumberColumn(format="%.1f"),
        **ui.right_aligned("Accounts", "With data", "Fresh (7 days)", "Rounded ≈", "Manual"),
    },
)
if not switched.empty:
    st.caption(
        "Off (not collected, never stale): "
        + "; ".join(
            f"{ui.platform_name(p)} ({why})"
            for p, why in zip(switched["platform"], switched["off_reason"], strict=True)
        )
        + "."
    )
rounded = table[table["rounded"] > 0]
if not rounded.empty:
    st.caption(
        "≈ Rounded: "
        + "; ".join(
            f"{ui.platform_name(p)} rounds {int(n)} account(s)' counts ({ui.platform_name(p)} gives "
            f"{PLATFORM_BY_NAME[p].rounding})"
            if p in PLATFORM_BY_NAME and PLATFORM_BY_NAME[p].rounds
            else f"{ui.platform_name(p)}: {int(n)}"
            for p, n in zip(rounded["platform"], rounded["rounded"], strict=True)
        )
        + "."
    )
left, right = st.columns([1, 1.6])
with left:
    st.subheader("Coverage")
    ui.chart(
        ui.figure(charts.coverage_bars, coverage),
        "dh_coverage",
        f"Coverage: accounts known and with data, per platform · data to {ui.iso(wh.last_day)}",
        "finsocial-coverage",
        wh,
    )
with right:
    st.subheader("Failures per day")
    ui.keep("dh_days", defaults.HEALTH_FAILURE_DAYS, lambda d: d in (30, 90, 365))
    days = ui.kept(
        "dh_days",
        st.segmented_control("Period", [30, 90, 365], key="dh_days", format_func=lambda d: f"{d} days"),
    )
    ui.chart(
        ui.figure(charts.failures_bars, data.failures_by_day(days)),
        "dh_failures",
        f"Accounts failed per day, per platform · the last {days} days",
        f"finsocial-failures-{days}d",
        wh,
    )

failures = data.run_failures()
st.subheader("Failures of the latest run")
if failures.empty:
    st.caption("The latest run had no failures.")
else:
    st.caption(f"Run {failures['run_id'].iloc[0]}")
    ui.table(
        pd.DataFrame(
            {
                "Platform": failures["platform"].map(ui.platform_name),
                "Kind": failures["kind"].str.replace("_", " "),
                "Accounts": ui.whole(failures["accounts"]),
                "Example": failures["example"],
            }
        ),
        hide_index=True,
        width="stretch",
        placeholder=ui.MISSING,
        column_config=ui.right_aligned("Accounts"),
    )
st.subheader("Last runs")
ui.table(
    pd.DataFrame(
        {
            "Run": runs["run_id"],
            "Kind": runs["kind"],
            "Day": runs["run_date"].map(ui.iso),
            "Status": runs["status"],
            "Counts": ui.whole(runs["snapshots"]),
            "Posts": ui.whole(runs["posts"]),
            "Failed": ui.whole(runs["errors"]),
        }
    ),
    hide_index=True,
    width="stretch",
    placeholder=ui.MISSING,
    column_config=ui.right_aligned("Counts", "Posts", "Failed"),
    height=300,
)

show_quarantine()

st.subheader("Anomalies")
st.caption(
    "Overnight jumps and drops beyond the plausible bound for the platform. A flagged count "
    "stays out of growth until the next count confirms it; a confirmed one is the account's "
    "new level (a platform removing fake followers, say)."
)
since_days = (
    st.segmented_control(
        "Since",
        [30, 90, 365],
        default=defaults.HEALTH_ANOMALY_DAYS,
        key="dh_since",
        format_func=lambda d: f"{d} days",
    )
    or defaults.HEALTH_ANOMALY_DAYS
)
since = wh.last_day - dt.timedelta(days=since_days) if wh.last_day else None
anomalies = data.snapshot_anomalies(since, 50)
if anomalies.empty:
    st.caption("No follower count moved beyond the bound in this period.")
else:
    ui.table(
        pd.DataFrame(
            {
                "Day": anomalies["snapshot_date"].map(ui.iso),
                "Institution": anomalies["name"],
                "Platform": anomalies["platform"].map(ui.platform_name),
                "Before": anomalies["previous_followers"].map(human_count),
                "After": anomalies["followers"].map(human_count),
                "Change": anomalies["change_pct"].map(lambda v: "–" if pd.isna(v) else f"{v:+.1f}%"),
                "Status": anomalies["status"],
                "Compared with": anomalies["previous_date"].map(ui.iso),
            }
        ),
        hide_index=True,
        width="stretch",
        placeholder=ui.MISSING,
    )
ui.footer(wh)
