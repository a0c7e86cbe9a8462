"""The power score's formula: named terms (platform, count or metric, divisor or weight), from a preset or a file."""

from __future__ import annotations

import json
import math
import os
import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from warehouse.domain.platforms import DEFAULT_POWER_WEIGHTS, PLATFORMS
from warehouse.infra.csvcheck import InputError, Problem, read_rows
from warehouse.infra.files import write_atomic

# What a term can count: the stored counts and the account metrics computed before the score
# (warehouse/build/sql/marts/10_account_metrics.sql maps each name to its column).
POWER_MEASURES = (
    "followers",
    "following",
    "posts_total",
    "likes_total",
    "views_total",
    "growth_30d",
    "growth_90d",
    "growth_365d",
    "posts_per_week",
    "interactions_per_post",
    "engagement_rate",
)
PRESETS = ("default", "power100")
ENV = "FINSOCIAL_POWER_WEIGHTS"
SAVED_NAME = "power_formula.toml"  # in the data folder: the formula `--weights` last set


@dataclass(frozen=True)
class PowerTerm:
    """Points from one count or metric of one platform: value ÷ units_per_point, or value × weight."""

    platform: str
    measure: str
    units_per_point: float | None = None
    weight: float | None = None

    def points(self, value: float | None) -> float | None:
        if value is None:
            return None
        return value / self.units_per_point if self.units_per_point is not None else value * self.weight

    def describe(self) -> str:
        if self.units_per_point is not None:
            return f"1 point per {self.units_per_point:,g} {self.measure}"
        return f"{self.weight:g} points per {self.measure}"


@dataclass(frozen=True)
class PowerFormula:
    """A named power-score formula: the sum of its terms an account has a value for."""

    name: str
    terms: tuple[PowerTerm, ...]
    description: str = ""

    def score(self, platform: str, values: dict[str, float | None]) -> float | None:
        """The score of one account from its values by measure, as the warehouse computes it."""
        points = [t.points(values.get(t.measure)) for t in self.terms if t.platform == platform]
        points = [p for p in points if p is not None]
        return sum(points) if points else None

    def rows(self) -> list[dict]:
        """The formula as rows of the warehouse's power_weights table."""
        return [
            {
                "formula": self.name,
                "term": i,
                "platform": t.platform,
                "measure": t.measure,
                "units_per_point": t.units_per_point,
                "weight": t.weight,
            }
            for i, t in enumerate(self.terms, start=1)
        ]

    def to_toml(self) -> str:
        """The formula in the TOML format `load_formula` reads."""
        lines = [f"name = {json.dumps(self.name)}"]
        if self.description:
            lines.append(f"description = {json.dumps(self.description, ensure_ascii=False)}")
        for t in self.terms:
            lines += ["", "[[term]]", f'platform = "{t.platform}"', f'measure = "{t.measure}"']
            if t.units_per_point is not None:
                lines.append(f"units_per_point = {t.units_per_point!r}")
            else:
                lines.append(f"weight = {t.weight!r}")
        return "\n".join(lines) + "\n"


def preset(name: str) -> PowerFormula:
    """A formula shipped with finsocial (PRESETS): 'default' from the platform table's weights, the
    others from warehouse/presets/<name>.toml."""
    if name not in PRESETS:
        raise ValueError(f"unknown power formula preset {name!r}; presets: {', '.join(PRESETS)}")
    if name == "default":
        terms = tuple(PowerTerm(p, m, float(u)) for p, (m, u) in DEFAULT_POWER_WEIGHTS.items())
        return PowerFormula(
            "default", terms, "finsocial's default: one point per so many of each platform's audience"
        )
    text = (resources.files("warehouse.domain") / "presets" / f"{name}.toml").read_text("utf-8")
    return _from_toml(f"preset {name}", text, name)


def _term(where: str, spec: object, problems: list[Problem], row: int | None = None) -> PowerTerm | None:
    """A term from a mapping with platform, measure and units_per_point or weight; problems named."""
    start = len(problems)

    def problem(column: str, message: str) -> None:
        problems.append(Problem(where, row, column, message))

    if not isinstance(spec, dict):
        problem("term", "expected a table with platform, measure and units_per_point or weight")
        return None
    platform = str(spec.get("platform", "")).strip().lower()
    if platform not in PLATFORMS:
        problem("platform", f"{spec.get('platform', '')!r} is not one of {', '.join(PLATFORMS)}")
    measure = str(spec.get("measure", "")).strip()
    if measure not in POWER_MEASURES:
        problem("measure", f"{measure!r} is not one of {', '.join(POWER_MEASURES)}")
    numbers: dict[str, float | None] = {}
    for key in ("units_per_point", "weight"):
        value = spec.get(key)
        if value in (None, ""):
            numbers[key] = None
            continue
        try:
            number = float(value)
        except (TypeError, ValueError):
            number = math.nan
        if not math.isfinite(number) or number <= 0 or isinstance(value, bool):
            problem(key, f"{value!r} is not a positive number")
        numbers[key] = number
    if (numbers["units_per_point"] is None) == (numbers["weight"] is None):
        problem("units_per_point", "give either units_per_point (one point per so many) or weight, not both")
    if len(problems) > start:
        return None
    return PowerTerm(platform, measure, numbers["units_per_point"], numbers["weight"])


