"""Social graphs stored as compressed sparse rows (CSR).

An edge ``u -> v`` means *u influences v*: v hears about the product from u.
Row ``v`` of the *incoming* CSR lists the people v listens to; row ``u`` of
the *outgoing* CSR lists the people u talks to. Undirected graphs share one
pair of arrays for both. Every builder produces the arrays with vectorised
numpy (``int64`` row pointers, ``int32`` column indices, rows sorted), so
graphs of 10^6..10^7 people build in seconds. The complete graph is implicit.

Modules
-------
graph
    :class:`Graph` and :func:`gather_rows`.
csr
    :func:`from_edges` and the kernels that sort and symmetrise CSR arrays.
readers
    :func:`from_networkx` and :func:`from_file`.
generators
    The synthetic families: :func:`complete`, :func:`erdos_renyi`,
    :func:`stochastic_block`, :func:`ring`, :func:`watts_strogatz`,
    :func:`barabasi_albert`.
memory
    :func:`check_memory`: the memory a graph and its run need, against the
    machine's, before anything is allocated.
spec
    :data:`KINDS` and :func:`build`, from a scenario's ``network`` section.

Everything is importable from ``sim.networks`` itself, private helpers
included. The block sizes ``_BLOCK`` and ``_ROWS`` are read where they live,
in :mod:`sim.networks.csr`: set them there, not here.
"""

from sim.networks.graph import Graph, gather_rows
from sim.networks.csr import from_edges
from sim.networks.readers import from_file, from_networkx
from sim.networks.generators import (barabasi_albert, complete, equal_sizes, erdos_renyi, ring, stochastic_block,
                                     watts_strogatz)
from sim.networks.memory import check_memory, check_people, needed_bytes, require_memory
from sim.networks.spec import KINDS, build

# the other names of the former single module sim/networks.py, still reachable as sim.networks.NAME
from sim.networks.csr import _BLOCK, _LOW, _ROWS, _arrays, _csr, _index_dtype, _indptr  # noqa: F401
from sim.networks.csr import _pack, _sorted_counts, _sparse, _symmetric, _transpose  # noqa: F401
from sim.networks.readers import _EXTS, _bad, _factor, _labels, _numeric, _read_edge_list  # noqa: F401
from sim.networks.generators import _CHUNK, _distinct_rows, _lattice, _require  # noqa: F401
from sim.networks.generators import _skip_positions, _unrank_pairs  # noqa: F401

__all__ = [
    "KINDS", "Graph", "gather_rows", "from_edges", "from_networkx", "from_file",
    "complete", "erdos_renyi", "stochastic_block", "equal_sizes", "ring", "watts_strogatz",
    "barabasi_albert", "build", "check_memory", "check_people", "needed_bytes",
    "require_memory",
]
