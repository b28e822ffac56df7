"""Per-step records that grow as steps run.

A run may allow ``run.steps`` up to 2**31 - 1 and stop after a few dozen steps,
so the per-step arrays start at most :data:`FIRST_ROWS` long and double when a
step needs it (never past ``max_steps + 1`` rows). Untouched zeros of a fresh
array cost no memory on Linux, so the first size is generous.

Examples
--------
>>> import numpy as np
>>> rec = new_records({"adopters": np.int64}, max_steps=10, first_rows=4)
>>> rec["adopters"].size
4
>>> ensure_row(rec, 6, max_steps=10)["adopters"].size
8
>>> ensure_row(rec, 10, max_steps=10)["adopters"].size
11
"""

from __future__ import annotations

import numpy as np

__all__ = ["FIRST_ROWS", "ensure_row", "new_records"]

FIRST_ROWS = 1 << 20


def new_records(dtypes: dict, max_steps: int, first_rows: int | None = None, replicates: int | None = None) -> dict:
    """Zeroed arrays, one per column, for steps 0..max_steps (the first rows only); ``(R, rows)`` with replicates."""
    rows = min(max_steps + 1, first_rows or FIRST_ROWS)
    shape = rows if replicates is None else (replicates, rows)
    return {c: np.zeros(shape, dtype=dt) for c, dt in dtypes.items()}


def ensure_row(rec: dict, t: int, max_steps: int) -> dict:
    """Make room for step ``t`` in every array of ``rec`` (last axis), in place; returns ``rec``."""
    size = next(iter(rec.values())).shape[-1]
    if t < size:
        return rec
    rows = min(max(2 * size, t + 1), max_steps + 1)
    for c, a in rec.items():
        grown = np.zeros((*a.shape[:-1], rows), dtype=a.dtype)
        grown[..., :size] = a
        rec[c] = grown
    return rec
