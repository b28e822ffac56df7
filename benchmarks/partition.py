"""A cascade on k machines, simulated on one: the partitioned step and the exchange it needs.

When one graph no longer fits one machine (``docs/scale-out.md``), a distributed
engine splits the people into k parts; each part owns its people's rows of the
incoming CSR, steps them, and before the next step receives the state of the
people in other parts that its rows read: its *halo* (ghosts). This suite runs
exactly that on one machine, part by part, passing the halo between parts as
messages and counting their bytes, and checks that every step's adopters are the
ones of an unpartitioned run.

The dynamics is a global threshold cascade (φ = 0.1, 1 % random seeds, mean degree
10: it reaches nearly everyone). Each synchronous step is one bulk-synchronous
superstep: every part counts the adopted contacts of its rows (a local CSR
mat-vec whose columns are its own people, then its ghosts), adopts, then sends
each other part the state of the people that part reads from it. A message
carries either the positions (4-byte ids) of the people that adopted this step,
or one bit per person of the agreed list, whichever is smaller. Two rounds of
latency per step: the exchange, and the all-reduce of the number of new adopters
that tells everyone whether to go on.

Two graphs of the project's own builders, n people, mean degree 10:

- ``erdos_renyi``: no structure to exploit.
- ``communities``: a stochastic block model of 100 equal communities, 10 % of
  contacts outside one's own community; ids shuffled, since people's ids in real
  data say nothing about who knows whom.

Three orders, each cut into k contiguous ranges (k = 1, 2, 4, 8, 16):

- ``ids``: contiguous id ranges, what the block distribution of a Dask array gives;
- ``bfs``: breadth-first order from a random person (a cheap order that needs no labels);
- ``community``: people sorted by community (known labels, such as regions), the
  best a partitioner such as METIS could hope to find here.

For every (graph, order, k) it prints the edge cut (share of directed edges whose
ends lie in different parts), the halo (distinct (part, remote person) pairs),
bytes exchanged per step and over the run, the slowest part's compute per step,
and the predicted time of a step on k machines::

    max over parts (compute + packing) + max over parts (bytes in or out) / bandwidth + latency x rounds

with the bandwidth and latency of :data:`BANDWIDTH_BPS` and :data:`LATENCY_S`
(assumptions, stated in the output), beside the single-machine CSR mat-vec floor
measured in the same run. ``all-gather`` is what a plain Dask-array mat-vec would
move instead: every machine receives everyone else's 1-byte state each step.
Figures are medians over the steps and over ``--repeats`` runs of the cascade.

Run it as ``python -m benchmarks partition [--quick]`` (n = 10^6; ``--quick`` 10^5),
or ``python -m benchmarks.partition --n 4000000`` for another size.

Examples
--------
>>> import numpy as np
>>> from sim.networks import erdos_renyi
>>> g = erdos_renyi(2_000, 10, np.random.default_rng(1))
>>> seeds = np.arange(0, 2_000, 50)
>>> parts = partition(g, np.arange(g.n), 4, phi=0.1)
>>> run = run_partitioned(parts, seeds)
>>> bool(np.array_equal(run["adopted_at"], run_single(g, seeds, phi=0.1)))
True
"""

from __future__ import annotations

import argparse
import math
import sys
import time

import numpy as np
import scipy as sp
import scipy.sparse  # noqa: F401  (makes sp.sparse available)

from sim.arrays import compact_indptr, gather_rows, sorted_distinct
from sim.networks import Graph, equal_sizes, erdos_renyi, stochastic_block
from sim.rules.threshold import threshold_met, threshold_need

__all__ = ["BANDWIDTH_BPS", "LATENCY_S", "ROUNDS_PER_STEP", "KS", "ORDERS", "Part", "communities", "shuffled",
           "order_people", "partition", "run_partitioned", "run_single", "predict_step_s", "main"]

