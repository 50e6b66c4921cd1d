"""Code that several test modules share: problems to train on, a plain-numpy reference,
readers of what ``nnbp train`` writes.  No tests live here; a test module imports from
here or from conftest, never from another test module."""
