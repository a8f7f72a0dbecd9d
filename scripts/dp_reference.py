#!/usr/bin/env python3
"""Reference ε values for Tests/TributaryPrivacyTests/AccountantReferenceTests.swift.

Computes, with Google's dp-accounting (an independent implementation of the Rényi-DP accountant
for the Poisson-sampled Gaussian mechanism), ε at δ = 1e-5 for a grid of sampling rates q, noise
multipliers z and round counts T, and the noise multiplier dp-accounting calibrates for a target ε.
Prints the Swift table the test holds, so CI needs no pip.

    python3 -m venv /tmp/dpvenv && /tmp/dpvenv/bin/pip install dp-accounting==0.6.0
    /tmp/dpvenv/bin/python scripts/dp_reference.py
"""
import logging

import dp_accounting
from dp_accounting import rdp

DELTA = 1e-5
# Orders whose fractional series does not converge (small z) are left out, with a warning each.
logging.getLogger("absl").setLevel(logging.ERROR)


def epsilon(q, z, rounds):
    accountant = rdp.RdpAccountant()  # its default orders: 1.1..10.9 by 0.1, 11..63, 128..1024
    event = dp_accounting.PoissonSampledDpEvent(q, dp_accounting.GaussianDpEvent(z))
    accountant.compose(dp_accounting.SelfComposedDpEvent(event, rounds))
    return accountant.get_epsilon(DELTA)


def calibrated_noise(target, q, rounds):
    def make_event(z):
        return dp_accounting.SelfComposedDpEvent(
            dp_accounting.PoissonSampledDpEvent(q, dp_accounting.GaussianDpEvent(z)), rounds)
    return dp_accounting.calibrate_dp_mechanism(
        rdp.RdpAccountant, make_event, target, DELTA, bracket_interval=dp_accounting.LowerEndpointAndGuess(0.01, 1.0),
        tol=1e-6)


print(f"// dp-accounting {dp_accounting.__version__ if hasattr(dp_accounting, '__version__') else '0.6.0'}, δ = {DELTA}")
print("static let epsilons: [(q: Double, z: Double, rounds: Int, epsilon: Double)] = [")
for q in (0.01, 0.1, 1.0):
    for z in (0.5, 1.0, 2.0):
        for rounds in (1, 10, 100):
            print(f"    ({q}, {z}, {rounds}, {float(epsilon(q, z, rounds))!r}),")
print("]")
print("static let noiseMultipliers: [(epsilon: Double, q: Double, rounds: Int, z: Double)] = [")
for target in (1.0, 4.0, 8.0):
    for q, rounds in ((0.1, 100), (1.0, 50)):
        print(f"    ({target}, {q}, {rounds}, {float(calibrated_noise(target, q, rounds))!r}),")
print("]")
