"""Demo practices: fictional institutions deleting comments, closing posts, baiting, a negative storm."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa

from synth.draw import ExtraRecords, ints, timestamps
from warehouse.domain.platforms import PLATFORM_TABLE
from warehouse.landing.records import conform

if TYPE_CHECKING:
    from synth.world import World

# the platforms whose API says whether a post's replies are closed (their rows in the platform table)
SAYS_CLOSED = tuple(p.name for p in PLATFORM_TABLE if p.says_closed)
ACCOUNTS = 6  # accounts (of different institutions) with practice posts
POSTS = 8  # practice posts per account, over the last 60 days
RUN_SECONDS = 2 * 3600 + 15 * 60  # the night's run at 02:15 UTC
BAIT = "Demo post from a fictional institution: tell us below, tag a friend!"
PLAIN = "Demo post from a fictional institution."
CAMPAIGN = "Demo campaign post from a fictional institution."
TONES = np.array(["negative", "neutral", "positive"])


def practice_posts(world: World, rng: np.random.Generator) -> list[ExtraRecords]:
    """Per chosen account, POSTS posts whose threads are read on two nights: a few of its readers'
    comments gone from the second read at the accounts that delete; some posts closed to
    replies and some bait at the accounts that do so; comments with a tone and the institution's
    replies, some of them empty. One campaign post draws a storm of negative comments."""
    start = world.n_days - 58
    if start < 2:
        return []  # a world too short for two months of practice posts
    says = np.isin(np.array(world.platforms), SAYS_CLOSED)[world.acc_plat]
    # accounts that posted before: the practice posts come after their first post
    first_post = np.full(len(world.acc_plat), world.n_days)
    np.minimum.at(first_post, world.post_acc, world.post_day)
    recent = world.alive[:, start] & world.api & says & (first_post < start)
    candidates = np.flatnonzero(recent)
    if not len(candidates):
        return []
    # one account per institution, the largest first, then a random pick of them
    by_inst: dict[int, int] = {}
    for acc in candidates[np.argsort(-world.followers[candidates, -1])]:
        by_inst.setdefault(int(world.acc_inst[acc]), int(acc))
    chosen = rng.permutation(np.array(list(by_inst.values())))[:ACCOUNTS]
    deletes = rng.random(len(chosen)) < 0.5
    closes = rng.random(len(chosen)) < 0.5
    baits = rng.random(len(chosen)) < 0.5
    empties = rng.uniform(0.05, 0.6, len(chosen))

    posts, parts = [], []
    lag = world.spec.post_lag  # a post is first read this many days after it was made, as the demo's
    for k, acc in enumerate(chosen):
        for n in range(POSTS):
            day = start + 7 * n + int(rng.integers(0, 3))
            if day + lag + 1 >= world.n_days:
                continue
            campaign = k == 0 and n == POSTS - 2
            closed = bool(closes[k] and n % 3 == 1)
            others = 0 if closed else (80 if campaign else int(rng.integers(8, 20)))
            negative_share = 0.75 if campaign else 0.12
            gone = int(rng.integers(1, 4)) if deletes[k] and others else 0
            text = CAMPAIGN if campaign else BAIT if baits[k] and n % 2 == 0 else PLAIN
            posts.append((acc, f"demo-practice-{acc}-{n}", day, text, closed, others, gone, negative_share))

    for acc, post_id, day, text, closed, others, gone, negative_share in posts:
        posted = (world.day0 + day) * 86400 + 8 * 3600 + int(rng.integers(0, 4 * 3600))
        replies = int(rng.binomial(others, 0.4)) if others else 0
        empty = rng.random(replies) < empties[list(chosen).index(acc)]
        parts.append(
            _thread(world, rng, acc, post_id, day, posted, others, gone, replies, empty, negative_share, lag)
        )
        # the post, landed once (as the demo's posts are) with its count before the comments went
        for night, count in ((lag, others + replies),):
            comments_closed = pa.array([closed])
            posts_table = pa.table(
                {
                    **world.account_columns(np.array([acc])),
                    "post_id": pa.array([post_id]),
                    "posted_at": timestamps(np.array([posted])),
                    "collected_at": timestamps(np.array([(world.day0 + day + night) * 86400 + RUN_SECONDS])),
                    "text": pa.array([text]),
                    "likes": ints(np.array([120 if negative_share > 0.5 else int(rng.integers(20, 200))])),
                    "comments": ints(np.array([count])),
                    "comments_closed": comments_closed,
                }
            )
            parts.append(("posts", np.array([day + night]), conform("posts", posts_table)))
    by_kind: dict[str, list] = {"posts": [], "comments": []}
    for kind, days, table in parts:
        by_kind[kind].append((days, table))
    return [
        ExtraRecords(kind, np.concatenate([d for d, _ in parts]), pa.concat_tables([t for _, t in parts]))
        for kind, parts in by_kind.items()
        if parts
    ]


def _thread(world, rng, acc, post_id, day, posted, others, gone, replies, empty, negative_share, lag):
    """The thread's items as read on the night the post is first read and the night after: the root
    (a complete read), the comments (those `gone` missing from the second read) and the replies."""
    # within 8 hours of the post: before the night's read at 02:15
    created = posted + 600 + np.sort(rng.integers(0, 8 * 3600, others))
    tones = np.where(rng.random(others) < negative_share, "negative", TONES[rng.integers(1, 3, others)])
    removed = np.zeros(others, bool)
    removed[rng.choice(others, gone, replace=False)] = True
    ids = [f"{post_id}-c{i}" for i in range(others)]
    answered = rng.choice(others, replies, replace=False) if replies else np.array([], int)
    rows = []
    for night in (lag, lag + 1):
        seen = (world.day0 + day + night) * 86400 + RUN_SECONDS
        rows.append(
            dict(id=post_id, parent=None, at=posted, mine=True, complete=True, seen=seen, night=night)
        )
        for i in range(others):
            if night > lag and removed[i]:
                continue
            rows.append(
                dict(
                    id=ids[i],
                    parent=post_id,
                    at=created[i],
                    mine=False,
                    tone=str(tones[i]),
                    seen=seen,
                    night=night,
                )
            )
        for j, i in enumerate(answered):
            if night > lag and removed[i]:
                continue
            rows.append(
                dict(
                    id=f"{ids[i]}-r",
                    parent=ids[i],
                    at=created[i] + 1800,
                    mine=True,
                    empty=bool(empty[j]),
                    seen=seen,
                    night=night,
                )
            )
    n = len(rows)
    table = pa.table(
        {
            **world.account_columns(np.full(n, acc)),
            "post_id": pa.array([post_id] * n),
            "comment_id": pa.array([r["id"] for r in rows]),
            "parent_id": pa.array([r["parent"] for r in rows], pa.string()),
            "created_at": timestamps(np.array([r["at"] for r in rows])),
            "collected_at": timestamps(np.array([r["seen"] for r in rows])),
            "is_institution": pa.array([r["mine"] for r in rows]),
            "thread_complete": pa.array([r.get("complete") for r in rows], pa.bool_()),
            "tone": pa.array([r.get("tone") for r in rows], pa.string()),
            "empty_reply": pa.array([r.get("empty") for r in rows], pa.bool_()),
        }
    )
    return ("comments", np.array([day + r["night"] for r in rows]), conform("comments", table))


__all__ = ["practice_posts"]
