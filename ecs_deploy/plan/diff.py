"""Compare a live task definition with a rendered one, and show the difference safely.

Both sides are brought to one canonical form first, so that spellings ECS treats as equal
("0.25 vCPU" and "256", environment order, defaults DescribeTaskDefinition fills in) neither
force a new revision nor clutter the diff. Environment values and secret references are
masked in the output: diffs end up in CI logs.
"""

from __future__ import annotations

import copy
import difflib
import json
from collections.abc import Callable, Mapping
from typing import Any

from ecs_deploy.plan.jsontypes import JsonDict
from ecs_deploy.plan.units import cpu_units, memory_mib
from ecs_deploy.plan.values import KEEP_EMPTY_VALUE_LISTS, is_empty

_MASK = "***"
_MASK_CHANGED = "*** (changed)"
# container list -> the member of its entries that may hold a secret
_MASKED_MEMBERS = {"environment": "value", "secrets": "valueFrom"}
_SORTED_BY_NAME = ("environment", "secrets")
_CONTAINER_INTEGERS = ("cpu", "memory", "memoryReservation")
_PORT_INTEGERS = ("containerPort", "hostPort")
# In these network modes ECS sets an omitted hostPort to the containerPort.
_HOST_PORT_IS_CONTAINER_PORT = frozenset({"awsvpc", "host"})


def canonical(task_definition: Mapping[str, object]) -> JsonDict:
    """A copy in one canonical form: sorted keys, no empty values, ECS defaults made explicit.

    Expects register-shaped input on both sides (normalise the live revision with
    `normalize_for_register` first); it only evens out what ECS itself considers equal.
    """
    definition: JsonDict = copy.deepcopy(dict(task_definition))
    _canonical_size(definition, "cpu", cpu_units)
    _canonical_size(definition, "memory", memory_mib)
    if isinstance(definition.get("requiresCompatibilities"), list):
        definition["requiresCompatibilities"] = sorted(
            map(str, definition["requiresCompatibilities"])
        )
    network_mode = definition.get("networkMode")
    for container in _dicts(definition.get("containerDefinitions")):
        _canonical_container(container, network_mode)
    cleaned = _clean(definition)
    return cleaned if isinstance(cleaned, dict) else {}


def same_task_definition(live: Mapping[str, object], rendered: Mapping[str, object]) -> bool:
    """True when registering `rendered` would give what `live` already is."""
    return canonical(live) == canonical(rendered)


def diff_lines(live: Mapping[str, object], rendered: Mapping[str, object]) -> list[str]:
    """A unified diff (`--- live` / `+++ new`) of the canonical JSON; [] when they are the same.

    Environment values and secret `valueFrom`s show as "***", or "*** (changed)" on the new
    side where they differ from the live value of the same container and name.
    """
    old, new = canonical(live), canonical(rendered)
    if old == new:
        return []
    return list(
        difflib.unified_diff(
            _pretty(_masked(old, compare_to=None)),
            _pretty(_masked(new, compare_to=old)),
            fromfile="live",
            tofile="new",
            lineterm="",
        )
    )


def _canonical_size(
    definition: JsonDict, key: str, convert: Callable[[object], str | None]
) -> None:
    if key in definition:
        definition[key] = convert(definition[key]) or definition[key]


def _canonical_container(container: JsonDict, network_mode: object) -> None:
    for key in _CONTAINER_INTEGERS:
        container[key] = _integer(container.get(key))
    if container.get("cpu") == 0:  # DescribeTaskDefinition reports an omitted cpu as 0
        del container["cpu"]
    if container.get("essential") is None:
        container["essential"] = True
    for mapping in _dicts(container.get("portMappings")):
        for key in _PORT_INTEGERS:
            mapping[key] = _integer(mapping.get(key))
        mapping.setdefault("protocol", "tcp")
        if network_mode in _HOST_PORT_IS_CONTAINER_PORT and mapping.get("hostPort") is None:
            mapping["hostPort"] = mapping.get("containerPort")
        elif mapping.get("hostPort") == 0:  # bridge: 0 and omitted both mean "dynamic"
            mapping["hostPort"] = None
    for key in _SORTED_BY_NAME:
        if isinstance(container.get(key), list):
            container[key] = sorted(_dicts(container[key]), key=lambda e: str(e.get("name", "")))


def _integer(value: object) -> object:
    if isinstance(value, str) and value.strip().isdecimal():
        return int(value)
    return value


def _clean(value: object, *, keeps_value: bool = False) -> object:
    """Drop None and empty values recursively and sort keys; see values.KEEP_EMPTY_VALUE_LISTS."""
    if isinstance(value, Mapping):
        result = {}
        for key in sorted(value, key=str):
            child = _clean(value[key], keeps_value=key in KEEP_EMPTY_VALUE_LISTS)
            if child is not None and not is_empty(child):
                result[str(key)] = child
        if keeps_value and value.get("value") == "":
            result["value"] = ""
        return result
    if isinstance(value, list):
        items = (_clean(item, keeps_value=keeps_value) for item in value)
        return [item for item in items if item == "" or (item is not None and not is_empty(item))]
    return value


def _masked(definition: JsonDict, *, compare_to: JsonDict | None) -> JsonDict:
    result = copy.deepcopy(definition)
    previous = {c.get("name"): c for c in _dicts((compare_to or {}).get("containerDefinitions"))}
    for container in _dicts(result.get("containerDefinitions")):
        old = previous.get(container.get("name"), {})
        for list_key, member in _MASKED_MEMBERS.items():
            old_values = {e.get("name"): e.get(member) for e in _dicts(old.get(list_key))}
            for entry in _dicts(container.get(list_key)):
                if member not in entry:
                    continue
                name = entry.get("name")
                changed = name in old_values and old_values[name] != entry[member]
                entry[member] = _MASK_CHANGED if changed else _MASK
    return result


def _pretty(definition: JsonDict) -> list[str]:
    # default=str: a live definition may still carry datetimes (registeredAt) from boto3.
    return json.dumps(
        definition, indent=2, sort_keys=True, ensure_ascii=False, default=str
    ).splitlines()


def _dicts(value: object) -> list[dict[str, Any]]:
    """The dict entries of a list (anything else yields nothing), for tolerant walking."""
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []
