"""Run identity and seeds: content hashes, run keys and per-run seeds.

A run is named by what it *is*, never by where it sits in a list: its key is a
hash of the canonical JSON of its content (base scenario, design point,
replicate, root seed, stream mode, engine version), and its seed derives from
the root seed and its replicate (common random numbers) or from the root seed,
a hash of its design point and its replicate (independent streams). Adding
design points or replicates to a sweep therefore changes no existing run.

Examples
--------
>>> canonical({"b": 1.0, "a": [1, 2]})
'{"a":[1,2],"b":1.0}'
>>> run_seed(2024, 0) == run_seed(2024, 0), run_seed(2024, 0) == run_seed(2024, 1)
(True, False)
>>> p = {"wom.q": 0.5}
>>> run_seed(7, 3, p, streams="common") == run_seed(7, 3, {"wom.q": 0.9}, streams="common")
True
>>> run_seed(7, 3, p, streams="independent") == run_seed(7, 3, {"wom.q": 0.9}, streams="independent")
False
"""

from __future__ import annotations

import hashlib
import json
import math

import numpy as np

__all__ = ["STREAM_MODES", "canonical", "content_hash", "point_id", "provenance", "run_key", "run_seed",
           "scenario_hash"]

STREAM_MODES = ("common", "independent")


def _plain(value):
    """Python scalars and containers only (numpy values converted), for JSON."""
    kind = type(value)
    if kind is str or kind is int or kind is bool or value is None:  # the common cases first: a sweep hashes
        return value                                                    # every design point and run
    if kind is float:
        if not math.isfinite(value):
            raise ValueError(f"cannot hash a non-finite number: {value!r}")
        return value
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, np.generic):
        return _plain(value.item())
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"cannot hash a non-finite number: {value!r}")
    return value


# one encoder, made once (json.dumps with options builds a new one at every call)
_ENCODER = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=True, allow_nan=False)


def canonical(obj) -> str:
    """Canonical JSON: sorted keys, no spaces, numpy values as Python ones.

    Floats are written by ``repr`` (the shortest string that reads back to the
    same float), so the text, and any hash of it, is the same in every process
    and every Python version.
    """
    return _ENCODER.encode(_plain(obj))


def content_hash(obj, length: int = 16) -> str:
    """Hex SHA-256 of the canonical JSON of ``obj``, cut to ``length`` characters.

    Examples
    --------
    >>> content_hash({"x": 1})
    '5041bf1f713df204'
    """
    return hashlib.sha256(canonical(obj).encode("ascii")).hexdigest()[:length]


def point_id(point: dict) -> str:
    """Short stable name of a design point (a dict of dotted keys to values)."""
    return "p" + content_hash(point, 11)


def scenario_hash(scenario: dict) -> str:
    """Content hash of a resolved base scenario (``Scenario.to_dict()``), without its
    text fields and its seed (a sweep's root seed is part of each run key apart)."""
    return content_hash({k: v for k, v in scenario.items() if k not in ("name", "title", "description", "seed")})


def run_key(base: str, point: dict, replicate: int, root_seed: int, streams: str, engine: str) -> str:
    """The content-addressed key of one run.

    Parameters
    ----------
    base : str
        :func:`scenario_hash` of the base scenario.
    point : dict
        The design point: dotted keys to their validated values.
    replicate : int
        Replicate index, from 0.
    root_seed : int
        The sweep's root seed.
    streams : {"common", "independent"}
        How run seeds derive (see :func:`run_seed`).
    engine : str
        Version of the engine that computes the run.
    """
    return content_hash({"scenario": base, "point": point, "replicate": int(replicate),
                         "root_seed": int(root_seed), "streams": streams, "engine": engine})


def _spawn_key(replicate: int, point: dict | None, streams: str) -> tuple[int, ...]:
    if streams == "common":
        return (int(replicate),)
    if streams == "independent":
        return (int(content_hash(point or {}, 16), 16), int(replicate))
    raise ValueError(f"streams must be one of {STREAM_MODES}; got {streams!r}")


def run_seed(root_seed: int, replicate: int, point: dict | None = None, streams: str = "common") -> int:
    """The integer seed of one run, derived with :class:`numpy.random.SeedSequence`.

    With ``streams="common"`` replicate r gets the same seed at every design
    point (common random numbers: paired comparisons across the sweep); with
    ``"independent"`` the design point's hash joins the spawn key, so every
    run has its own streams.
    """
    seq = np.random.SeedSequence(int(root_seed), spawn_key=_spawn_key(replicate, point, streams))
    return int(seq.generate_state(1, dtype=np.uint32)[0])


def provenance(root_seed: int, replicate: int, point: dict | None = None, streams: str = "common") -> dict:
    """Where a run's seed comes from: root seed, stream mode, spawn key and the seed itself.

    Examples
    --------
    >>> prov = provenance(1, 2)
    >>> prov["spawn_key"], prov["streams"], prov["seed"] == run_seed(1, 2)
    ('[2]', 'common', True)
    """
    key = _spawn_key(replicate, point, streams)
    return {"root_seed": int(root_seed), "streams": streams, "spawn_key": json.dumps(list(key)),
            "seed": run_seed(root_seed, replicate, point, streams)}
