"""Review a saved recommendation against today's catalog and models (PERF05-BP06).

The pillar asks for choices to be reviewed on a cyclical basis to take advantage of new
types and services (PERF05-BP06, keep your workload and services up-to-date;
https://docs.aws.amazon.com/wellarchitected/latest/performance-efficiency-pillar/perf_process_culture_keep_workload_and_services_up_to_date.html).
``review(saved)`` re-runs the saved profile through ``recommend()`` and reports, for the
chosen (rank-1) compute, storage and database options: a newer generation or another option
that meets the same need for less (saving per month and per year), the prices that moved
(exact: the saved response carries the prices it used), options that disappeared, estimates a
new model version changed, and new risks.
"""

from __future__ import annotations

import json
import re
from typing import Any

from pydantic import ValidationError

from recommender.core.engine import recommend
from recommender.core.errors import UserError
from recommender.core.response import CatalogInfo, Option, PriceUsed, RecommendationResponse
from recommender.operations.findings import Finding, Review
from recommender.rules.base import HOURS_PER_MONTH, fmt_usd
from recommender.rules.compute.sizing import DEFAULT_HOURS
from recommender.rules.monitoring.base import PERF05_PAGES, PERF05_UP_TO_DATE
from recommender.rules.price_record import current_price, option_prices

REVIEWED = ("compute", "storage", "database")
#: Estimates a model produces; a change with the model version is reported.
MODEL_KEYS = ("perf_index", "runtime_s", "duration_ms", "cost_per_run_usd", "memory_mb")
_CITE = f" ({PERF05_UP_TO_DATE}: {PERF05_PAGES[PERF05_UP_TO_DATE]})"
_GENERATION = re.compile(r"(?:^|\.)([a-z]+)(\d+)[a-z-]*\.")


def parse_saved(data: Any, source: str = "response") -> RecommendationResponse:
    """A saved response (JSON text or data) with the profile a review re-runs.

    Raises
    ------
    UserError
        Not JSON, not a response (naming the field and the rule), or saved without its
        ``profile`` (made before responses carried one).
    """
    if isinstance(data, str | bytes):
        try:
            data = json.loads(data)
        except json.JSONDecodeError as exc:
            raise UserError(f"{source}: not JSON ({exc.msg} at line {exc.lineno})") from None
    if not isinstance(data, dict) or not isinstance(data.get("recommendations"), dict):
        raise UserError(f"{source}: not a recommendation response (the field "
                        "'recommendations' is missing)")
    try:
        saved = RecommendationResponse.model_validate(data)
    except ValidationError as exc:
        rules = "; ".join(f"{'.'.join(str(x) for x in e['loc'])}: {e['msg']}"
                          for e in exc.errors()[:5])
        raise UserError(f"{source}: not a valid saved response ({rules})") from None
    if not saved.profile:
        raise UserError(f"{source}: the field 'profile' is missing: the response was saved "
                        "before responses carried their profile; run `recommender recommend` "
                        "again and save that")
    return saved


def review(saved: Any, *, catalog: Any = None, models: Any = None,
           source: str = "response") -> Review:
    """Re-run a saved response's profile on the current catalog and models; report changes.

    Parameters
    ----------
    saved : RecommendationResponse, dict or JSON text
        A response saved by ``recommend`` (it carries its profile and prices).
    catalog : catalog.store.Catalog, optional
        Today's catalog; the embedded snapshot by default.
    models : optional
        As for ``recommend()``.
    source : str
        How to name the input in errors (a file name).
    """
    s = saved if isinstance(saved, RecommendationResponse) else parse_saved(saved, source)
    if catalog is None:
        from catalog.store import load_catalog

        catalog = load_catalog()
    current = recommend(s.profile or {}, catalog=catalog, models=models)
    return compare(s, current, catalog)


