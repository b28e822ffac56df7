"""The friendship paradox: a random neighbour has more neighbours than a random node.

The mean degree at the end of a random edge is <k^2>/<k>, above the mean
degree <k> whenever degrees vary; on Erdős–Rényi graphs (Poisson degrees) it
is z + 1.  Seeding the friends of random people exploits it.

References
----------
Feld, S. L. (1991). Why your friends have more friends than you do.
American J. Sociology 96(6), 1464-1477.
Newman, M. E. J., Strogatz, S. H. & Watts, D. J. (2001). Random graphs
with arbitrary degree distributions and their applications. Phys. Rev. E 64, 026118.
Kim, D. A. et al. (2015). Social network targeting to maximise population
behaviour change: a cluster randomised controlled trial. The Lancet 386(9989), 145-153.
"""

import numpy as np

__all__ = ["mean_neighbour_degree", "er_mean_neighbour_degree"]


def mean_neighbour_degree(degrees):
    """Mean degree of a random edge end, <k^2>/<k> (friendship paradox).

    Parameters
    ----------
    degrees : array_like
        Node degrees, not all zero.

    Returns
    -------
    float

    References
    ----------
    Feld, S. L. (1991). Why your friends have more friends than you do.
    American J. Sociology 96(6), 1464-1477.
    Kim, D. A. et al. (2015). The Lancet 386(9989), 145-153.

    Examples
    --------
    >>> mean_neighbour_degree([1, 1, 1, 3])
    2.0
    """
    k = np.asarray(degrees, dtype=float)
    if k.size == 0 or not k.sum() > 0:
        raise ValueError("degrees must contain at least one positive value")
    return float(np.mean(k**2) / np.mean(k))


def er_mean_neighbour_degree(z):
    """<k^2>/<k> for Poisson(z) degrees: z + 1.

    Parameters
    ----------
    z : float or array_like
        Mean degree.

    Returns
    -------
    float or ndarray

    References
    ----------
    Newman, M. E. J., Strogatz, S. H. & Watts, D. J. (2001). Random graphs
    with arbitrary degree distributions. Phys. Rev. E 64, 026118.

    Examples
    --------
    >>> er_mean_neighbour_degree(4.0)
    5.0
    """
    return np.asarray(z, dtype=float) + 1.0 if np.ndim(z) else float(z) + 1.0
