"""The memory a graph and its run need, checked against the machine before anything is allocated.

:func:`check_memory` refuses, in one line, a ``network`` spec whose graph and
per-person state could not fit in this machine's memory, before a generator
asks for arrays of that size. The estimate is cheap (a few arithmetic
operations, no draw) and errs low: it counts what the finished graph and the
smallest run keep, not a builder's peak (about 1.6 times the graph), so anything
it refuses cannot run here, while a run it lets through may still run short.
:func:`require_memory` is the same refusal for any other estimate.

Examples
--------
>>> needed_bytes({"kind": "ring", "n": 1000, "k": 10})
66000.0
>>> format_bytes(7.3 * 2**40)
'7.3 TiB'
"""

from __future__ import annotations

import os

from sim.errors import ConfigError

__all__ = ["PER_PERSON", "PER_PERSON_IMPLICIT", "PER_LINK", "MAX_PEOPLE", "expected_links", "needed_bytes",
           "graph_bytes", "machine_bytes", "available_bytes", "fits_now", "format_bytes", "check_memory",
           "require_memory", "check_people"]

# Bytes a run keeps per person, at worst: row pointers (int64 past 2^31 entries, else int32), the degree
# (int32), the state (adopted, step, channel: 6), the count of adopted contacts (int32) and one int32 a rule
# may keep (a threshold as a count of contacts)
PER_PERSON = 8 + 4 + 4 + 6 + 4
PER_PERSON_IMPLICIT = 4 + 6 + 4  # the complete graph stores no rows: degree, state, counts
PER_LINK = 4  # an int32 column index per directed link (an undirected edge is two)
MAX_PEOPLE = 2**31 - 2  # people are numbered with int32 (column indices, counts)


def expected_links(spec: dict) -> float | None:
    """Expected directed links (an undirected edge counts twice) of a ``network`` spec; None if unknown.

    Examples
    --------
    >>> expected_links({"kind": "erdos_renyi", "n": 10**8, "mean_degree": 10})
    1000000000.0
    >>> expected_links({"kind": "stochastic_block", "sizes": [100, 100], "p_in": 0.1, "p_out": 0.0})
    1980.0
    """
    kind, n = spec.get("kind"), float(spec.get("n") or 0)
    if kind in ("erdos_renyi", "communities"):
        return n * min(float(spec.get("mean_degree", 10.0)), max(n - 1, 0.0))
    if kind in ("ring", "watts_strogatz"):
        return n * min(float(spec.get("k", 10)), max(n - 1, 0.0))
    if kind == "barabasi_albert":
        return 2.0 * n * min(float(spec.get("m", 3)), n)
    if kind == "stochastic_block":
        sizes = spec.get("sizes")
        if sizes:
            total, squares = float(sum(sizes)), float(sum(float(s) ** 2 for s in sizes))
        else:  # near-equal blocks (sim.networks.equal_sizes), without building the list
            total, c = n, float(spec.get("communities", 4))
            squares = total * total / c
        return spec.get("p_in", 0.05) * (squares - total) + spec.get("p_out", 0.001) * (total * total - squares)
    if kind == "complete":
        return 0.0
    return None  # a file: its size is known only once it is read


def needed_bytes(spec: dict) -> float | None:
    """Bytes the graph of a ``network`` spec and the smallest run on it keep; None if unknown (files)."""
    links = expected_links(spec)
    if links is None:
        return None
    n = float(sum(spec["sizes"])) if spec.get("kind") == "stochastic_block" and spec.get("sizes") \
        else float(spec.get("n") or 0)
    return graph_bytes(n, links, implicit=spec.get("kind") == "complete")


def graph_bytes(n: float, links: float, implicit: bool = False) -> float:
    """Bytes a graph of ``n`` people and ``links`` directed links (an undirected edge counts twice) and the
    smallest run on it keep; ``implicit``: the complete graph, which stores no rows.

    Examples
    --------
    >>> graph_bytes(1000, 10000)
    66000.0
    """
    return float(n) * (PER_PERSON_IMPLICIT if implicit else PER_PERSON) + float(links) * PER_LINK


def machine_bytes() -> tuple[int, str] | None:
    """Memory this process may use, and how to say it: physical memory plus swap, within a cgroup limit.

    None where the system does not tell.
    """
    try:
        total = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (AttributeError, ValueError, OSError):
        return None
    if total <= 0:
        return None
    swap = _meminfo_bytes("SwapTotal")
    limit = _cgroup_limit()
    said = f"{format_bytes(total)}" + (f" and {format_bytes(swap)} of swap" if swap else "")
    if limit is not None and limit < total + swap:
        return limit, f"{format_bytes(limit)} (its memory limit)"
    return total + swap, said


