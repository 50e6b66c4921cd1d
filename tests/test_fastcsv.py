"""The vectorized integer reader gives exactly what numpy's text parser gives,
and declines (None) anything that is not plain integers, for the general reader."""

import io

import numpy as np
import pytest

from nnbp import fastcsv


def parse(text: bytes, n: int):
    return fastcsv.parse_uint_csv(np.frombuffer(text, dtype=np.uint8), n)


@pytest.mark.parametrize("digits", [1, 3, 9, 12])
@pytest.mark.parametrize("chunk", [64, 1 << 20])
def test_matches_numpy(monkeypatch, digits, chunk):
    monkeypatch.setattr(fastcsv, "CHUNK", chunk)  # small chunks: many cuts between rows
    rng = np.random.default_rng(digits)
    A = rng.integers(0, 10 ** digits, size=(57, 7))
    A[rng.random(A.shape) < 0.5] = 0  # fields of every length side by side
    buf = io.StringIO()
    np.savetxt(buf, A, fmt="%d", delimiter=",")
    got = parse(buf.getvalue().encode(), 7)
    assert got.dtype == np.float64
    np.testing.assert_array_equal(got, A.astype(np.float64))


@pytest.mark.parametrize("text", [b"1,2\n3\n", b"1,-2\n3,4\n", b"1,,\n", b"1.5,2\n", b"1, 2\n",
                                  b'"1",2\n', b"1,2\r\n", b"1,2,3\n4,5,6\n", b"1e3,2\n"])
def test_declines_what_is_not_plain_integers(text):
    assert parse(text, 2) is None


def test_first_field_of_a_chunk_is_not_read_past():
    # the byte before the first field wraps to the chunk's last byte ('\n'): not a digit
    assert parse(b"7,80\n900,1\n", 2).tolist() == [[7.0, 80.0], [900.0, 1.0]]


@pytest.mark.parametrize("bad", [b"5,-6,7\n", b"5,6\n", b"5,6,7,8\n", b"5,6,x\n"])
@pytest.mark.parametrize("where", [0, 20, 39])
def test_a_bad_row_in_any_chunk_declines_the_whole_file(monkeypatch, bad, where):
    monkeypatch.setattr(fastcsv, "CHUNK", 32)  # about 4 rows a chunk, parsed in parallel
    rows = [b"%d,%d,%d\n" % (i, 10 * i, 100 * i) for i in range(40)]
    assert parse(b"".join(rows), 3)[39].tolist() == [39.0, 390.0, 3900.0]
    rows[where] = bad
    assert parse(b"".join(rows), 3) is None
