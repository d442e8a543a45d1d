"""Names for the JSON-like documents the plan layer reads and returns."""

from __future__ import annotations

from typing import Any, TypeAlias

# Rendered documents are handed to boto3 and read by callers key by key; `Any` values keep
# that ergonomic, while inputs are taken as `Mapping[str, object]` and narrowed on read.
JsonDict: TypeAlias = dict[str, Any]
