"""nnbp: batch-gradient-descent training and backpropagation you can look inside.

One notation, used in every module (NOTATION.md of the course, week 5):

    L          number of layers; layer 1 is the input, layer L the output
    s[l]       units in layer l, bias not counted (s[1] features, s[L] = K outputs)
    m          number of examples in the batch
    Theta[l]   weights from layer l to l+1, shape (s[l+1], s[l] + 1); column 0 is the bias
    z[l], a[l] pre-activation and activation of layer l, one row per example: (m, s[l])
    delta[l]   ∂cost/∂z[l] per example, (m, s[l]), for l = 2 … L
    D[l]       ∂J/∂Theta[l], same shape as Theta[l]
    lam        λ, the regularization strength (``lambda`` is a Python keyword)

Per-layer values live in dicts keyed by the layer number 1 … L, so ``delta[l]``
in code is δ^(l) on paper.  The one place code differs from the paper is the
orientation of the batch: the paper writes one example as a column vector, the
code stacks examples as rows, so ``z[l+1] = a[l] @ Theta[l][:, 1:].T + Theta[l][:, 0]``
is the paper's ``z^(l+1) = Θ^(l) [1; a^(l)]`` for every example at once.
"""

__version__ = "0.1.0"
