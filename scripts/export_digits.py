#!/usr/bin/env python3
"""Writes data/digits.csv from scikit-learn's bundled copy of the UCI optical digits set.

1,797 8x8 images, pixel values 0..16, label 0..9. BSD-licensed (see data/README.md).
Usage: pip install scikit-learn && python3 scripts/export_digits.py
"""
import pathlib

from sklearn.datasets import load_digits

out = pathlib.Path(__file__).resolve().parent.parent / "data" / "digits.csv"
digits = load_digits()
with out.open("w") as f:
    f.write(",".join([f"p{i}" for i in range(64)] + ["label"]) + "\n")
    for x, y in zip(digits.data, digits.target):
        f.write(",".join(str(int(v)) for v in x) + f",{int(y)}\n")
print(f"wrote {out} ({len(digits.target)} rows)")