def compare(saved: RecommendationResponse, current: RecommendationResponse,
            catalog: Any) -> Review:
    """The findings between a saved response and today's response for the same profile."""
    findings: list[Finding] = []
    total = 0.0
    for category in REVIEWED:
        old = saved.best(category)
        if old is None:
            continue
        region = old.region or saved.region or ""
        now = _find(current.options(category), old)
        priced = [p for p in saved.prices if p.category == category
                  and p.option == old.option and p.rank in (None, old.rank)]
        hours = billed_hours(saved.profile, old) if category == "compute" else None
        moved = [f for p in priced
                 if (f := price_move(catalog, p, old, hours=hours)) is not None]
        findings.extend(moved)
        gone = disappeared(catalog, category, old, region, priced) if now is None else None
        if gone is not None:
            findings.append(gone)
        better = better_option(category, old, _cost_today(old, now, moved),
                               current.best(category))
        if better is not None:
            findings.append(better)
            total += better.saving_usd_per_month or 0.0
        if now is not None:
            findings.extend(model_changes(category, old, now, saved, current))
            findings.extend(new_risks(category, old, now))
    findings.extend(new_warnings(saved, current))
    return Review(name=saved.name, saved_catalog=saved.catalog, saved_model=saved.model,
                  current_catalog=current.catalog, current_model=current.model,
                  findings=findings, saving_usd_per_month=round(total, 2),
                  saving_usd_per_year=round(total * 12, 2))


def _same(a: Option, b: Option) -> bool:
    keys = ("instance_class", "deployment", "volume_type", "storage_class", "capacity_mode")
    return (a.option, a.kind, a.purchase_option) == (b.option, b.kind, b.purchase_option) and \
        all(a.config.get(k) == b.config.get(k) for k in keys)


def _find(options: list[Option], old: Option) -> Option | None:
    return next((o for o in options if _same(o, old)), None)


def generation(o: Option) -> tuple[str, int] | None:
    """(family letters, generation number) of an instance-based option, e.g. ('m', 7)."""
    name = str(o.config.get("instance_class") or o.option)
    m = _GENERATION.search(name + ".")
    return (m.group(1), int(m.group(2))) if m else None


def _cost_today(old: Option, now: Option | None, moved: list[Finding]) -> float | None:
    """What the saved choice costs today: re-run cost, else the saved cost re-priced."""
    if now is not None:
        return now.monthly_cost_usd
    if old.monthly_cost_usd is None:
        return None
    delta = sum(f.saving_usd_per_month or 0.0 for f in moved)
    return round(old.monthly_cost_usd - delta, 2)


def better_option(category: str, old: Option, cost_today: float | None,
                  new: Option | None) -> Finding | None:
    """Today's rank-1 when it differs from the saved choice and costs less per month."""
    if new is None or _same(new, old) or new.monthly_cost_usd is None or cost_today is None:
        return None
    saving = round(cost_today - new.monthly_cost_usd, 2)
    if saving <= 0:
        return None
    g_old, g_new = generation(old), generation(new)
    newer = g_old is not None and g_new is not None and g_new[1] > g_old[1]
    label = str(new.config.get("instance_class") or new.option)
    was = str(old.config.get("instance_class") or old.option)
    what = "a newer generation" if newer else "another option"
    text = (f"{label} ({what} than {was}) meets the same profile for "
            f"{fmt_usd(new.monthly_cost_usd)}/month against {fmt_usd(cost_today)}/month for "
            f"{was} today: {fmt_usd(saving)}/month, {fmt_usd(round(saving * 12, 2))}/year "
            f"less. Test it under the profile's load before moving" + _CITE + ".")
    return Finding(kind="newer_generation" if newer else "cheaper_option", category=category,
                   option=old.option, replacement=new.option, rule="review.better_option",
                   best_practice=PERF05_UP_TO_DATE, text=text,
                   saving_usd_per_month=saving, saving_usd_per_year=round(saving * 12, 2),
                   before={"option": was, "monthly_cost_usd": cost_today},
                   after={"option": label, "monthly_cost_usd": new.monthly_cost_usd})


def price_move(catalog: Any, saved: PriceUsed, old: Option, *,
               hours: float | None = None) -> Finding | None:
    """A saved price that differs in today's catalog, with its monthly effect when exact.

    ``hours``: the hours a month an EC2 option bills at the rate (:func:`billed_hours`);
    without them they are taken from its monthly cost, exact only when that cost is the
    rate x nodes x hours and nothing else.
    """
    now = current_price(catalog, saved, old)
    if now is None or abs(now - saved.usd) < 1e-12:
        return None
    pct = (now / saved.usd - 1) * 100 if saved.usd else None
    effect = _ec2_effect(saved, now, old, hours) if old.kind == "ec2" else \
        _storage_effect(saved, now, old) if old.kind == "ebs" else \
        _node_effect(saved, now, old)
    text = (f"{saved.key} {saved.item} price in {saved.region} moved from "
            f"${saved.usd:.6g} to ${now:.6g} per {saved.unit}"
            + (f" ({pct:+.1f}%)" if pct is not None else "")
            + (f" since {saved.price_as_of}" if saved.price_as_of else "")
            + (f": {fmt_usd(abs(effect))}/month {'less' if effect > 0 else 'more'} for "
               f"{old.option}" if effect else "")
            + (_hours_text(old, hours) if effect and hours is not None else "")
            + (_gib_text(old) if effect and old.kind == "ebs" else "") + _CITE + ".")
    return Finding(kind="price_changed", category=saved.category, option=old.option,
                   rule="review.price_changed", best_practice=PERF05_UP_TO_DATE, text=text,
                   severity="caution" if now > saved.usd else "info",
                   saving_usd_per_month=effect,
                   saving_usd_per_year=None if effect is None else round(effect * 12, 2),
                   before={"item": saved.item, "usd": saved.usd},
                   after={"item": saved.item, "usd": now})


