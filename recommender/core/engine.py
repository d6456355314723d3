"""The recommendation engine: one pure orchestrator over the catalog.

``recommend(profile)`` runs profile -> region -> candidates -> filters (rejections counted by
reason) -> rule scores and model estimates -> rank -> explain, for the five categories of
the contract.  It is deterministic for the same inputs: every sort has a total order.

Per-catalog structures (the EC2 spec/price arrays, the price book, the region index) are
built once per catalog object and reused, so a warm call costs a few numpy masks.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from recommender.core.errors import ProfileError
from recommender.core.profile import WorkloadProfile, make_profile_error, parse_profile
from recommender.core.response import (
    CatalogInfo,
    ModelInfo,
    Option,
    RecommendationResponse,
    Recommendations,
    built_option,
)
from recommender.rules.base import Candidate, Rejections
from recommender.rules.bundle import build_bundle, bundle_host
from recommender.rules.compute.candidates import ec2_index
from recommender.rules.compute.select import select_compute
from recommender.rules.compute.sizing import derive_need
from recommender.rules.compute.whynot import why_not
from recommender.rules.database import database_options
from recommender.rules.monitoring import monitoring_for
from recommender.rules.network import (
    REFERENCE_REGION,
    internet_data_out,
    network_features,
    network_options,
    region_index,
    region_options,
)
from recommender.rules.price_record import prices_used
from recommender.rules.prices import price_book
from recommender.rules.rank import rank_others
from recommender.rules.storage.block import storage_options
from recommender.rules.tradeoffs import tradeoff_options

DEFAULT_TOP_N = 3


def _default_models() -> Any:
    """The model bundle from ``recommender.models.load_models()``, or None (rules only).

    A missing or damaged artifact means rules only, until the files change.
    """
    # The artifacts' state, re-checked when their files change (stat'ed at most once a
    # second while loaded, every call while not): one failed
    # load does not mean rules-only forever, and /healthz reports why (issue 12).
    from recommender.models.artifacts import model_state

    return model_state().bundle


def _default_catalog() -> Any:
    """The embedded snapshot through ``load_catalog()`` (cached there; a rebuilt snapshot
    clears that cache, so the engine follows it)."""
    from catalog.store import load_catalog

    return load_catalog()


def resolve_models(models: Any = None) -> Any:
    """The model bundle ``recommend()`` uses for its ``models`` argument.

    Parameters
    ----------
    models : optional
        ``None`` for the default bundle (loaded once per process), ``False`` for the rules
        only, else a bundle used as given.

    Returns
    -------
    The bundle, or None when the rules stand alone.
    """
    return _default_models() if models is None else (None if models is False else models)


def model_info(models: Any) -> ModelInfo:
    """The ``model`` block of a response for a resolved bundle (see :func:`resolve_models`).

    Parameters
    ----------
    models : optional
        A bundle (object or dict with ``version`` and ``trained_at``), or None.

    Returns
    -------
    ModelInfo
        ``rules-only`` when there is no bundle.
    """
    if models is None:
        return ModelInfo(version="rules-only", trained_at=None)
    get = models.get if isinstance(models, dict) else lambda k, d=None: getattr(models, k, d)
    version = get("version", None) or "unknown"
    trained = get("trained_at", None)
    return ModelInfo(version=str(version), trained_at=None if trained is None else str(trained))


def _options(cands: list[Candidate], region: str, top_n: int | None) -> list[Option]:
    chosen = cands if top_n is None else cands[:top_n]
    return [  # (built_option: the values are the engine's own, see its docstring)
        built_option(rank=k, option=c.option, kind=c.kind, count=c.count,
                     purchase_option=c.purchase_option, score=round(c.score, 4),
                     monthly_cost_usd=None if c.monthly_cost_usd is None else round(
                         c.monthly_cost_usd, 2),
                     performance_risk=float(min(4.0, c.risk)), predicted=c.predicted,
                     reasons=c.reasons, config=c.config, region=region, unpriced=c.unpriced,
                     # Any unverified figure behind the option shows as a "verify" reason.
                     verify=c.verify or any(r.severity == "verify" for r in c.reasons))
        for k, c in enumerate(chosen, start=1)
    ]


def _nothing_fits(category: str, rej: Rejections, prefixes: tuple[str, ...]) -> str:
    counts = {k: v for k, v in rej.counts.items() if k.startswith(prefixes)}
    if not counts:
        return f"No {category} option fits the profile."
    key = max(sorted(counts), key=lambda k: counts[k])
    near = rej.examples.get(key, [])
    words = key.split(".", 1)[-1].replace("_", " ")
    return (f"No {category} option fits. Tightest constraint: {words} ({key}), which rejected "
            f"{counts[key]} option(s). "
            + _ADMIT.get(category, "Relax that constraint or try another region.")
            + (f" The options that came closest: {', '.join(near[:3])}." if near else ""))


#: What would admit options when a category has none (said with the no-fit warning).
_ADMIT = {
    "storage": "Striping volumes (RAID 0), instance store for scratch data, a lower IOPS/"
               "throughput/latency need or another region would admit options.",
    "database": "Relaxing the latency, size or request rate, read replicas/sharding for scale, "
                "or another region would admit options.",
}


def recommend(
    profile: WorkloadProfile | dict[str, Any] | str,
    catalog: Any = None,
    models: Any = None,
    explain: list[str] | None = None,
) -> RecommendationResponse:
    """Recommend ranked, priced options with reasons for a workload profile.

    Parameters
    ----------
    profile : WorkloadProfile, dict or JSON text
        The workload (CONTRACT section 1); dicts and JSON are validated first.
    catalog : catalog.store.Catalog, optional
        The catalog to use; the embedded snapshot (``load_catalog()``) by default.
    models : optional
        A model bundle; ``None`` loads ``recommender.models.load_models()`` when it works,
        ``False`` forces the rules only.
    explain : list of str, optional
        Option ids to answer "why not X" for (joined with the profile's ``explain``), in
        ``response.why_not``: the first constraint X fails, or its cost and risk against #1.

    Returns
    -------
    RecommendationResponse

    Raises
    ------
    ProfileError
        When the profile breaks a rule (names the field and the rule), including a region
        the catalog does not price.
    """
    p = parse_profile(profile)
    if catalog is None:
        catalog = _default_catalog()
    bundle = resolve_models(models)
    ix = ec2_index(catalog)
    book = price_book(catalog)
    ri = region_index(catalog, ix)
    warnings: list[str] = []
    rej = Rejections()
    objective = p.objective or "balanced"
    _check_regions(p, ri, warnings)
    # The chosen region and, with user regions, two runners-up are all that is shown.
    regions = region_options(p, ri, objective, warnings, keep=3)
    region = regions[0].config["region"] if regions else REFERENCE_REGION

    recs = Recommendations()
    res = None
    if p.compute is not None:
        # Lambda's memory per vCPU sizes the CPU of event-driven work that gives none.
        need = derive_need(p, book.fact_float("lambda", "memory_per_vcpu_equivalent"))
        res = select_compute(p, need, ix, book, region, objective=objective,
                             top_n=p.top_n or DEFAULT_TOP_N, rej=rej, warnings=warnings,
                             models=bundle, catalog=catalog)
        recs.compute = res.options
    _data_stores(p, recs, res, catalog=catalog, book=book, region=region, rej=rej,
                 warnings=warnings)
    net = _network(p, recs, regions, res, book=book, ri=ri)
    # The compression stake reuses the network stage's CloudFront figure (priced once).
    to = tradeoff_options(p, book, region, res.peak_to_average if res else None,
                          edge=next((c for c in net if c.kind == "cloudfront"), None))
    recs.tradeoffs = _options(rank_others(to, objective), region, None)
    return _response(p, recs, res, _Run(catalog=catalog, bundle=bundle, book=book,
                                        region=region, rej=rej, warnings=warnings,
                                        echo=p.model_dump(mode="json", exclude_none=True)),
                     explain=explain)


@dataclass(frozen=True)
class _Run:
    """What one ``recommend()`` call resolved, for the response."""

    catalog: Any
    bundle: Any
    book: Any
    region: str
    rej: Rejections
    warnings: list[str]
    echo: dict[str, Any]  # the profile as the response echoes it


def _response(p: WorkloadProfile, recs: Recommendations, res: Any, run: _Run, *,
              explain: list[str] | None) -> RecommendationResponse:
    """The response around the ranked options: provenance, bundle, why-not, review data."""
    catalog, region = run.catalog, run.region
    # The bundle's compute and storage, chosen once for the bundle and its alarms.
    host = bundle_host(recs)
    bundle = build_bundle(recs, p, data_out=_data_out(p, recs, run.book, region), book=run.book,
                          host=host)
    return RecommendationResponse(
        name=p.name,
        region=region,
        catalog=CatalogInfo(version=catalog.version, generated_at=catalog.generated_at,
                            regions=list(catalog.regions)),
        model=model_info(run.bundle),
        recommendations=recs,
        rejected=run.rej.as_dict(),
        warnings=run.warnings,
        bundle=bundle,
        why_not=why_not(res, list(dict.fromkeys([*(p.explain or []), *(explain or [])])),
                        recs=recs, rejected=run.rej),
        # What a later review needs (recommender.operations): the profile, the prices used,
        # and the alarms that tell whether the choice still holds.
        profile=run.echo,
        prices=prices_used(recs, catalog, region),
        monitoring=monitoring_for(p, recs, catalog, region, bundle=bundle, host=host[0]),
    )


def _data_out(
    p: WorkloadProfile, recs: Recommendations, book: Any, region: str
) -> Option | None:
    """The region's data out to the internet as a bundle component (None without egress)."""
    edge = any(o.kind == "cloudfront" for o in recs.network)
    c = internet_data_out(p, book, region, edge_served=edge)
    return None if c is None else _options([c], region, None)[0]


def _check_regions(p: WorkloadProfile, ri: Any, warnings: list[str]) -> None:
    """A pinned region must have EC2 prices (else a ProfileError); unknown user regions warn."""
    if p.region not in (None, "auto") and p.region not in ri.price_index:
        raise make_profile_error([{
            "field": "region",
            "rule": f"{p.region!r} has no EC2 prices in the catalog; use 'auto' or one of "
                    f"{', '.join(ri.regions)}",
        }])
    if p.network and p.network.user_regions:
        unknown = sorted(u for u in p.network.user_regions if u not in ri.location)
        if unknown:
            warnings.append(f"user_regions {unknown} are not in the catalog's regions; their "
                            "latency is unknown and they are left out of the region choice.")


def _data_stores(
    p: WorkloadProfile, recs: Recommendations, res: Any, *, catalog: Any, book: Any,
    region: str, rej: Rejections, warnings: list[str],
) -> None:
    """Storage (checked against the top EC2 choice) and database options into ``recs``."""
    objective = p.objective or "balanced"
    top_n = p.top_n or DEFAULT_TOP_N
    if p.storage is not None:
        st = storage_options(p, catalog, book, region, rej,
                             instance_store=res.instance_store if res else None,
                             instance=res.top_ec2 if res else None)
        recs.storage = _options(rank_others(st, objective, keep=top_n), region, top_n)
        if not recs.storage:
            warnings.append(_nothing_fits("storage", rej, ("ebs.", "storage.")))
    if p.database is not None:
        db = database_options(p, catalog, book, region, rej)
        recs.database = _options(rank_others(db, objective, keep=top_n), region, top_n)
        if not recs.database:
            warnings.append(_nothing_fits("database", rej, ("dynamodb.", "database.")))


def _network(
    p: WorkloadProfile, recs: Recommendations, regions: list[Candidate], res: Any, *,
    book: Any, ri: Any,
) -> list[Candidate]:
    """The chosen region first, then the network features (not alternatives to one another),
    the add-ons of the chosen compute, then runner-up regions.  Returns the features'
    candidates (their unrounded figures, for the later stages)."""
    region = regions[0].config["region"] if regions else REFERENCE_REGION
    top_ec2 = res.top_ec2 if res else None
    net = network_features(network_options(p, book, region, top_ec2, ri), top_ec2)
    if p.network is not None or p.region in (None, "auto") or net:
        alt = [c for c in regions[1:3]] if p.network and p.network.user_regions else []
        recs.network = _options(regions[:1] + net + alt, region, None)
    return net


__all__ = ["ProfileError", "model_info", "recommend", "resolve_models"]
