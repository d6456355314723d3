"""The recommended architecture as one bundle with its total monthly cost.

The bundle takes the rank-1 option of each category the profile asks for (compute, its
storage, the database), the network items the profile calls for, the add-ons that belong to
the chosen compute (placement group, EFA, ENA Express, enhanced networking: attached to it,
not ranked against a region or CloudFront) and the trade-offs that apply; it adds up their
monthly costs per role, lists what is not priced (every chosen option's ``unpriced`` and any
component without a price), and names the either/or alternatives that would change it
(managed RDS/Aurora vs a self-managed database on EC2; Lambda/Fargate vs EC2).  PERF01-BP03
(factor cost into decisions) and PERF01-BP04 (evaluate trade-offs).

Scratch data of a Fargate task goes on the task's own ephemeral storage, not a separate EBS
volume: every task on Linux platform version 1.4.0 or later gets 20 GiB, configurable up to
200 GiB (FARGATE_STORAGE_URL), and only the GB configured above 20 are billed, per GB-hour
(FARGATE_PRICING_URL; the catalog's ``fargate.ephemeral_storage_gb_hour``).  A Lambda
function's scratch data goes in its ``/tmp``, which its option sized and priced
(:func:`recommender.rules.compute.lambda_storage.lambda_scratch`).  Persistent data on EBS
counts one volume per EC2 node or Fargate task (:func:`per_node_volumes`).
"""

from __future__ import annotations

import math

from recommender.core.profile import WorkloadProfile
from recommender.core.response import (
    Bundle,
    BundleAlternative,
    BundleComponent,
    Option,
    Recommendations,
    Unpriced,
)
from recommender.rules.base import (
    HOURS_PER_MONTH,
    PERF01_COST,
    assembled,
    fmt_num,
    fmt_usd,
    reason,
)
from recommender.rules.compute.fargate_limits import (
    FARGATE_INCLUDED_GIB,
    FARGATE_MAX_GIB,
    FARGATE_STORAGE_URL,
)
from recommender.rules.compute.lambda_storage import lambda_scratch
from recommender.rules.network import COMPUTE_ADD_ONS
from recommender.rules.prices import PriceBook

INSTANCE_STORE_PAGE = ("https://docs.aws.amazon.com/ec2/latest/instancetypes/"
                       "so-instance-store-volumes.html")


FARGATE_PRICING_URL = "https://aws.amazon.com/fargate/pricing/"
FARGATE_EPHEMERAL_ITEM = "fargate.ephemeral_storage_gb_hour"


def is_add_on(o: Option) -> bool:
    """A network option that configures the chosen compute (attached to it in the bundle)."""
    return o.kind in COMPUTE_ADD_ONS


#: Every field of a component, all given by :func:`_component`.
_COMPONENT_FIELDS = frozenset(BundleComponent.model_fields)


def _component(role: str, category: str, o: Option, why: str,
               add_ons: list[str] | None = None) -> BundleComponent:
    ons = add_ons or []
    option, kind, count, cost = o.option, o.kind, o.count, o.monthly_cost_usd
    if (type(role) is str and type(category) is str
            and type(option) is str and type(kind) is str and type(count) is int
            and (cost is None or type(cost) is float) and type(why) is str
            and type(ons) is list and all(type(a) is str for a in ons)):
        # (the option's own values, of their exact types: validation would only copy them)
        return assembled(BundleComponent, {
            "role": role, "category": category, "option": option, "kind": kind,
            "count": count, "monthly_cost_usd": cost, "add_ons": list(ons), "why": why},
            _COMPONENT_FIELDS)
    return BundleComponent(role=role, category=category, option=option, kind=kind,
                           count=count, monthly_cost_usd=cost, add_ons=ons, why=why)


def _unpriced(o: Option, category: str) -> list[Unpriced]:
    out = list(o.unpriced)
    # A region is a choice, not a charge: what it costs is in the other components (data
    # out to the internet among them).
    if o.monthly_cost_usd is None and not out and o.kind != "region":
        out.append(Unpriced(item=f"{category}: {o.option}",
                            reason="the catalog has no price for it in this region; see its "
                                   "reasons"))
    return out


