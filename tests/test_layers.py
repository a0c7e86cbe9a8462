"""The warehouse's floors hold: import-linter's layers contract (pyproject.toml) passes on the code
as it is and fails on a copy where a lower floor imports a higher one."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LAYERS = "Inside the warehouse, floors from the top: a floor imports only the floors below it"


def layers_config(folder: Path) -> Path:
    """An import-linter config holding only the layers contract of pyproject.toml."""
    settings = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["tool"]["importlinter"]
    (contract,) = [c for c in settings["contracts"] if c["name"] == LAYERS]
    floors = ", ".join(f'"{floor}"' for floor in contract["layers"])
    config = folder / "layers.ini"
    config.write_text(
        f"[importlinter]\nroot_package = warehouse\n\n[importlinter:contract:floors]\nname = {LAYERS}\n"
        f"type = layers\nlayers =\n    " + floors.replace('", "', '"\n    "').replace('"', "") + "\n",
        "utf-8",
    )
    return config


def lint(folder: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(Path(sys.executable).parent / "lint-imports"), "--config", str(layers_config(folder))],
        cwd=folder,
        env={"PYTHONPATH": str(folder), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
    )


def test_the_floors_hold_and_a_lower_floor_importing_a_higher_one_breaks_them(tmp_path):
    kept = tmp_path / "kept"
    shutil.copytree(ROOT / "warehouse", kept / "warehouse", ignore=shutil.ignore_patterns("__pycache__"))
    result = lint(kept)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 kept, 0 broken" in result.stdout

    broken = tmp_path / "broken"
    shutil.copytree(kept, broken)
    posts = broken / "warehouse" / "domain" / "posts.py"
    posts.write_text(posts.read_text("utf-8") + "\nfrom warehouse.read import queries  # noqa\n", "utf-8")
    result = lint(broken)
    assert result.returncode != 0
    assert "0 kept, 1 broken" in result.stdout
    assert "warehouse.domain.posts -> warehouse.read.queries" in result.stdout
