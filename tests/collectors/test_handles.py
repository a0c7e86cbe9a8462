"""Handle normal forms from the profile-link shapes found on real institutions' websites."""

from __future__ import annotations

import pytest

from warehouse.domain.handles import HandleError, normalize_handle, parse_profile_url, profile_url


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://www.facebook.com/ABNAMRO/", ("facebook", "abnamro")),
        ("https://nl-nl.facebook.com/ABNAMRO", ("facebook", "abnamro")),
        ("https://es-la.facebook.com/bbva", ("facebook", "bbva")),
        ("https://m.facebook.com/ABNAMRO/about/", ("facebook", "abnamro")),
        ("https://www.facebook.com/pg/ABNAMRO/posts/", ("facebook", "abnamro")),
        ("https://www.facebook.com/pages/ABN-AMRO/123456789", ("facebook", "123456789")),
        ("https://www.facebook.com/profile.php?id=100064", ("facebook", "100064")),
        ("https://twitter.com/ING_news?lang=en", ("x", "ing_news")),
        ("https://mobile.twitter.com/ING_news", ("x", "ing_news")),
        ("https://twitter.com/#!/ING_news", ("x", "ing_news")),
        ("https://x.com/intent/follow?screen_name=ING_news", ("x", "ing_news")),
        ("https://twitter.com/intent/user?screen_name=ING_news", ("x", "ing_news")),
        ("https://www.youtube.com/user/rabobank", ("youtube", "user/rabobank")),
        ("https://www.youtube.com/user/RaboBank/videos", ("youtube", "user/rabobank")),
        ("https://www.youtube.com/c/ABNAMRO", ("youtube", "@abnamro")),
        ("https://m.youtube.com/@ABNAMRO/videos", ("youtube", "@abnamro")),
        (
            "https://www.youtube.com/channel/UCnorthwindBank000000000",
            ("youtube", "UCnorthwindBank000000000"),
        ),
        ("https://nl.linkedin.com/company/abn-amro", ("linkedin", "company/abn-amro")),
        ("https://uk.linkedin.com/company/barclays-bank/", ("linkedin", "company/barclays-bank")),
        ("https://www.instagram.com/abnamro/?hl=nl", ("instagram", "abnamro")),
        ("https://instagram.com/_u/abnamro", ("instagram", "abnamro")),
        ("https://www.tiktok.com/@ing_nl", ("tiktok", "ing_nl")),
        (
            "https://bsky.app/profile/did:plc:northwindbank2345abcdefg",
            ("bluesky", "did:plc:northwindbank2345abcdefg"),
        ),
        ("https://bsky.app/profile/Northwind.bsky.social", ("bluesky", "northwind.bsky.social")),
        ("https://mastodon.social/@user", ("mastodon", "user@mastodon.social")),
        # An instance's own subdomain is part of its name, not an edition to drop.
        ("https://fr.social/@banque", ("mastodon", "banque@fr.social")),
    ],
)
def test_profile_links(url, expected):
    assert parse_profile_url(url) == expected


@pytest.mark.parametrize(
    "url",
    [
        "https://twitter.com/intent/tweet?text=x&via=ING_news",
        "https://twitter.com/share?url=https://bank.example/",
        "https://x.com/ING_news/status/1790000000000000000",
        "https://www.facebook.com/sharer/sharer.php?u=https://bank.example/",
        "https://nl-nl.facebook.com/sharer.php?u=x",
        "https://www.linkedin.com/shareArticle?mini=true&url=x",
        "https://www.linkedin.com/sharing/share-offsite/?url=x",
        "https://www.linkedin.com/in/someone",
        "https://bsky.app/intent/compose?text=x",
        "https://mastodon.social/share?text=x",
        "https://www.instagram.com/p/CxYz123abc/",
        "https://www.tiktok.com/@ing_nl/video/123",
        "https://vm.tiktok.com/ZM123/",
        "https://www.youtube.com/watch?v=abc",
        "https://developers.facebook.com/docs",
        "https://www.facebook.com/groups/somegroup",
    ],
)
def test_share_intent_post_and_other_links_are_not_accounts(url):
    assert parse_profile_url(url) is None


def test_youtube_legacy_username_round_trips_and_is_not_a_handle():
    assert normalize_handle("youtube", "user/RaboBank") == "user/rabobank"
    assert normalize_handle("youtube", "youtube.com/user/rabobank") == "user/rabobank"
    assert profile_url("youtube", "user/rabobank") == "https://www.youtube.com/user/rabobank"
    assert normalize_handle("youtube", "rabobank") == "@rabobank"  # a bare name is a handle
    with pytest.raises(HandleError):
        normalize_handle("youtube", "user/")
