"""Find PTUs and GPU endpoints: tagged ones via the tagging API, untagged via list calls.

Regions are read concurrently, each with a pool of ``factory.workers`` threads sharing the
factory's clients (so adaptive retry slows them all down together on throttling).
Describes start as list pages arrive. Each resource type's describe calls come from its
data (:class:`gpukit.guard.resource_types.Describe`); descriptions that never change are
read from a :class:`~gpukit.guard.describe_cache.DescriptionCache` when one is given.
The answers become the plain :class:`gpukit.policies.model.Resource` the rules read.

A failing list call is a :class:`DiscoveryError` and the scan goes on with what it could
read. A resource that could not be described (throttled to the end, or any other error)
is :class:`Unknown`: never judged, never acted on. Results are sorted by ARN, whatever
the threads' timing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from gpukit.guard.awsutil import AwsError, arn_parts, arn_type, error_message, jsonable, operation
from gpukit.guard.clients import ClientFactory
from gpukit.guard.configs import compact, endpoint_config, iso_time, moment, ptu_config
from gpukit.guard.describe_cache import DescriptionCache
from gpukit.guard.resource_types import (
    RESOURCE_TYPES,
    TAGGING_PAGE_SIZE,
    Describe,
    ResourceType,
)
from gpukit.guard.scaling import scalable_targets
from gpukit.policies.model import Resource

__all__ = ["Discovered", "DiscoveryResult", "Unknown", "discover", "endpoint_config", "ptu_config"]


@dataclass(frozen=True)
class Discovered:
    """A resource as the rules see it, plus its descriptions (only the fields the guard
    uses: see ``Describe.keep``) and tags, kept for recheck and snapshots."""

    rtype: ResourceType
    resource: Resource
    raw: dict[str, Any]


@dataclass(frozen=True)
class DiscoveryError:
    region: str
    call: str
    detail: str


@dataclass(frozen=True, order=True)
class Unknown:
    """A resource found but not described: unknown, so never judged idle nor acted on."""

    arn: str
    region: str
    call: str
    detail: str


@dataclass
class DiscoveryResult:
    found: list[Discovered] = field(default_factory=list)
    errors: list[DiscoveryError] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    unknown: list[Unknown] = field(default_factory=list)

    def extend(self, other: DiscoveryResult) -> None:
        self.found += other.found
        self.errors += other.errors
        self.skipped += other.skipped
        self.unknown += other.unknown

    def sort(self) -> None:
        self.found.sort(key=lambda d: d.resource.arn)
        self.errors.sort(key=lambda e: (e.region, e.call, e.detail))
        self.skipped.sort()
        self.unknown.sort()


#: Called with each region's result as soon as that region is done.
RegionDone = Callable[[str, DiscoveryResult], None]


@dataclass
class _Entry:
    """One resource on its way: what the list calls said, then its descriptions."""

    rtype: ResourceType
    arn: str
    region: str
    summary: dict[str, Any] | None = None
    tags: dict[str, str] | None = None
    described: dict[str, dict[str, Any]] = field(default_factory=dict)
    failed: Unknown | None = None

    @property
    def name(self) -> str:
        listed = (self.summary or {}).get(self.rtype.name_field)
        return str(listed or self.arn.rsplit("/", 1)[-1])

    @property
    def account(self) -> str:
        return arn_parts(self.arn)[2]

    def param(self, describe: Describe) -> str:
        if describe.source == "arn":
            return self.arn
        if describe.source == "name":
            return self.name
        _, before = describe.source.split(":", 1)
        return str(next(d[before] for d in self.described.values() if before in d))

    def fail(self, call: str, exc: Exception) -> None:
        detail = error_message(exc) if isinstance(exc, AwsError) else f"{type(exc).__name__}: {exc}"
        self.failed = Unknown(self.arn, self.region, call, detail)


def discover(
    factory: ClientFactory,
    regions: Iterable[str],
    types: Iterable[ResourceType] = RESOURCE_TYPES,
    progress: Callable[[str], None] | None = None,
    cache: DescriptionCache | None = None,
    on_region: RegionDone | None = None,
) -> DiscoveryResult:
    """Discover every resource of ``types`` in ``regions`` (concurrently)."""
    kinds = tuple(types)
    chosen = list(dict.fromkeys(regions))
    say = progress or (lambda _msg: None)

    def one(region: str) -> DiscoveryResult:
        say(f"discovering in {region}")
        part = _Region(factory, region, kinds, cache).run()
        part.sort()
        if on_region is not None:
            on_region(region, part)
        return part

    result = DiscoveryResult()
    with ThreadPoolExecutor(max(1, len(chosen)), thread_name_prefix="gpukit-region") as pool:
        for part in [f.result() for f in [pool.submit(one, r) for r in chosen]]:
            result.extend(part)
    result.sort()
    return result


class _Region:
    """Discovery in one region, on a pool of ``factory.workers`` threads."""

    def __init__(
        self,
        factory: ClientFactory,
        region: str,
        types: tuple[ResourceType, ...],
        cache: DescriptionCache | None,
    ) -> None:
        self.factory, self.region, self.types, self.cache = factory, region, types, cache
        self.out = DiscoveryResult()

    def client(self, rtype: ResourceType) -> Any:
        return self.factory.client(rtype.service, self.region)

    def run(self) -> DiscoveryResult:
        with ThreadPoolExecutor(self.factory.workers, thread_name_prefix="gpukit-read") as pool:
            scaling = {
                t.scaling_namespace: pool.submit(self._scalable_targets, t.scaling_namespace)
                for t in self.types
                if t.scaling_namespace
            }
            tagged = self._tagged()
            entries: dict[str, _Entry] = {}
            started: list[Future[None]] = []

            def start(entry: _Entry) -> None:
                entries[entry.arn] = entry
                started.append(pool.submit(self._describe_uncached, entry))

            for rtype in self.types:
                self._listed(rtype, tagged, entries, start)
            for arn, entry in sorted(tagged.items()):
                if arn not in entries:
                    start(entry)
            for future in started:
                future.result()
            for rtype in self.types:
                mine = [e for e in entries.values() if e.rtype is rtype and e.failed is None]
                self._describe_rest(pool, rtype, mine)
            targets = {ns: f.result() for ns, f in scaling.items()}
            self._finish(pool, list(entries.values()), targets)
        return self.out

    def _tagged(self) -> dict[str, _Entry]:
        by_tagging = {t.tagging_type: t for t in self.types}
        seen: dict[str, _Entry] = {}
        try:
            tagging = self.factory.client("resourcegroupstaggingapi", self.region)
            pages = tagging.get_paginator("get_resources").paginate(
                ResourceTypeFilters=sorted(by_tagging),
                PaginationConfig={"PageSize": TAGGING_PAGE_SIZE},
            )
            for page in pages:
                for item in page.get("ResourceTagMappingList", []):
                    arn = item["ResourceARN"]
                    rtype = by_tagging.get(arn_type(arn))
                    if rtype is not None:
                        tags = {t["Key"]: t["Value"] for t in item.get("Tags", [])}
                        seen[arn] = _Entry(rtype, arn, self.region, tags=tags)
        except AwsError as exc:
            self._error("resourcegroupstaggingapi.GetResources", exc)
        return seen

    def _listed(
        self,
        rtype: ResourceType,
        tagged: dict[str, _Entry],
        entries: dict[str, _Entry],
        start: Callable[[_Entry], None],
    ) -> None:
        """Page through the list call, starting each resource's describes as its page
        arrives."""
        config = {"PageSize": rtype.page_size} if rtype.page_size else {}
        try:
            pages = (
                self.client(rtype).get_paginator(rtype.list_call).paginate(PaginationConfig=config)
            )
            for page in pages:
                for summary in page.get(rtype.list_result_key, []):
                    arn = summary[rtype.arn_field]
                    if arn in entries:
                        continue
                    entry = tagged.get(arn) or _Entry(rtype, arn, self.region)
                    entry.summary = summary
                    start(entry)
        except AwsError as exc:
            self._error(f"{rtype.service}.{operation(rtype.list_call)}", exc)

    def _describe_uncached(self, entry: _Entry) -> None:
        """Each describe call before the first cached one, in order."""
        client = self.client(entry.rtype)
        for describe in entry.rtype.describes:
            if describe.cache is not None:
                return
            if describe.listed and entry.summary is not None:
                entry.described[describe.key] = compact(entry.summary, describe.keep)
                continue
            try:
                answer = getattr(client, describe.call)(**{describe.param: entry.param(describe)})
            except Exception as exc:  # throttled to the end, or anything else: unknown
                entry.fail(f"{entry.rtype.service}.{operation(describe.call)}", exc)
                return
            entry.described[describe.key] = compact(answer, describe.keep)

    def _describe_rest(
        self, pool: ThreadPoolExecutor, rtype: ResourceType, entries: list[_Entry]
    ) -> None:
        """From the first cached describe on: one call per distinct parameter value (many
        endpoints may share a config), read from the cache where it is still valid."""
        chain = rtype.describes
        first = next((i for i, d in enumerate(chain) if d.cache is not None), len(chain))
        for describe in chain[first:]:
            live = [e for e in entries if e.failed is None]
            values = {e.arn: e.param(describe) for e in live if _has_source(e, describe)}
            answers = self._answers(pool, rtype, describe, sorted(set(values.values())), live)
            for entry in live:
                got = answers.get(values.get(entry.arn, ""))
                if isinstance(got, Exception) or got is None:
                    failure = got or KeyError(describe.param)
                    entry.fail(f"{rtype.service}.{operation(describe.call)}", failure)
                else:
                    entry.described[describe.key] = got

    def _answers(
        self,
        pool: ThreadPoolExecutor,
        rtype: ResourceType,
        describe: Describe,
        values: list[str],
        entries: list[_Entry],
    ) -> dict[str, dict[str, Any] | Exception]:
        account = entries[0].account if entries else ""
        keys = {v: f"{rtype.service}:{self.region}:{account}:{describe.key}/{v}" for v in values}
        out: dict[str, dict[str, Any] | Exception] = {}
        check = describe.cache
        if self.cache is not None and check is not None and values:

            def created() -> dict[str, str]:
                listed = self._created(rtype, describe)
                return {keys[v]: t for v, t in listed.items() if v in keys}

            hits = self.cache.lookup(list(keys.values()), created)
            out.update({v: hits[keys[v]] for v in values if keys[v] in hits})
        client = self.client(rtype)

        def call(value: str) -> dict[str, Any] | Exception:
            try:
                return compact(
                    getattr(client, describe.call)(**{describe.param: value}), describe.keep
                )
            except Exception as exc:  # unknown, for every resource that needs it
                return exc

        missing = [v for v in values if v not in out]
        fresh = dict(zip(missing, pool.map(call, missing), strict=True))
        out.update(fresh)
        if self.cache is not None and check is not None:
            self.cache.save(
                {
                    keys[v]: (iso_time(got.get(check.time_field)), jsonable(got))
                    for v, got in fresh.items()
                    if isinstance(got, dict) and got.get(check.time_field) is not None
                }
            )
        return out

    def _created(self, rtype: ResourceType, describe: Describe) -> dict[str, str]:
        """Each object's creation time as listed now; empty when the list call fails."""
        check = describe.cache
        assert check is not None
        times: dict[str, str] = {}
        try:
            pages = (
                self.client(rtype)
                .get_paginator(check.list_call)
                .paginate(PaginationConfig={"PageSize": rtype.page_size or 100})
            )
            for page in pages:
                for item in page.get(check.result_key, []):
                    times[str(item[check.name_field])] = iso_time(item.get(check.time_field))
        except AwsError:
            return {}  # nothing confirmed: every config is described afresh
        return times

    def _finish(
        self,
        pool: ThreadPoolExecutor,
        entries: list[_Entry],
        scaling: dict[str, dict[str, dict[str, Any]]],
    ) -> None:
        def finish(entry: _Entry) -> None:
            if entry.failed is not None:
                return
            rtype = entry.rtype
            try:
                config = rtype.configure(
                    entry.described, scaling.get(rtype.scaling_namespace or "", {})
                )
                if config is None:
                    self.out.skipped.append(entry.arn)
                    return
                tags = entry.tags if entry.tags is not None else self._tags(entry)
                key, field_name = rtype.created_field
                created = moment(entry.described[key][field_name])
            except Exception as exc:  # a failed tags read or a malformed answer: unknown
                entry.fail(f"describe {entry.arn}", exc)
                return
            raw: dict[str, Any] = {k: jsonable(v) for k, v in entry.described.items()}
            raw["tags"] = tags
            resource = Resource(
                kind=rtype.kind,
                arn=entry.arn,
                name=str(next(iter(entry.described.values())).get(rtype.name_field, entry.name)),
                region=arn_parts(entry.arn)[1] or self.region,
                account=entry.account,
                tags=tags,
                created_at=created,
                configuration=config,
            )
            self.out.found.append(Discovered(rtype, resource, raw))

        list(pool.map(finish, entries))
        self.out.unknown += [e.failed for e in entries if e.failed is not None]

    def _tags(self, entry: _Entry) -> dict[str, str]:
        calls = entry.rtype.tags
        response = getattr(self.client(entry.rtype), calls.list_call)(
            **{calls.list_arn_param: entry.arn}
        )
        return calls.to_dict(response.get(calls.list_result_key, []))

    def _error(self, call: str, exc: Exception) -> None:
        self.out.errors.append(DiscoveryError(self.region, call, error_message(exc)))

    def _scalable_targets(self, namespace: str) -> dict[str, dict[str, Any]]:
        targets, error = scalable_targets(self.factory, self.region, namespace)
        if error is not None:
            self._error(*error)
        return targets


def _has_source(entry: _Entry, describe: Describe) -> bool:
    if not describe.source.startswith("field:"):
        return True
    wanted = describe.source.split(":", 1)[1]
    return any(wanted in d for d in entry.described.values())