BANDWIDTH_BPS = 10e9
"""Assumed network bandwidth per machine, bits per second (10 Gb/s Ethernet), each way."""
LATENCY_S = 50e-6
"""Assumed latency of one round of messages, seconds (50 µs: a data-centre network and an MPI-like stack)."""
ROUNDS_PER_STEP = 2
"""Rounds of messages per step: the halo exchange, and the all-reduce of the number of new adopters."""
ID_BYTES = 4
"""Bytes per person in an id message (int32 positions in the agreed list)."""
KS = (1, 2, 4, 8, 16)
ORDERS = ("ids", "bfs", "community")
MEAN_DEGREE = 10
PHI = 0.1
SEED_FRACTION = 0.01
N_COMMUNITIES = 100
MIXING = 0.1  # share of a person's contacts outside their community


class Part:
    """One part of a partitioned graph: the people it owns, their rows, its ghosts and its send lists.

    Local ids: ``0 .. n_own - 1`` are the owned people in order, ``n_own + j`` is
    ghost ``j``. Ghosts are sorted by their position in the order, so the ghosts
    from part ``q`` are the slice ``ghost_bounds[q]:ghost_bounds[q + 1]`` and
    appear in ``q``'s own local order.

    Attributes
    ----------
    index, start, stop : int
        This part's number and its range of positions in the order.
    people : numpy.ndarray
        Global ids of the owned people (int32), in local order.
    A : scipy.sparse.csr_array
        Float32 rows of the owned people over local columns (owned, then ghosts).
    need : numpy.ndarray
        Adopted contacts each owned person needs (:func:`sim.rules.threshold.threshold_need`).
    ghost_bounds : numpy.ndarray
        Offsets (k + 1) of each part's ghosts among this part's ghosts.
    send : dict
        Part ``q`` -> local ids (int32, sorted) of the owned people whose state ``q`` reads.
    """

    def __init__(self, index, start, stop, people, A, need, ghost_bounds):
        self.index, self.start, self.stop = index, start, stop
        self.people, self.A, self.need, self.ghost_bounds = people, A, need, ghost_bounds
        self.send: dict[int, np.ndarray] = {}

    @property
    def n_own(self) -> int:
        """Number of people this part owns."""
        return self.stop - self.start

    @property
    def n_ghosts(self) -> int:
        """Number of remote people whose state this part reads."""
        return int(self.ghost_bounds[-1])

    def receive_slice(self, q: int) -> slice:
        """Local columns of the ghosts that part ``q`` sends."""
        return slice(self.n_own + int(self.ghost_bounds[q]), self.n_own + int(self.ghost_bounds[q + 1]))


def communities(n: int, rng: np.random.Generator) -> Graph:
    """Stochastic block graph: :data:`N_COMMUNITIES` equal communities, mean degree 10, 10 % outside.

    Built by :func:`sim.networks.stochastic_block`, then :func:`shuffled` (the
    builder numbers each community contiguously). ``segments`` are the communities.

    Examples
    --------
    >>> g = communities(20_000, np.random.default_rng(1))
    >>> round(float(g.in_degree.mean())), len(g.segment_names)
    (10, 100)
    """
    sizes = equal_sizes(n, N_COMMUNITIES)
    s = sizes[0]
    g = stochastic_block(sizes, MEAN_DEGREE * (1 - MIXING) / (s - 1), MEAN_DEGREE * MIXING / (n - s), rng)
    return shuffled(g, rng)