def build_bundle(recs: Recommendations, p: WorkloadProfile, *,
                 data_out: Option | None = None,
                 book: PriceBook | None = None,
                 host: tuple[Option | None, Option | None, str] | None = None) -> Bundle | None:
    """The bundle of ``recs`` (None when nothing is recommended).

    ``data_out`` is the region's data out to the internet
    (:func:`recommender.rules.network.internet_data_out`): not a ranked option, but a cost
    of the architecture, so it is a network component of its own.  ``book`` prices a
    Fargate task's ephemeral storage above the included 20 GiB (:func:`fargate_scratch`);
    without it, such storage keeps the ranked volume.  ``host`` is :func:`bundle_host` of
    ``recs`` when the caller has it (the engine hands the same one to the monitoring).
    """
    parts = _parts(recs, p, book, bundle_host(recs) if host is None else host)
    if data_out is not None:
        # With the network items, before the trade-offs.
        at = next((k for k, (c, _) in enumerate(parts) if c.role == "tradeoff"), len(parts))
        parts.insert(at, (_component("network", "network", data_out,
                                     data_out.reasons[-1].text if data_out.reasons else
                                     "data out to the internet"), data_out))
    if not parts:
        return None
    return _totals(parts, _alternatives(recs, p))


def _parts(recs: Recommendations, p: WorkloadProfile, book: PriceBook | None,
           chosen: tuple[Option | None, Option | None, str],
           ) -> list[tuple[BundleComponent, Option]]:
    """The chosen option of each category, the network items and add-ons, the trade-offs."""
    parts: list[tuple[BundleComponent, Option]] = []
    net = recs.network
    add_ons = [o for o in net if is_add_on(o)]
    host, store, host_why = chosen
    if host is not None:
        attach = [o.option for o in add_ons] if host.kind == "ec2" else []
        parts.append((_component("compute", "compute", host, host_why, attach), host))
    scratch = fargate_scratch(host, store, p, book) or lambda_scratch(host, store)
    if scratch is not None:
        # Configured in the task definition (the function), so it belongs to the compute
        # category (the export then creates no EBS volume for it).
        store = None
        parts.append((_component("storage", "compute", scratch, scratch.reasons[0].text),
                      scratch))
    if store is not None:
        store, why = per_node_volumes(host, store, p)
        parts.append((_component("storage", "storage", store, why), store))
    if recs.database:
        parts.append((_component("database", "database", recs.database[0],
                                 "rank 1 of database"), recs.database[0]))
    for o in net:
        if not is_add_on(o) and not (o.kind == "region" and o.rank > 1):
            parts.append((_component("network", "network", o, "called for by the profile"), o))
    for o in add_ons:
        if host is None or host.kind != "ec2":
            parts.append((_component("network", "network", o, "network add-on"), o))
        else:
            parts.append((_component("network", "network", o, f"add-on of {host.option}"), o))
    for o in recs.tradeoffs:
        parts.append((_component("tradeoff", "tradeoffs", o, "applies to the profile"), o))
    return parts


#: Storage that needs an EC2 host: instance store is the instance's own disk
#: (https://docs.aws.amazon.com/ec2/latest/instancetypes/so-instance-store-volumes.html);
#: a RAID 0 array is striped by the instance's OS across several volumes
#: (https://docs.aws.amazon.com/ebs/latest/userguide/raid-config.html), while an ECS task on
#: Fargate takes one EBS volume (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/
#: ebs-volumes.html) and Lambda none.
def _needs_ec2_host(store: Option, compute_kind: str) -> bool:
    if store.kind == "instance_store":
        return True
    if store.kind == "ebs":
        return compute_kind == "lambda" or store.count > 1
    return False


EBS_ATTACH_URL = "https://docs.aws.amazon.com/ebs/latest/userguide/ebs-attaching-volume.html"
BLOCK_DEVICE_URL = ("https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/"
                    "block-device-mapping-concepts.html")
ECS_EBS_URL = "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ebs-volumes.html"


def per_node_volumes(host: Option | None, store: Option,
                     p: WorkloadProfile) -> tuple[Option, str]:
    """The storage of the bundle with one EBS volume (or array) per node or task, and why.

    EC2: a volume attaches to one instance at a time, Multi-Attach aside (EBS_ATTACH_URL),
    and the volumes of a launch template's block device mapping are created for every
    instance it launches (BLOCK_DEVICE_URL; the export puts the data volume there).
    Fargate: ECS attaches at most one EBS volume to each task, a new one for every task
    (ECS_EBS_URL), so a service of N tasks runs N volumes.  Either way, N nodes or tasks
    holding their own data (``sharing`` single_instance or absent) run N volumes: the
    storage is counted N times, its cost x N.
    """
    s = p.storage
    one = "rank 1 of storage, the compute's data"
    if host is None or host.kind not in ("ec2", "fargate") or host.count <= 1 or \
            store.kind != "ebs" or (s is not None and s.sharing not in (None, "single_instance")):
        return store, one
    n = host.count
    cost = None if store.monthly_cost_usd is None else round(store.monthly_cost_usd * n, 2)
    if host.kind == "fargate":
        since = (f"per task, {n} tasks, since ECS attaches one EBS volume to each task, a new "
                 f"one per task ({ECS_EBS_URL})")
    else:
        since = (f"per node, {n} nodes, since a volume attaches to one instance "
                 f"({EBS_ATTACH_URL}) and the launch template's block device mapping gives "
                 f"each instance its own ({BLOCK_DEVICE_URL})")
    why = (f"{one}: one {store.option} x {store.count} {since}: "
           f"{fmt_usd(store.monthly_cost_usd or 0.0)} x {n} = {fmt_usd(cost or 0.0)}/month")
    return store.model_copy(update={"count": store.count * n, "monthly_cost_usd": cost}), why


