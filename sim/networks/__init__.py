"""Social graphs stored as compressed sparse rows (CSR).

An edge ``u -> v`` means *u influences v*: v hears about the product from u.
Row ``v`` of the *incoming* CSR lists the people v listens to; row ``u`` of
the *outgoing* CSR lists the people u talks to. Undirected graphs share one
pair of arrays for both. Every builder produces the arrays with vectorised
numpy or compiled loops (``int32`` column indices, rows sorted; ``int64`` row
pointers, or ``int32`` where every position fits: the compiled builders and
stored files), so graphs of 10^6..10^7 people build in seconds. The complete
graph is implicit.

Modules
-------
graph
    :class:`Graph` and :func:`gather_rows`.
csr
    :func:`from_edges` and the kernels that sort and symmetrise CSR arrays.
readers
    :func:`from_networkx` and :func:`from_file`.
convert
    :func:`as_graph`: a networkx graph, a SciPy sparse matrix or a :class:`Graph`
    as the graph a run steps on; :func:`edges_sha256`, a graph's name by its edges.
generators
    The synthetic families: :func:`complete`, :func:`erdos_renyi`,
    :func:`stochastic_block`, :func:`communities`, :func:`ring`,
    :func:`watts_strogatz`, :func:`barabasi_albert`.
store
    ``.bgraph`` files: :func:`~sim.networks.store.save` and
    :func:`~sim.networks.store.open_graph` (by memory map).
memory
    :func:`check_memory`: the memory a graph and its run need, against the
    machine's, before anything is allocated.
spec
    :data:`KINDS` and :func:`build`, from a scenario's ``network`` section.

The public names are importable from ``sim.networks`` itself; private
helpers from the module they live in (the block sizes ``_BLOCK`` and
``_ROWS`` are read in :mod:`sim.networks.csr`: set them there).
"""

from sim.networks.convert import as_graph, edges_sha256
from sim.networks.csr import from_edges
from sim.networks.generators import (
                                     barabasi_albert,
                                     communities,
                                     complete,
                                     equal_sizes,
                                     erdos_renyi,
                                     ring,
                                     stochastic_block,
                                     watts_strogatz,
)
from sim.networks.graph import Graph, gather_rows
from sim.networks.memory import check_memory, check_people, graph_bytes, needed_bytes, require_memory
from sim.networks.readers import from_file, from_networkx
from sim.networks.spec import KINDS, build

__all__ = [
    "KINDS", "Graph", "gather_rows", "from_edges", "from_networkx", "from_file", "as_graph", "edges_sha256",
    "complete", "erdos_renyi", "stochastic_block", "communities", "equal_sizes", "ring", "watts_strogatz",
    "barabasi_albert", "build", "check_memory", "check_people", "graph_bytes", "needed_bytes",
    "require_memory",
]
