"""nnbp: batch-gradient-descent training and backpropagation you can look inside.

Every module writes the course's notation as docs/notation.md lists it: per-layer
values in dicts keyed by the layer's number 1 … L (``Theta[l]``, ``z[l]``, ``a[l]``,
``delta[l]``, ``D[l]``), ``lam`` for λ, and the m examples of a batch as the rows of
a matrix rather than the paper's columns.
"""

__version__ = "0.1.0"