def fargate_scratch(host: Option | None, store: Option | None, p: WorkloadProfile,
                    book: PriceBook | None) -> Option | None:
    """The Fargate task's ephemeral storage in place of a scratch EBS volume, or None.

    It applies when the bundle's compute is Fargate and its storage one EBS volume of
    scratch data for one task (``persistence`` scratch, not shared) of at most 200 GiB: each
    task has that storage anyway, 20 GiB included and up to 200 GiB configurable, deleted
    when the task stops (FARGATE_STORAGE_URL), so the volume is not needed; its IOPS and
    throughput share the task's EBS baseline, which the compute stage already sized the task
    for (:func:`recommender.rules.compute.fargate.fargate_ebs_floor`).  Cost: (GiB
    configured - 20) x the catalog's GB-hour price x task hours x tasks (FARGATE_PRICING_URL);
    kept only when not dearer than the volumes, one per task (:func:`per_node_volumes`).
    The container image is stored on the same storage (FARGATE_STORAGE_URL): its size is not
    in the profile, so it is named unpriced.
    """
    s = p.storage
    if host is None or store is None or host.kind != "fargate" or s is None or \
            s.persistence != "scratch" or s.sharing not in (None, "single_instance") or \
            store.kind != "ebs" or store.count != 1:
        return None
    size = float(store.config.get("size_gib") or (s.size_gib.min if s.size_gib else 0) or 0)
    gib = max(FARGATE_INCLUDED_GIB, math.ceil(size))
    hours = (p.compute.hours_per_month if p.compute else None) or HOURS_PER_MONTH
    extra = gib - FARGATE_INCLUDED_GIB
    priced = (book.cost(FARGATE_EPHEMERAL_ITEM, host.region or "",
                        extra * hours * host.count, per="GB-hour")
              if book is not None else None)
    if gib > FARGATE_MAX_GIB or (priced is None and extra > 0):
        return None
    usd = round(priced.usd, 2) if priced is not None else 0.0
    # The volume it replaces is one per task (per_node_volumes), so N tasks save N volumes.
    volumes = None if store.monthly_cost_usd is None else store.monthly_cost_usd * host.count
    if volumes is not None and usd > volumes:
        return None
    rate_text = (f"${priced.unit_price_usd:g} per GB-hour" if priced
                 else "the catalog's GB-hour price")
    why = (f"{fmt_num(size)} GiB of scratch data on the Fargate task's own ephemeral "
           f"storage ({gib} GiB configured: {FARGATE_INCLUDED_GIB} GiB included, up to "
           f"{FARGATE_MAX_GIB} GiB, {FARGATE_STORAGE_URL}) instead of "
           + (f"a separate {store.option} volume" if host.count == 1 else
              f"{host.count} separate {store.option} volumes, one per task")
           + f" ({fmt_usd(volumes or 0.0)}/month): "
           f"{extra} GiB above the included x {rate_text} x {fmt_num(hours)} h x "
           f"{host.count} task(s) = {fmt_usd(usd)}/month ({FARGATE_PRICING_URL}).")
    image = Unpriced(
        item="Fargate ephemeral storage for the container image",
        reason=(f"the pulled and uncompressed image is stored on the same ephemeral "
                f"storage ({FARGATE_STORAGE_URL}) and its size is not in the profile: "
                f"{fmt_num(gib - size)} GiB of the {gib} GiB configured are left for it; "
                f"each GiB configured above {FARGATE_INCLUDED_GIB} is billed at {rate_text} "
                f"per task ({FARGATE_PRICING_URL})"))
    return host.model_copy(update={
        "option": "fargate:ephemeral_storage", "kind": "fargate_ephemeral_storage",
        "monthly_cost_usd": usd, "unpriced": [image], "predicted": {},
        "verify": bool(priced and priced.verify),
        "config": {"ephemeral_storage_gib": gib, "size_gib": size, "replaces": store.option},
        "reasons": [reason("bundle.fargate_ephemeral_storage", PERF01_COST, why)]})