def _ec2_effect(saved: PriceUsed, now: float, old: Option,
                hours: float | None = None) -> float | None:
    """Monthly effect of an EC2 rate move: the rate's change x nodes x the hours billed.

    The hours are :func:`billed_hours` when known, else the saved cost / (rate x nodes),
    which is exact only for a cost of rate x nodes x hours and nothing else.
    """
    if saved.item != f"ec2.{old.purchase_option}" or saved.unit != "hour" or \
            not old.monthly_cost_usd or not saved.usd:
        return None
    if hours is None:
        hours = old.monthly_cost_usd / (saved.usd * old.count)
    return round((saved.usd - now) * old.count * hours, 2)


UNLIMITED_URL = ("https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/"
                 "burstable-performance-instances-unlimited-mode.html")


def _hours_text(old: Option, hours: float) -> str:
    """How an EC2 effect was counted: nodes x hours at the rate (credits apart)."""
    credits = ("; its surplus CPU credits bill apart, at a flat rate per vCPU-hour "
               f"({UNLIMITED_URL})") if old.config.get("credit_mode") == "unlimited" else ""
    return f" ({old.count} x {hours:g} h at the rate{credits})"


EBS_PRICING_URL = "https://aws.amazon.com/ebs/pricing/"


def _gib_text(old: Option) -> str:
    """How an EBS storage effect was counted: the GiB provisioned at the rate."""
    return f" ({old.config.get('size_gib'):g} GiB provisioned at the rate, {EBS_PRICING_URL})"


def billed_hours(profile: dict[str, Any] | None, old: Option) -> float | None:
    """Hours a month an EC2 option bills at its hourly rate, as recommend priced it.

    A commitment bills ``config.billed_hours_per_month`` (730, used or not); an instance
    otherwise runs the profile's ``compute.hours_per_month`` (730 when absent,
    ``recommender.rules.compute.sizing.DEFAULT_HOURS``).  A burstable type in unlimited
    mode also bills its surplus CPU credits, "a flat additional rate per vCPU-hour"
    (:data:`UNLIMITED_URL`),
    on top of rate x nodes x hours, so the hours cannot come from the option's monthly cost
    (1,215 h for a t3a.medium of $27.45 + $18.25 of credits at $0.0376/h).  None for a
    batch job (billed its run hours: the cost is rate x nodes x run hours) and for options
    that are not EC2.
    """
    if old.kind != "ec2" or "job_hours_per_month" in old.predicted:
        return None
    billed = old.config.get("billed_hours_per_month")
    if isinstance(billed, int | float) and not isinstance(billed, bool) and billed > 0:
        return float(billed)
    compute = (profile or {}).get("compute")
    given = compute.get("hours_per_month") if isinstance(compute, dict) else None
    if isinstance(given, int | float) and not isinstance(given, bool) and given > 0:
        return float(given)
    return DEFAULT_HOURS


def _storage_effect(saved: PriceUsed, now: float, old: Option) -> float | None:
    """Monthly effect of an EBS storage rate move: the rate's change x the GiB provisioned.

    EBS bills "the storage you provision, in GB-months" (:data:`EBS_PRICING_URL`),
    all of ``config.size_gib`` (a RAID 0 array's: the sum of its volumes) at the volume
    type's rate, as recommend priced it.  The IOPS and throughput rows bill only what is
    provisioned above a type's included amount (io2 in tiers), so they are not counted here.
    """
    size = old.config.get("size_gib")
    if saved.item != "ebs.storage" or saved.unit != "GB-month" or \
            saved.key != str(old.config.get("volume_type") or old.option) or \
            not isinstance(size, int | float) or isinstance(size, bool) or size <= 0:
        return None
    return round((saved.usd - now) * float(size), 2)


