"""Demo webcare: questions under the generated posts and the institutions' answers, as thread records."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from synth.draw import ExtraRecords, timestamps
from warehouse.landing.records import conform

if TYPE_CHECKING:
    from synth.world import World

# Platforms whose API lists no comments get none (Instagram gives comments_count only).
NO_THREADS = ("instagram",)
RUN_SECONDS = 2 * 3600 + 15 * 60  # the night's run at 02:15 UTC opens the threads
REOPEN_DAYS = (1, 7)  # a post's thread is opened again while it is among the recent ones


def comments(world: World, rng: np.random.Generator) -> list[ExtraRecords]:
    """Per institution an answer rate (most 40–90%) and a typical reply time (minutes to days);
    per post a few questions; answers come slower at night and at weekends; some people reply to
    the answer (no new question); a little of the bank's replies go to comments since deleted."""
    n_inst = len(world.institutions)
    answer_rate = np.clip(rng.beta(5, 2.2, n_inst), 0.08, 0.97)
    answer_rate[rng.random(n_inst) < 0.1] *= 0.3  # a few leave most questions unanswered
    median_minutes = 10 ** rng.uniform(0.6, 3.4, n_inst)  # 4 minutes to 1.7 days
    no_threads = np.isin(np.array(world.platforms), NO_THREADS)

    acc = world.post_acc
    keep = ~no_threads[world.acc_plat[acc]]
    posts = np.flatnonzero(keep)
    acc = acc[posts]
    post_time = world.post_seconds[posts]
    followers = world.followers[acc, world.post_day[posts]].astype(float)
    n_questions = rng.poisson(np.clip(0.35 * np.log10(np.maximum(followers, 10)) - 0.4, 0.05, 2.5))

    # questions: which post, when (hours after the post), by whom (never the institution)
    q_post = np.repeat(np.arange(len(posts)), n_questions)
    q_time = post_time[q_post] + (rng.exponential(5 * 3600, len(q_post))).astype(np.int64) + 60
    inst = world.acc_inst[acc[q_post]]
    answered = rng.random(len(q_post)) < answer_rate[inst]
    hour = (q_time // 3600) % 24
    weekday = ((q_time // 86400) + 3) % 7  # 1970-01-01 was a Thursday: 0 = Monday
    slower = np.where((hour >= 20) | (hour < 7), 3.0, 1.0) * np.where(weekday >= 5, 2.0, 1.0)
    # answers after more than 10 days are rare enough to leave out: such a question stays open
    delay = np.minimum(median_minutes[inst] * slower * rng.lognormal(0, 0.9, len(q_post)), 10 * 1440) * 60
    a_time = q_time + delay.astype(np.int64) + 30
    follow_up = answered & (rng.random(len(q_post)) < 0.15)
    f_time = a_time + (rng.exponential(2 * 3600, len(q_post))).astype(np.int64) + 60
    orphan = answered & (rng.random(len(q_post)) < 0.02)  # answered, then the question was deleted

    post_ids = world.post_ids.take(pa.array(posts))
    q_ids = pc.cast(pa.array(np.arange(len(q_post)) + 7 * 10**9), pa.string())
    parts = []
    # the roots, opened the night after the post and again on later nights
    for reopen in REOPEN_DAYS:
        parts.append(_rows(world, acc, post_ids, post_ids, None, post_time, True, post_time, reopen))
    shown = ~orphan
    parts.append(
        _rows(
            world,
            acc[q_post][shown],
            post_ids.take(pa.array(q_post[shown])),
            q_ids.filter(shown),
            post_ids.take(pa.array(q_post[shown])),
            q_time[shown],
            False,
            q_time[shown],
        )
    )
    a = np.flatnonzero(answered)
    a_ids = pc.binary_join_element_wise(q_ids.take(pa.array(a)), "a", "")
    parts.append(
        _rows(
            world,
            acc[q_post[a]],
            post_ids.take(pa.array(q_post[a])),
            a_ids,
            q_ids.take(pa.array(a)),
            a_time[a],
            True,
            a_time[a],
        )
    )
    f = np.flatnonzero(follow_up)
    parts.append(
        _rows(
            world,
            acc[q_post[f]],
            post_ids.take(pa.array(q_post[f])),
            pc.binary_join_element_wise(q_ids.take(pa.array(f)), "f", ""),
            pc.binary_join_element_wise(q_ids.take(pa.array(f)), "a", ""),
            f_time[f],
            False,
            f_time[f],
        )
    )
    table = pa.concat_tables([p for p in parts if p is not None])
    day = table.column("landed_day").to_numpy()
    order = np.argsort(day, kind="stable")
    table = table.drop_columns(["landed_day"]).take(pa.array(order))
    return [ExtraRecords("comments", day[order], conform("comments", table))]


def _rows(world, acc, post_id, comment_id, parent_id, created, is_institution, seen_after, extra_days=1):
    """Rows landed by the first night's run after `seen_after` (plus extra_days − 1); rows that
    lie past the world's last run are not landed."""
    landed_day = (seen_after - RUN_SECONDS) // 86400 - world.day0 + extra_days
    keep = landed_day < world.n_days
    if not keep.any():
        return None
    keep_arrow = pa.array(keep)
    n = int(keep.sum())
    columns = world.account_columns(acc[keep])
    return pa.table(
        {
            **columns,
            "post_id": post_id.filter(keep_arrow),
            "comment_id": comment_id.filter(keep_arrow),
            "parent_id": pa.nulls(n, pa.string()) if parent_id is None else parent_id.filter(keep_arrow),
            "created_at": timestamps(created[keep]),
            "collected_at": timestamps((world.day0 + landed_day[keep]) * 86400 + RUN_SECONDS),
            "is_institution": pa.array(np.full(n, is_institution)),
            "landed_day": pa.array(landed_day[keep]),
        }
    )