def bundle_host(recs: Recommendations) -> tuple[Option | None, Option | None, str]:
    """(compute, storage, why) of the bundle: rank 1 of each, unless the storage needs a host.

    Instance store comes with its instance, so that instance is the compute, at the
    instance's price (``config.instance_monthly_cost_usd``; the storage option itself shows
    the change of host), counted once, and the storage component costs nothing more; EBS a
    Fargate task
    or Lambda cannot mount takes the best EC2 option as the host.
    """
    c = recs.compute[0] if recs.compute else None
    st = recs.storage[0] if recs.storage else None
    # A function holding the scratch data in its /tmp needs no host (lambda_scratch).
    if st is None or c is None or lambda_scratch(c, st) is not None or \
            not _needs_ec2_host(st, c.kind):
        return c, st, "rank 1 of compute"
    if st.kind == "instance_store":
        itype = str(st.config.get("instance_type"))
        # (The store option is priced as the change of host; the host costs the instance.)
        host = st.model_copy(update={
            "option": itype, "kind": "ec2", "count": st.count,
            "monthly_cost_usd": st.config.get("instance_monthly_cost_usd",
                                              st.monthly_cost_usd)})
        return host, st.model_copy(update={"monthly_cost_usd": 0.0}), (
            f"{itype}: its local NVMe holds the scratch data and it meets the compute need, "
            f"so it is the compute, priced once (instance store, {INSTANCE_STORE_PAGE})")
    ec2 = next((o for o in recs.compute if o.kind == "ec2"), None)
    if ec2 is None:
        return c, st, "rank 1 of compute"
    return ec2, st, (f"best EC2 option: {st.option} x {st.count} needs an instance to "
                     f"attach to ({c.kind} cannot mount it)")


def _totals(parts: list[tuple[BundleComponent, Option]],
            alternatives: list[BundleAlternative]) -> Bundle:
    breakdown: dict[str, float] = {}
    unpriced: list[Unpriced] = []
    seen: set[tuple[str, str, float | None]] = set()
    for comp, o in parts:
        if o.monthly_cost_usd is not None:
            breakdown[comp.role] = round(breakdown.get(comp.role, 0.0) + o.monthly_cost_usd, 2)
        # Once each: an instance-store host and its storage are one option seen twice (the
        # model's equality is its three fields' equality, so they are compared as a tuple).
        for u in _unpriced(o, comp.category):
            key = (u.item, u.reason, u.estimate_monthly_usd)
            if key not in seen:
                seen.add(key)
                unpriced.append(u)
    total = round(sum(breakdown.values()), 2)
    text = (f"Total {fmt_usd(total)}/month = " + " + ".join(
        f"{role} {fmt_usd(v)}" for role, v in breakdown.items()) +
        (f"; {len(unpriced)} cost(s) not priced are listed in unpriced." if unpriced else "."))
    return Bundle(components=[c for c, _ in parts], total_monthly_usd=total,
                  breakdown=breakdown, unpriced=unpriced, alternatives=alternatives,
                  reasons=[reason("bundle.total", PERF01_COST, text)])


def _alternatives(recs: Recommendations, p: WorkloadProfile) -> list[BundleAlternative]:
    """Either/or pairs: managed database vs self-managed on EC2, serverless vs EC2."""
    out: list[BundleAlternative] = []
    db = recs.database[0] if recs.database else None
    if db is not None and db.option.startswith(("rds:", "aurora:")) and recs.compute:
        host = recs.compute[0]
        st = recs.storage[0] if recs.storage else None
        out.append(BundleAlternative(
            replaces=db.option, category="database",
            option=f"self-managed on {host.option}" + (f" + {st.option}" if st else ""),
            monthly_cost_usd=None, delta_monthly_usd=(
                None if db.monthly_cost_usd is None else -db.monthly_cost_usd),
            trade_off="Either/or: running the engine yourself on the EC2 and block storage "
                      "already in the bundle saves the managed price but you patch, back up "
                      "and fail over yourself (PERF03-BP01: prefer a purpose-built managed "
                      "store)."))
    c = recs.compute[0] if recs.compute else None
    for o in recs.compute[1:]:
        if c is None or o.kind == c.kind or o.kind not in ("ec2", "fargate", "lambda"):
            continue
        delta = (None if o.monthly_cost_usd is None or c.monthly_cost_usd is None
                 else round(o.monthly_cost_usd - c.monthly_cost_usd, 2))
        out.append(BundleAlternative(
            replaces=c.option, category="compute", option=o.option,
            monthly_cost_usd=o.monthly_cost_usd, delta_monthly_usd=delta,
            trade_off=f"Either/or: {o.kind} instead of {c.kind} (rank {o.rank} of compute)."))
        break
    if p.network and p.network.user_regions and len(p.network.user_regions) > 1 and \
            p.region not in (None, "auto"):
        out.append(BundleAlternative(
            replaces="single region", category="network",
            option="second region + route53_latency_routing", trade_off=(
                "Users in several regions: a second region with Route 53 latency routing "
                "would cut their latency; it needs region 'auto' or more than one region.")))
    return out

