"""YouTube collector against recorded Data API v3 responses."""

from __future__ import annotations

from collectors.youtube import YouTubeCollector
from localservers import TOKENS
from tests.support.collector_fakes import Reply, fixture, make_collector, target

CH1, CH2, CH3 = "UCnorthwindBank000000000", "UChiddenSubs000000000000", "UChandleChannel000000003"
CHANNELS, PLAYLIST, VIDEOS = (
    "/youtube/v3/channels",
    "/youtube/v3/playlistItems",
    "/youtube/v3/videos",
)


def _serve(server):
    server.route(
        CHANNELS,
        fixture("youtube", "channels-handle.json"),
        when=lambda q: q.get("forHandle") == "@handlebank",
    )
    server.route(CHANNELS, fixture("youtube", "channels-empty.json"), when=lambda q: "forHandle" in q)
    server.route(CHANNELS, fixture("youtube", "channels-ids.json"))
    server.route(
        PLAYLIST,
        fixture("youtube", "playlist-2.json"),
        when=lambda q: q.get("pageToken") == "EAAaBlBUOkNBVQ",
    )
    server.route(
        PLAYLIST,
        fixture("youtube", "playlist-1.json"),
        when=lambda q: q["playlistId"] == "UU" + CH1[2:],
    )
    server.route(PLAYLIST, Reply({"error": {"code": 404, "errors": [{"reason": "playlistNotFound"}]}}, 404))
    server.route(VIDEOS, fixture("youtube", "videos.json"))


def test_channels_uploads_and_video_statistics(server, client, env):
    _serve(server)
    north, hidden, handle, ghost = make_collector(YouTubeCollector, client, env).collect(
        [
            target("youtube", CH1),
            target("youtube", CH2),
            target("youtube", "@handlebank"),
            target("youtube", "@ghostbank"),
        ]
    )
    snap = north.snapshot
    # Counts arrive as strings; subscribers are rounded by the API.
    assert (snap.followers, snap.views_total, snap.posts_total, snap.precision) == (
        125000,
        48213577,
        412,
        "rounded",
    )
    assert (
        snap.following is None and snap.platform_id == CH1 and north.account.display_name == "Northwind Bank"
    )
    assert hidden.error is None and hidden.snapshot.followers is None and hidden.snapshot.views_total == 1000
    assert handle.snapshot.followers == 3450 and handle.snapshot.platform_id == CH3
    assert ghost.error.kind == "not_found"
    posts = {p.post_id: p for p in north.posts}
    assert sorted(posts) == ["vid00000001", "vid00000002", "vid00000003"]
    assert (
        posts["vid00000001"].views,
        posts["vid00000001"].likes,
        posts["vid00000001"].comments,
    ) == (15200, 310, 12)
    assert posts["vid00000002"].likes is None  # hidden likes stay NULL
    assert posts["vid00000003"].comments is None
    # One channels.list for both ids, one forHandle call per handle; two playlist pages stop at
    # the window; one videos.list for the three videos.
    id_calls = [s for s in server.requests_to(CHANNELS) if "id" in s.query]
    assert len(id_calls) == 1 and id_calls[0].query["id"] == f"{CH1},{CH2}"
    assert len(server.requests_to(PLAYLIST)) == 2 + 1 + 1  # northwind 2 pages, hidden and handle: none
    videos_query = server.requests_to(VIDEOS)[0].query
    assert videos_query["id"] == "vid00000001,vid00000002,vid00000003"
    assert "maxResults" not in videos_query  # videos.list does not support it with id
    # The key travels in a header, never in a URL.
    assert all(s.headers.get("X-Goog-Api-Key") == TOKENS["FINSOCIAL_YOUTUBE_API_KEY"] for s in server.seen)
    assert not any(TOKENS["FINSOCIAL_YOUTUBE_API_KEY"] in s.url for s in server.seen)


