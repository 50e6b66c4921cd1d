"""Everything between a data file and blocks of rows."""