def available_bytes() -> int:
    """Memory the system could hand this process now without swapping (its MemAvailable; 0 where unknown)."""
    free = _meminfo_bytes("MemAvailable")
    limit = _cgroup_limit()
    return min(free, limit) if limit is not None else free


def fits_now(need: float) -> bool:
    """Whether ``need`` bytes fit in the memory available now, a tenth kept spare (for optional speed-ups)."""
    return need <= 0.9 * available_bytes()


def _meminfo_bytes(field: str) -> int:
    try:
        with open("/proc/meminfo", encoding="ascii") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0


def _cgroup_limit() -> int | None:
    for path in ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"):
        try:
            with open(path, encoding="ascii") as f:
                text = f.read().strip()
        except OSError:
            continue
        if text.isdigit() and int(text) < 2**60:  # "max", or cgroup v1's huge number: no limit
            return int(text)
    return None


def format_bytes(b: float) -> str:
    """Bytes in binary units, three significant figures at most.

    Examples
    --------
    >>> format_bytes(512), format_bytes(25276194816), format_bytes(8e12)
    ('512 B', '23.5 GiB', '7.28 TiB')
    """
    units = ("B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB", "ZiB", "YiB")
    i = 0
    while b >= 1024 and i < len(units) - 1:
        b /= 1024
        i += 1
    return f"{b:.0f} {units[i]}" if 1000 <= b < 1024 else f"{b:.3g} {units[i]}"


def _what(spec: dict) -> tuple[str, str]:
    """The key that sets the size, and how it reads: ``network.n = 1000000 (network.mean_degree = 10)``."""
    kind, sizes = spec.get("kind"), spec.get("sizes")
    if kind == "stochastic_block" and sizes:
        shown = str(list(sizes)) if len(sizes) <= 4 else f"[{len(sizes)} sizes summing to {sum(sizes)}]"
        return "network.sizes", f"= {shown}"
    degree = {"erdos_renyi": "mean_degree", "ring": "k", "watts_strogatz": "k", "barabasi_albert": "m",
              "stochastic_block": "p_in"}.get(kind)
    tail = f" (network.{degree} = {spec[degree]})" if degree in spec else ""
    return "network.n", f"= {spec.get('n')}{tail}"


def check_memory(spec: dict) -> None:
    """Refuse, in one line, a ``network`` spec whose graph and state cannot fit in this machine's memory.

    Examples
    --------
    >>> check_memory({"kind": "complete", "n": 10**15})  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    sim.errors.ConfigError: network.n = 1000000000000000 needs about 12.4 PiB of memory for the graph and state; ...
    """
    need = needed_bytes(spec)
    if need is not None:
        key, shown = _what(spec)
        require_memory(key, shown, need)


def require_memory(key: str, shown: str, need: float, what: str = "the graph and state") -> None:
    """Refuse, in one line naming ``key``, work that needs ``need`` bytes when this machine has fewer.

    For any model or mechanism that sizes arrays from its parameters: call it
    with a low estimate before allocating. ``shown`` says the value
    (``"= 1000000"``); nothing is refused where the system does not tell its memory.

    Examples
    --------
    >>> require_memory("seeding.greedy_samples", "= 200", 1e6, "the samples")
    >>> require_memory("seeding.greedy_samples", "= 10**20", 1e21, "the samples")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    sim.errors.ConfigError: seeding.greedy_samples = 10**20 needs about 867 EiB of memory for the samples; ...
    """
    have = machine_bytes()
    if have is not None and need > have[0]:
        raise ConfigError(key, f"{shown} needs about {format_bytes(need)} of memory for {what}; "
                               f"this machine has {have[1]}")


def check_people(spec: dict) -> None:
    """Refuse, in one line, more people than int32 node numbers hold.

    Examples
    --------
    >>> check_people({"kind": "ring", "n": 3 * 10**9})  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    sim.errors.ConfigError: network.n must be an integer in [1, 2147483646] (people are numbered ...); got 3000000000
    """
    key, n = "network.n", spec.get("n")
    if spec.get("kind") == "stochastic_block" and spec.get("sizes"):
        key, n = "network.sizes", sum(spec["sizes"])
    if isinstance(n, int) and n > MAX_PEOPLE:
        raise ConfigError(key, f"must {'sum to' if key == 'network.sizes' else 'be'} an integer in "
                               f"[1, {MAX_PEOPLE}] (people are numbered with 32-bit integers); got {n}")