def _node_effect(saved: PriceUsed, now: float, old: Option) -> float | None:
    """Monthly effect of a data-store node rate move (``rds.on_demand``, ``rds.reserved``,
    ``aurora.*``, ``elasticache.*``, ``redshift.*``, ``opensearch.*``), when exact.

    A database node bills every hour of the month (730 h) at its rate, so the effect is the
    rate's change x the nodes at that rate x 730.  Not from the option's monthly cost, which
    also holds storage and I/O (that inflated the hours: -$249.16 instead of -$262.58 for a
    10 % move on db.r6g.8xlarge).  Exact only when every node bills that row: not for RDS
    read replicas (the Single-AZ rate, another row) nor a row of another class (OpenSearch's
    dedicated masters).
    """
    service = old.option.partition(":")[0]
    if saved.item != f"{service}.{old.purchase_option}" or saved.unit != "hour" or \
            saved.key != old.config.get("instance_class"):
        return None
    if service == "rds" and old.config.get("read_replicas"):
        return None
    nodes = old.config.get("node_count") or old.count
    return round((saved.usd - now) * float(nodes) * HOURS_PER_MONTH, 2)


def disappeared(catalog: Any, category: str, old: Option, region: str,
                priced: list[PriceUsed]) -> Finding | None:
    """The saved choice has no price in today's catalog for its region."""
    if not priced or option_prices(catalog, category, old, region):
        return None
    text = (f"{old.option} is no longer priced in {region} in catalog today (it was in the "
            "saved response's catalog): it may be retired or not offered; move to today's "
            "rank-1" + _CITE + ".")
    return Finding(kind="option_disappeared", category=category, option=old.option,
                   rule="review.option_disappeared", best_practice=PERF05_UP_TO_DATE,
                   text=text, severity="caution")


def model_changes(category: str, old: Option, now: Option, saved: RecommendationResponse,
                  current: RecommendationResponse) -> list[Finding]:
    """Estimates of the same option that a new model version changed."""
    if saved.model.version == current.model.version:
        return []
    out = []
    for key in MODEL_KEYS:
        a, b = old.predicted.get(key), now.predicted.get(key)
        if not isinstance(a, int | float) or not isinstance(b, int | float) or a == b:
            continue
        text = (f"Model {saved.model.version} -> {current.model.version} changed {old.option}'s "
                f"{key} from {a:g} to {b:g}; re-check the choice against it" + _CITE + ".")
        out.append(Finding(kind="model_changed", category=category, option=old.option,
                           rule="review.model_changed", best_practice=PERF05_UP_TO_DATE,
                           text=text, before={key: float(a)}, after={key: float(b)}))
    return out


def new_risks(category: str, old: Option, now: Option) -> list[Finding]:
    """A higher performance risk, or cautions the saved option did not have."""
    seen = {r.rule for r in old.reasons if r.severity == "caution"}
    fresh = [r for r in now.reasons if r.severity == "caution" and r.rule not in seen]
    if now.performance_risk <= old.performance_risk and not fresh:
        return []
    text = (f"{old.option}: performance risk {old.performance_risk:g} -> "
            f"{now.performance_risk:g}" + "".join(f"; {r.text}" for r in fresh) + _CITE + ".")
    return [Finding(kind="new_risk", category=category, option=old.option,
                    rule="review.new_risk", best_practice=PERF05_UP_TO_DATE, text=text,
                    severity="caution", before={"performance_risk": old.performance_risk},
                    after={"performance_risk": now.performance_risk})]


def new_warnings(saved: RecommendationResponse, current: RecommendationResponse) -> list[Finding]:
    """Warnings today's run gives that the saved one did not."""
    return [Finding(kind="new_risk", category="general", option="(response)",
                    rule="review.new_warning", best_practice=PERF05_UP_TO_DATE,
                    text=w + _CITE + ".", severity="caution")
            for w in current.warnings if w not in saved.warnings]


def catalog_info(catalog: Any) -> CatalogInfo:
    """The ``catalog`` block of a catalog object (for reports without a re-run)."""
    return CatalogInfo(version=catalog.version, generated_at=catalog.generated_at,
                       regions=list(catalog.regions))


__all__ = ["compare", "parse_saved", "review"]
