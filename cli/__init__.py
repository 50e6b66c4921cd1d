"""The nnbp command line: parse options, call the library, render the result."""