def test_fifty_ids_per_call(server, client, env):
    def channels(seen):
        ids = seen.query["id"].split(",")
        assert len(ids) <= 50
        return {
            "items": [
                {
                    "id": i,
                    "statistics": {"subscriberCount": "10", "viewCount": "5"},
                    "contentDetails": {"relatedPlaylists": {"uploads": "UU" + i[2:]}},
                }
                for i in ids
            ]
        }

    server.route(CHANNELS, channels)
    server.route(PLAYLIST, {"items": []})
    ids = [f"UC{i:022d}" for i in range(60)]
    outcomes = make_collector(YouTubeCollector, client, env).collect([target("youtube", i) for i in ids])
    assert all(o.collected for o in outcomes)
    assert [len(s.query["id"].split(",")) for s in server.requests_to(CHANNELS)] == [50, 10]


def test_quota_exceeded_is_not_retried_and_bad_key(server, client, env, sleeps):
    server.route(CHANNELS, Reply(fixture("youtube", "quota.json"), 403))
    (north,) = make_collector(YouTubeCollector, client, env).collect([target("youtube", CH1)])
    assert north.error.kind == "rate_limited" and "quota" in north.error.message
    assert sleeps == [] and len(server.seen) == 1

    server.routes.clear()
    server.route(CHANNELS, Reply(fixture("youtube", "bad-key.json"), 400))
    (north,) = make_collector(YouTubeCollector, client, env).collect([target("youtube", CH1)])
    assert north.error.kind == "auth_missing"
    assert TOKENS["FINSOCIAL_YOUTUBE_API_KEY"] not in north.error.message


def test_throttled_403_is_retried(server, client, env, sleeps):
    throttled = {"error": {"code": 403, "errors": [{"reason": "rateLimitExceeded"}]}}
    server.route(CHANNELS, Reply(throttled, 403), fixture("youtube", "channels-ids.json"))
    server.route(PLAYLIST, {"items": []})
    (north,) = make_collector(YouTubeCollector, client, env).collect([target("youtube", CH1)])
    assert north.snapshot.followers == 125000 and sleeps == [0.5]


def test_missing_statistics_and_malformed(server, client, env):
    server.route(CHANNELS, {"items": [{"id": CH1, "snippet": {"title": "x"}}]})
    (north,) = make_collector(YouTubeCollector, client, env).collect([target("youtube", CH1)])
    assert north.error.kind == "parse_error" and "statistics" in north.error.message

    server.routes.clear()
    server.route(CHANNELS, {"items": [{"id": CH1, "statistics": {"viewCount": "12"}}]})
    (north,) = make_collector(YouTubeCollector, client, env).collect([target("youtube", CH1)])
    assert north.error.kind == "parse_error" and "subscriberCount" in north.error.message


def test_legacy_username_is_looked_up_by_for_username(server, client, env):
    """youtube.com/user/NAME is a legacy username, not a handle: forUsername, never forHandle."""
    from warehouse.domain.handles import normalize_handle

    handle = normalize_handle("youtube", "https://www.youtube.com/user/LegacyBank")
    assert handle == "user/legacybank"
    server.route(
        CHANNELS,
        fixture("youtube", "channels-username.json"),
        when=lambda q: q.get("forUsername") == "legacybank",
    )
    server.route(CHANNELS, fixture("youtube", "channels-empty.json"))
    server.route(PLAYLIST, {"items": []})
    legacy, ghost = make_collector(YouTubeCollector, client, env).collect(
        [target("youtube", handle), target("youtube", "user/nobodyhere")]
    )
    snap = legacy.snapshot
    assert (snap.followers, snap.views_total, snap.posts_total, snap.platform_id) == (
        21400,
        731200,
        188,
        "UClegacyUsername00000004",
    )
    assert legacy.account.url == "https://www.youtube.com/user/legacybank"
    assert ghost.snapshot is None and ghost.error.kind == "not_found"
    lookups = [s.query for s in server.requests_to(CHANNELS)]
    assert [q.get("forUsername") for q in lookups] == ["legacybank", "nobodyhere"]
    assert not any("forHandle" in q or "id" in q for q in lookups)
