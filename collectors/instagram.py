"""Instagram professional accounts through the Graph API's business_discovery."""

from __future__ import annotations

from typing import Any

from collectors.base import as_count
from collectors.graph import GRAPH_API, GraphCollector
from collectors.http import CollectError
from warehouse.inputs.targets import Target
from warehouse.landing.records import Account, Post, Snapshot

TOKEN_ENV = "FINSOCIAL_INSTAGRAM_TOKEN"
USER_ID_ENV = "FINSOCIAL_INSTAGRAM_USER_ID"
MEDIA_FIELDS = "id,timestamp,permalink,caption,like_count,comments_count,media_product_type"
PROFILE_FIELDS = "id,username,name,followers_count,follows_count,media_count"


class InstagramCollector(GraphCollector):
    """Instagram professional accounts through the Graph API's business_discovery."""

    platform = "instagram"
    batch_size = 1  # business_discovery looks up one username a call
    api_env = "FINSOCIAL_INSTAGRAM_API"
    default_api = GRAPH_API
    token_env = TOKEN_ENV
    credential_envs = (TOKEN_ENV, USER_ID_ENV)
    page_size = 50
    max_pages = 40  # 2,000 media in 28 days is more than any institution posts

    def _discover(self, handle: str, fields: str, raw_name: str) -> dict:
        # business_discovery is read through the caller's own professional account.
        payload = self.get_json(
            f"{self.base_url}/{self.credential(USER_ID_ENV)}",
            params={"fields": f"business_discovery.username({handle}){{{fields}}}"},
            raw_name=raw_name,
        )
        found = payload.get("business_discovery") if isinstance(payload, dict) else None
        if not isinstance(found, dict):
            raise CollectError("parse_error", "answer has no business_discovery object")
        return found

    def fetch_profiles(self, handles: list[str]) -> dict[str, dict | CollectError | None]:
        found: dict[str, dict | CollectError | None] = {}
        for handle in handles:
            fields = f"{PROFILE_FIELDS},media.limit({self.page_size}){{{MEDIA_FIELDS}}}"
            try:
                found[handle] = self._discover(handle, fields, f"business_discovery-{handle}")
            except CollectError as exc:
                # Code 110: no such username, or not a professional account (which the API hides).
                found[handle] = exc
        return found

    def parse_profile(self, profile: dict, target: Target) -> tuple[Snapshot, Account]:
        snapshot = self.snapshot(
            target,
            followers=self.required_count(profile, "followers_count", target),
            following=as_count(profile.get("follows_count"), "follows_count"),
            posts_total=as_count(profile.get("media_count"), "media_count"),
            platform_id=str(profile["id"]),
        )
        account = self.account(
            target, platform_id=str(profile["id"]), display_name=profile.get("name") or None
        )
        return snapshot, account

    def fetch_posts(self, target: Target, profile: dict) -> list[Any]:
        media = profile.get("media")
        if media is None:
            return []
        pages = [media]
        seen_cursors: set[str] = set()
        while len(pages) < self.max_pages:
            # business_discovery's media edge gives cursors only, never a `next` URL: the next
            # query is built from `after`, until a page reaches back past the window
            paging = media.get("paging") if isinstance(media, dict) else None
            cursors = paging.get("cursors") if isinstance(paging, dict) else None
            after = cursors.get("after") if isinstance(cursors, dict) else None
            if not isinstance(after, str) or not after or after in seen_cursors:
                return pages
            if self.past_window(media, "timestamp"):
                return pages
            seen_cursors.add(after)
            fields = f"media.after({after}).limit({self.page_size}){{{MEDIA_FIELDS}}}"
            media = self._discover(target.handle, fields, f"media-{target.handle}").get("media") or {}
            pages.append(media)
        return pages

    def parse_posts(self, pages: list[Any], target: Target) -> list[Post]:
        return [
            self.post(
                target,
                post_id=str(item["id"]),
                posted_at=posted_at,
                url=item.get("permalink"),
                text=item.get("caption"),
                # like_count is left out when the owner hides likes: NULL.
                likes=as_count(item.get("like_count"), "like_count"),
                comments=as_count(item.get("comments_count"), "comments_count"),
            )
            for item, posted_at in self.window_items(pages, "timestamp")
        ]