def shuffled(graph: Graph, rng: np.random.Generator) -> Graph:
    """The undirected ``graph`` with its people renumbered at random (segments follow them).

    Examples
    --------
    >>> from sim.networks import from_edges
    >>> g = shuffled(from_edges(4, [0, 1, 2], [1, 2, 3]), np.random.default_rng(2))
    >>> sorted(g.in_degree.tolist()), g.n_edges
    ([1, 1, 2, 2], 3)
    """
    if graph.directed or graph.complete:
        raise ValueError("shuffled takes an undirected graph with CSR arrays")
    new_id = rng.permutation(graph.n).astype(np.int32)  # new id of old person v
    old_id = np.empty_like(new_id)
    old_id[new_id] = np.arange(graph.n, dtype=np.int32)
    indptr = np.zeros(graph.n + 1, dtype=np.int64)
    np.cumsum(graph.in_degree[old_id], out=indptr[1:])
    indices = gather_rows(compact_indptr(graph.in_indptr), graph.in_indices, old_id)
    for s in range(0, indices.size, 1 << 22):  # renumber the columns block by block (no second copy)
        block = indices[s:s + (1 << 22)]
        block[:] = new_id.take(block)
    segments = None if graph.segments is None else graph.segments[old_id]
    return Graph(graph.n, indptr, indices, segments=segments, segment_names=graph.segment_names)


def _bfs(graph: Graph, rng: np.random.Generator) -> np.ndarray:
    """Breadth-first (queue) order from a random person; people it never reaches come last, by id."""
    indptr, indices = compact_indptr(graph.in_indptr), graph.in_indices
    seen = np.zeros(graph.n, dtype=bool)
    order = np.empty(graph.n, dtype=np.int32)
    root = int(rng.integers(graph.n))
    frontier, k = np.array([root], dtype=np.int32), 0
    seen[root] = True
    while frontier.size:
        order[k:k + frontier.size] = frontier
        k += frontier.size
        nb = gather_rows(indptr, indices, frontier)
        nb = nb[~seen[nb]]
        _, first = np.unique(nb, return_index=True)
        frontier = nb[np.sort(first)]  # each person once, where the queue first meets it
        seen[frontier] = True
    order[k:] = np.flatnonzero(~seen)
    return order


def order_people(graph: Graph, how: str, rng: np.random.Generator) -> np.ndarray | None:
    """A sequence of all people (int32) for contiguous parts; None where ``how`` needs what the graph lacks.

    Parameters
    ----------
    graph : Graph
    how : {"ids", "bfs", "community"}
        Id order; breadth-first order from a random person; people sorted by
        ``graph.segments`` (None without segments).
    rng : numpy.random.Generator
        Picks the breadth-first root.

    Examples
    --------
    >>> from sim.networks import from_edges
    >>> g = from_edges(5, [0, 0, 3], [4, 2, 1], segments=[0, 1, 0, 1, 0])
    >>> order_people(g, "community", np.random.default_rng(1)).tolist()
    [0, 2, 4, 1, 3]
    >>> sorted(order_people(g, "bfs", np.random.default_rng(1)).tolist())
    [0, 1, 2, 3, 4]
    """
    if how == "ids":
        return np.arange(graph.n, dtype=np.int32)
    if how == "bfs":
        return _bfs(graph, rng)
    if how == "community":
        if graph.segments is None:
            return None
        return np.argsort(graph.segments, kind="stable").astype(np.int32)
    raise ValueError(f"how must be one of {', '.join(ORDERS)}; got {how!r}")


