"""The local platform servers that tests and benchmarks both use: a threaded HTTP server on 127.0.0.1
and the fake credentials they are started with. Imports nothing of finsocial's packages."""

from localservers.server import LocalServer

# Fake credentials: collectors need one per paid platform; the local servers check them.
TOKENS = {
    "FINSOCIAL_YOUTUBE_API_KEY": "yt-key-SECRET-1234567890",
    "FINSOCIAL_X_BEARER_TOKEN": "x-bearer-SECRET-abcdef",
    "FINSOCIAL_FACEBOOK_TOKEN": "fb-token-SECRET-EAAB123",
    "FINSOCIAL_INSTAGRAM_TOKEN": "ig-token-SECRET-IGQV456",
    "FINSOCIAL_INSTAGRAM_USER_ID": "17841400000000001",
}

__all__ = ["TOKENS", "LocalServer"]
