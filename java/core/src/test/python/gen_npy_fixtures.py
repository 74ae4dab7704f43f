"""Writes the tiny .npy files that NpyTest reads: valid float32 files in every header version and shape rank,
and files conv4j must reject (other dtypes, Fortran order, big-endian, truncated), all written by numpy itself.

Run from anywhere with Debian's interpreter:  /usr/bin/python3 java/core/src/test/python/gen_npy_fixtures.py
"""
import io
import os

import numpy as np
from numpy.lib import format as npformat

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "resources", "npy")


def save(name, arr, version=None):
    buf = io.BytesIO()
    npformat.write_array(buf, arr, version=version)
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(buf.getvalue())
    return buf.getvalue()


def main():
    os.makedirs(OUT, exist_ok=True)
    # 2x3 float32 holding -1.0, -0.5, ..., 1.5: NpyTest knows these values and expects byte-identical output
    a = (np.arange(6, dtype=np.float32) * 0.5 - 1.0).reshape(2, 3)
    whole = save("f4_2x3.npy", a)
    save("f4_2x3_v2.npy", a, version=(2, 0))
    save("f4_2x3_v3.npy", a, version=(3, 0))
    save("f4_scalar.npy", np.array(3.25, dtype=np.float32))
    save("f4_vector.npy", np.array([1.5, -2.0, 1e-30, 3e38, -0.0], dtype=np.float32))
    save("f4_empty_0x3.npy", np.zeros((0, 3), dtype=np.float32))
    save("f8.npy", a.astype(np.float64))
    save("i8.npy", np.arange(6, dtype=np.int64).reshape(2, 3))
    save("fortran.npy", np.asfortranarray(a))
    save("big_endian.npy", a.astype(">f4"))
    with open(os.path.join(OUT, "truncated.npy"), "wb") as f:
        f.write(whole[:-5])  # the last float and a byte of the one before are missing


if __name__ == "__main__":
    main()