def partition(graph: Graph, order: np.ndarray, k: int, phi: float = PHI) -> list[Part]:
    """Cut ``order`` into ``k`` near-equal contiguous ranges and build each part's local rows, ghosts and sends.

    Parameters
    ----------
    graph : Graph
        Undirected or directed, with CSR arrays; a part owns its people's incoming rows.
    order : numpy.ndarray
        Every person once (see :func:`order_people`).
    k : int
        Number of parts.
    phi : float
        Fractional threshold of the cascade (everyone the same).

    Examples
    --------
    >>> from sim.networks import ring
    >>> parts = partition(ring(8, 2), np.arange(8), 2)
    >>> [p.people.tolist() for p in parts], [p.n_ghosts for p in parts]
    ([[0, 1, 2, 3], [4, 5, 6, 7]], [2, 2])
    >>> parts[0].send[1].tolist()  # part 1 reads people 0 and 3 of part 0
    [0, 3]
    """
    n = graph.n
    order = np.asarray(order, dtype=np.int32)
    if order.size != n or not np.array_equal(np.bincount(order, minlength=n), np.ones(n, dtype=np.int64)):
        raise ValueError("order must list every person exactly once")
    bounds = np.concatenate([[0], np.cumsum(equal_sizes(n, k))]).astype(np.int64)
    position = np.empty(n, dtype=np.int32)
    position[order] = np.arange(n, dtype=np.int32)
    indptr = compact_indptr(graph.in_indptr)
    need_all = threshold_need(graph.in_degree, np.float64(phi))
    parts, ghost_positions = [], []
    for p in range(k):
        start, stop = int(bounds[p]), int(bounds[p + 1])
        people = order[start:stop]
        rows_ptr = np.zeros(people.size + 1, dtype=np.int64)
        np.cumsum(graph.in_degree[people], out=rows_ptr[1:])
        cols = position.take(gather_rows(indptr, graph.in_indices, people))  # positions of the contacts
        remote = (cols < start) | (cols >= stop)
        ghosts = sorted_distinct(cols[remote])
        cols[remote] = (stop - start) + np.searchsorted(ghosts, cols[remote]).astype(np.int32)
        cols[~remote] -= start
        A = sp.sparse.csr_array((np.ones(cols.size, dtype=np.float32), cols, compact_indptr(rows_ptr)),
                                shape=(stop - start, stop - start + ghosts.size))
        parts.append(Part(p, start, stop, people, A, need_all[people],
                          np.searchsorted(ghosts, bounds).astype(np.int64)))
        ghost_positions.append(ghosts)
    for q, ghosts in zip(parts, ghost_positions):  # q reads from p its ghosts from p: p's local ids, in q's order
        for p in parts:
            s = ghosts[q.ghost_bounds[p.index]:q.ghost_bounds[p.index + 1]]
            if s.size:
                p.send[q.index] = (s - p.start).astype(np.int32)
    return parts


def _exchange(parts: list[Part], x: list[np.ndarray], new: list[np.ndarray]) -> dict:
    """Send every halo: from each part to each reader, the cheaper of id and bit messages; count the bytes.

    ``new[p]`` is a boolean mask over ``p``'s owned people (adopted this step);
    ``x[p]`` its local state vector, whose ghost columns the messages update.
    """
    k = len(parts)
    sent, received = np.zeros(k, dtype=np.int64), np.zeros(k, dtype=np.int64)
    ids_total = bits_total = messages = 0
    pack_s = np.zeros(k)
    for p in parts:
        t = time.perf_counter()
        outbox = []
        for q, send in p.send.items():
            changed = np.flatnonzero(new[p.index][send]).astype(np.int32)
            ids_bytes, bits_bytes = ID_BYTES * changed.size, (send.size + 7) // 8
            if ids_bytes <= bits_bytes:
                outbox.append((q, "ids", changed, ids_bytes))
            else:  # the state of the whole list, a bit each (monotone: adopted = new or already set)
                outbox.append((q, "bits", np.packbits(x[p.index][send] > 0), bits_bytes))
            ids_total += ids_bytes
            bits_total += bits_bytes
        pack_s[p.index] = time.perf_counter() - t
        for q, kind, payload, size in outbox:
            messages += 1
            sent[p.index] += size
            received[q] += size
            ghost = x[q][parts[q].receive_slice(p.index)]  # a view: the receiver's ghost columns from p
            if kind == "ids":
                ghost[payload] = 1.0
            else:
                ghost[:] = np.unpackbits(payload, count=ghost.size)
    return {"sent": sent, "received": received, "ids_bytes": ids_total, "bits_bytes": bits_total,
            "messages": messages, "pack_s": pack_s}