def _merged(base: PowerFormula, terms: list[PowerTerm]) -> tuple[PowerTerm, ...]:
    """A base formula's terms with every platform the new terms name replaced by them."""
    replaced = {t.platform for t in terms}
    return tuple(t for t in base.terms if t.platform not in replaced) + tuple(terms)


def _from_toml(where: str, text: str, default_name: str) -> PowerFormula:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError([Problem(where, None, None, f"not TOML: {exc}")]) from exc
    return _from_mapping(where, data, default_name)


def _from_mapping(where: str, data: dict, default_name: str) -> PowerFormula:
    problems: list[Problem] = []
    known = {"name", "description", "extends", "term", "terms"}
    for key in data:
        if key not in known:
            problems.append(Problem(where, None, key, f"unknown key; known: {', '.join(sorted(known))}"))
    specs = data.get("term", data.get("terms", []))
    if not isinstance(specs, list):
        specs = [specs]
    terms = []
    for i, spec in enumerate(specs, start=1):
        term = _term(f"{where}, term {i}", spec, problems)
        if term:
            terms.append(term)
    base = None
    if data.get("extends") is not None:
        try:
            base = preset(str(data["extends"]))
        except ValueError as exc:
            problems.append(Problem(where, None, "extends", str(exc)))
    if not specs and base is None:
        problems.append(Problem(where, None, "term", "a formula needs at least one term"))
    if problems:
        raise InputError(problems)
    return PowerFormula(
        name=str(data.get("name") or default_name),
        terms=_merged(base, terms) if base else tuple(terms),
        description=str(data.get("description", "")),
    )


def _from_legacy_json(where: str, data: dict, default_name: str) -> PowerFormula:
    """The first format: {"facebook": {"measure": "followers", "units_per_point": 500}, ...} over the
    default weights; kept working unchanged."""
    problems: list[Problem] = []
    terms = []
    for platform, spec in data.items():
        spec = {"platform": platform, "measure": "followers", **spec} if isinstance(spec, dict) else spec
        term = _term(f"{where}, {platform}", spec, problems)
        if term:
            terms.append(term)
    if problems:
        raise InputError(problems)
    return PowerFormula(default_name, _merged(preset("default"), terms), "the default, with " + where)


def _from_csv(path: Path) -> PowerFormula:
    rows, problems = read_rows(path, ("platform", "measure"), ("units_per_point", "weight", "name"))
    terms, names = [], {v.get("name") for _, v in rows if v.get("name")}
    for row, values in rows:
        term = _term(str(path), values, problems, row)
        if term:
            terms.append(term)
    if len(names) > 1:
        problems.append(Problem(str(path), None, "name", f"one formula per file; found {sorted(names)}"))
    if not rows and not problems:
        problems.append(Problem(str(path), None, None, "a formula needs at least one term"))
    if problems:
        raise InputError(problems)
    return PowerFormula(names.pop() if names else path.stem, tuple(terms))


def load_formula(spec: str | os.PathLike) -> PowerFormula:
    """A formula from a preset's name or a file: .toml, .csv, or .json (either format)."""
    path = Path(spec)
    if str(spec) in PRESETS and not path.exists():
        return preset(str(spec))
    where = str(path)
    try:
        text = path.read_text("utf-8")
    except OSError as exc:
        raise InputError(
            [
                Problem(
                    where,
                    None,
                    None,
                    f"cannot read the file ({exc.strerror or exc}); presets: {', '.join(PRESETS)}",
                )
            ]
        ) from exc
    except UnicodeDecodeError as exc:
        raise InputError([Problem(where, None, None, "not UTF-8 text")]) from exc
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return _from_csv(path)
    if suffix == ".json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputError([Problem(where, exc.lineno, None, f"not JSON: {exc.msg}")]) from exc
        if not isinstance(data, dict):
            raise InputError([Problem(where, None, None, "expected a JSON object")])
        if "terms" in data or "term" in data or "extends" in data:
            return _from_mapping(where, data, path.stem)
        return _from_legacy_json(where, data, path.stem)
    return _from_toml(where, text, path.stem)


def saved_formula_path(root: Path) -> Path:
    return Path(root) / SAVED_NAME


def resolve_formula(root: Path, weights: str | os.PathLike | None = None) -> PowerFormula:
    """The formula in force: `weights` (a preset or file, which is then kept in the data folder for
    later builds), else FINSOCIAL_POWER_WEIGHTS, else the one kept, else the default preset."""
    saved = saved_formula_path(root)
    if weights is not None:
        formula = load_formula(weights)
        write_atomic(saved, formula.to_toml().encode())
        return formula
    if os.environ.get(ENV):
        return load_formula(os.environ[ENV])
    if saved.exists():
        return load_formula(saved)
    return preset("default")
