"""The config's choices that are names, not tables of functions: the schema checks
them, and the command line offers them (this module imports nothing, so that
``nnbp --help`` stays quick)."""

OPTIMIZERS = ("gd", "lbfgs", "cg")  # training.optimizer
DTYPES = ("float64", "float32")  # training.dtype
NORMALIZE = ("none", "standard", "minmax")  # data.normalize
NORMALIZE_TARGET = ("standard", "none")  # data.normalize_target