def run_partitioned(parts: list[Part], seeds: np.ndarray, max_steps: int = 1000, timings: int = 1) -> dict:
    """Run the cascade part by part to quiescence, each part reading only its rows and the messages it got.

    Parameters
    ----------
    parts : list of Part
        From :func:`partition`.
    seeds : numpy.ndarray
        Global ids adopted at step 0.
    max_steps : int
    timings : int
        Each part's local step is computed this many times (the same result) and
        its median time recorded: on a shared machine, each figure from one moment.

    Returns
    -------
    dict
        ``adopted_at`` (global, int32, -1 = never), ``steps``, and per step
        (row 0 is the seeds' exchange): ``compute_s`` and ``pack_s`` (steps + 1, k),
        ``sent`` and ``received`` bytes (steps + 1, k), ``ids_bytes``, ``bits_bytes``
        and ``messages`` (totals over the parts).

    Examples
    --------
    >>> from sim.networks import ring
    >>> run = run_partitioned(partition(ring(10, 2), np.arange(10), 3, phi=0.5), np.array([0]))
    >>> run["adopted_at"].tolist(), run["steps"]
    ([0, 1, 2, 3, 4, 5, 4, 3, 2, 1], 5)
    """
    n = sum(p.n_own for p in parts)
    is_seed = np.zeros(n, dtype=bool)
    is_seed[np.asarray(seeds, dtype=np.int64)] = True
    x = [np.zeros(p.A.shape[1], dtype=np.float32) for p in parts]
    at = [np.full(p.n_own, -1, dtype=np.int32) for p in parts]
    new = [is_seed[p.people] for p in parts]  # each part finds its own seeds
    for p in parts:
        x[p.index][:p.n_own][new[p.index]] = 1.0
        at[p.index][new[p.index]] = 0
    log = {"compute_s": [np.zeros(len(parts))], "pack_s": [], "sent": [], "received": [], "ids_bytes": [],
           "bits_bytes": [], "messages": []}

    def record(ex):
        for key in ("pack_s", "sent", "received", "ids_bytes", "bits_bytes", "messages"):
            log[key].append(ex[key])

    record(_exchange(parts, x, new))
    step = 0
    while step < max_steps:
        compute = np.zeros(len(parts))
        for p in parts:
            times = []
            for _ in range(timings):
                t = time.perf_counter()
                fresh = _local_step(p, x[p.index], at[p.index])
                times.append(time.perf_counter() - t)
            compute[p.index] = np.median(times)
            new[p.index] = fresh
        if not any(f.any() for f in new):  # the all-reduce says nobody adopted: quiescent
            break
        step += 1
        for p in parts:  # adopt after every part has read the state of step - 1
            at[p.index][new[p.index]] = step
            x[p.index][:p.n_own][new[p.index]] = 1.0
        log["compute_s"].append(compute)
        record(_exchange(parts, x, new))
    adopted_at = np.empty(n, dtype=np.int32)
    for p in parts:
        adopted_at[p.people] = at[p.index]
    out = {key: np.array(value) for key, value in log.items()}
    out.update(adopted_at=adopted_at, steps=step)
    return out


def _local_step(part: Part, x: np.ndarray, at: np.ndarray) -> np.ndarray:
    """A part's step: who among its people adopts, from its rows and its local state (owned and ghosts)."""
    counts = part.A @ x
    return (at < 0) & (counts >= part.need)


def run_single(graph: Graph, seeds: np.ndarray, phi: float = PHI, max_steps: int = 1000) -> np.ndarray:
    """The same cascade unpartitioned, by the project's own count and threshold test: step of adoption, -1 never.

    Examples
    --------
    >>> from sim.networks import ring
    >>> run_single(ring(6, 2), np.array([0]), phi=0.5).tolist()
    [0, 1, 2, 3, 2, 1]
    """
    adopted_at = np.full(graph.n, -1, dtype=np.int32)
    adopted_at[np.asarray(seeds, dtype=np.int64)] = 0
    degree, phi = graph.in_degree, np.full(graph.n, float(phi))
    for step in range(1, max_steps + 1):
        adopted = adopted_at >= 0
        fresh = ~adopted & threshold_met(graph.count_adopted(adopted), degree, phi)
        if not fresh.any():
            break
        adopted_at[fresh] = step
    return adopted_at


def predict_step_s(compute_s: float, bytes_per_machine: float, bandwidth_bps: float = BANDWIDTH_BPS,
                   latency_s: float = LATENCY_S, rounds: int = ROUNDS_PER_STEP) -> float:
    """Predicted seconds of one step on separate machines: compute + bytes / bandwidth + latency x rounds.

    Examples
    --------
    >>> round(predict_step_s(0.010, 1.25e6) * 1e3, 3)  # 10 ms + 1 ms on the wire + 2 x 50 us
    11.1
    """
    return compute_s + bytes_per_machine * 8 / bandwidth_bps + latency_s * rounds


def measure(graph: Graph, order: np.ndarray, k: int, seeds: np.ndarray, timings: int, reference: np.ndarray) -> dict:
    """Partition, run the cascade once (each local step timed ``timings`` times), and summarise the case."""
    t = time.perf_counter()
    parts = partition(graph, order, k)
    build_s = time.perf_counter() - t
    run = run_partitioned(parts, seeds, timings=timings)
    steps = run["steps"]
    compute, pack = run["compute_s"][1:], run["pack_s"][1:]  # row t: step t's compute, then its packing
    wire = np.maximum(run["sent"], run["received"])[1:].max(axis=1)  # the busiest machine's bytes (one NIC)
    rounds = ROUNDS_PER_STEP if k > 1 else 0  # one machine sends nothing
    per_step = [predict_step_s(c, b, rounds=rounds) for c, b in zip((compute + pack).max(axis=1), wire)]
    cut = sum(int(np.count_nonzero(p.A.indices >= p.n_own)) for p in parts)

    def med(a):
        return float(np.median(a)) if steps else 0.0

    return {
        "k": k, "same": bool(np.array_equal(run["adopted_at"], reference)), "steps": steps,
        "adopted": int(np.count_nonzero(reference >= 0)), "partition_s": build_s,
        "cut": cut / max(sum(int(p.A.nnz) for p in parts), 1), "halo": sum(p.n_ghosts for p in parts),
        "halo_max": max(p.n_ghosts for p in parts), "edges_max": max(int(p.A.nnz) for p in parts),
        "send_max": max(sum(int(s.size) for s in p.send.values()) for p in parts),
        "bytes_step_max": med(wire),
        "bytes_run": int(run["sent"].sum()), "ids_run": int(run["ids_bytes"].sum()),
        "bits_run": int(run["bits_bytes"].sum()), "messages_step": int(np.median(run["messages"])),
        "compute_part_s": med(compute), "compute_max_s": med(compute.max(axis=1)),
        "compute_sum_s": med(compute.sum(axis=1)), "pack_max_s": med(pack.max(axis=1)),
        "local_max_s": med((compute + pack).max(axis=1)), "predicted_s": med(per_step),
        "predicted_run_s": float(np.sum(per_step)),
        "allgather_bytes": graph.n - min(p.n_own for p in parts),  # a Dask-array mat-vec: everyone's 1-byte state
    }


def _matvec_s(graph: Graph, repeats: int = 7) -> float:
    from benchmarks._proc import matvec_s

    return matvec_s(graph, repeats=repeats)


def _fmt_bytes(b: float) -> str:
    for unit, size in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if b >= size:
            return f"{b / size:.3g} {unit}"
    return f"{b:.0f} B"


def extrapolate(case: dict, n: int, n_target: int, edge_s: float) -> float:
    """Predicted seconds of a step at ``n_target`` people on ``case["k"]`` machines, from a case measured at ``n``.

    Every part grows by ``n_target / n``. Its local work is its edges (the
    mat-vec) plus its outgoing halo entries (the packing, a gather like the
    mat-vec's), each at ``edge_s``, the mat-vec's cost per edge measured past the
    caches (random access: no credit for a locality-aware order); its bytes grow
    in proportion. Latency stays.

    Examples
    --------
    >>> case = {"k": 2, "edges_max": 5e6, "send_max": 1e6, "bytes_step_max": 1e5}
    >>> round(extrapolate(case, 10**6, 10**9, 2e-9), 2)  # 10 s of mat-vec, 2 s packing, 0.08 s on the wire
    12.08
    """
    scale = n_target / n
    rounds = ROUNDS_PER_STEP if case["k"] > 1 else 0
    local = (case["edges_max"] + case["send_max"]) * scale * edge_s
    return predict_step_s(local, case["bytes_step_max"] * scale, rounds=rounds)


def main(quick: bool = False, repeats: int | None = 3, seed: int | None = 42, write_json: bool = True,
         n: int | None = None, n_target: int = 10**9) -> int:
    """Run every (graph, order, k) case, print the tables; returns 1 if a partitioned run differed."""
    from benchmarks._proc import write_results
    from benchmarks.core import _machine

    repeats = repeats or 3
    n = int(n or (100_000 if quick else 1_000_000))
    n_big = max(n, 1_000_000 if quick else 10_000_000)
    big_stream, *streams = np.random.SeedSequence(42 if seed is None else seed).spawn(3)
    machine = _machine()
    print(f"partition: n = {n:,}, mean degree {MEAN_DEGREE}, threshold φ = {PHI}, {SEED_FRACTION:.0%} seeds; "
          f"each local step timed {repeats} times (median)")
    print(f"machine: {machine['cpu']}, {machine['cores']} cores (parts run one after another on one core); "
          f"numpy {machine['numpy']}, scipy {machine['scipy']}")
    print(f"assumed network: {BANDWIDTH_BPS / 1e9:g} Gb/s per machine each way, {LATENCY_S * 1e6:g} µs a round, "
          f"{ROUNDS_PER_STEP} rounds a step")
    report = {"n": n, "repeats": repeats, "seed": seed, "machine": machine, "bandwidth_bps": BANDWIDTH_BPS,
              "latency_s": LATENCY_S, "rounds_per_step": ROUNDS_PER_STEP, "cases": [], "floors": {}}
    status = 0

    big = erdos_renyi(n_big, MEAN_DEGREE, np.random.default_rng(big_stream))  # only for the cost per edge
    big_edge_s = _matvec_s(big) / big.in_indices.size
    del big
    report["floors"]["big"] = {"n": n_big, "s_per_edge": big_edge_s}
    print(f"CSR mat-vec floor at n = {n_big:,} (past the caches): {big_edge_s * 1e9:.2f} ns an edge, "
          f"{big_edge_s * MEAN_DEGREE * n_target:.2f} s a step for {n_target:.0e} people on one machine")

    summary = []
    for family, stream in zip(("erdos_renyi", "communities"), streams):
        graph_stream, run_stream = stream.spawn(2)
        rng = np.random.default_rng(graph_stream)
        t = time.perf_counter()
        graph = erdos_renyi(n, MEAN_DEGREE, rng) if family == "erdos_renyi" else communities(n, rng)
        build_s = time.perf_counter() - t
        rng = np.random.default_rng(run_stream)
        seeds = rng.choice(n, size=max(1, int(SEED_FRACTION * n)), replace=False)
        t = time.perf_counter()
        reference = run_single(graph, seeds)
        reference_s = time.perf_counter() - t
        floor = _matvec_s(graph)
        report["floors"][family] = {"n": n, "matvec_s": floor}
        adopted = np.count_nonzero(reference >= 0)
        print(f"\n{family}: {graph.n:,} people, {graph.n_edges:,} edges, built in {build_s:.1f} s; "
              f"cascade {int(reference.max())} steps to {adopted / n:.1%} adopted (unpartitioned run "
              f"{reference_s:.2f} s); CSR mat-vec floor {floor * 1e3:.2f} ms a step")
        print(f"{'order':<10}{'k':>3}{'cut':>7}{'halo/n':>8}{'bytes/step':>12}{'run bytes':>11}{'ids only':>10}"
              f"{'bits only':>11}{'all-gather':>11}{'part ms':>9}{'max ms':>8}{'sum ms':>8}{'pack ms':>9}"
              f"{'pred ms':>9}{'speed-up':>9}{'same':>6}")
        for how in ORDERS:
            t = time.perf_counter()
            order = order_people(graph, how, rng)
            if order is None:
                continue
            order_s, base, row = time.perf_counter() - t, None, []
            for k in KS:
                case = measure(graph, order, k, seeds, repeats, reference)
                base = base or case["predicted_s"]
                case.update(graph=family, order=how, order_s=order_s, matvec_s=floor,
                            speed_up=base / case["predicted_s"] if case["predicted_s"] else math.nan,
                            target_n=n_target, target_s=extrapolate(case, n, n_target, big_edge_s))
                status |= 0 if case["same"] else 1
                report["cases"].append(case)
                row.append(case)
                print(f"{how:<10}{k:>3}{case['cut']:>7.1%}{case['halo'] / n:>8.3f}"
                      f"{_fmt_bytes(case['bytes_step_max']):>12}{_fmt_bytes(case['bytes_run']):>11}"
                      f"{_fmt_bytes(case['ids_run']):>10}{_fmt_bytes(case['bits_run']):>11}"
                      f"{_fmt_bytes(case['allgather_bytes'] if k > 1 else 0):>11}"
                      f"{case['compute_part_s'] * 1e3:>9.2f}{case['compute_max_s'] * 1e3:>8.2f}"
                      f"{case['compute_sum_s'] * 1e3:>8.2f}{case['pack_max_s'] * 1e3:>9.2f}"
                      f"{case['predicted_s'] * 1e3:>9.2f}{case['speed_up']:>8.1f}x"
                      f"{'yes' if case['same'] else 'NO':>6}")
            summary.append((family, how, order_s, row))
        del graph
    print("\ncut: share of directed edges between parts; halo/n: distinct (part, remote person) pairs per person;"
          "\nbytes/step: the busiest machine's bytes in or out per step (median step); run bytes: all messages "
          "of the run\n(each the cheaper of ids and bits), beside ids only / bits only; all-gather: what each "
          "machine receives per\nstep when every part reads the whole 1-byte state (a Dask-array mat-vec); part / "
          "max / sum ms: a part's\nlocal step (median), the slowest part's, all parts'; pred ms: slowest part + "
          "packing + bytes / bandwidth\n+ latency x rounds; speed-up: against k = 1 in the same order; same: every "
          "step's adopters equal the\nunpartitioned run's.")
    print(f"\npredicted seconds a step at n = {n_target:.0e} on k machines: every part x {n_target / n:.0f}, "
          "its edges and outgoing halo at the cost per\nedge past the caches, "
          "its bytes in proportion; latency as is; the speed-up over one machine:")
    print(f"{'graph':<13}{'order':<11}{'order s':>8}" + "".join(f"{f'k={k}':>9}" for k in KS)
          + f"{'speed-up':>10}")
    for family, how, order_s, row in summary:
        times = [c["target_s"] for c in row]
        print(f"{family:<13}{how:<11}{order_s:>8.2f}" + "".join(f"{t:>9.2f}" for t in times)
              + f"{times[0] / times[-1]:>9.1f}x")
    if write_json:
        write_results("partition", report, quick)
    return status


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m benchmarks.partition", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="n = 10^5")
    parser.add_argument("--n", type=float, default=None, help="number of people (default 10^6)")
    parser.add_argument("--repeats", type=int, default=None, help="runs of each cascade (median reported; 3)")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--no-json", action="store_true")
    args = parser.parse_args()
    sys.exit(main(args.quick, args.repeats, args.seed, not args.no_json, None if args.n is None else int(args.n)))
