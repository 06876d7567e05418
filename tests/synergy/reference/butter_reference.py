#!/usr/bin/python3
"""Reference numbers for tests/synergy/test_synergy_filters.c, computed independently with SciPy
(scipy.signal.butter and sosfiltfilt). Run once to regenerate the committed CSV files; never needed by
the build or the tests:  /usr/bin/python3 tests/synergy/reference/butter_reference.py
(Debian: apt-get install python3-scipy)."""
import math
import os
import scipy
import numpy as np
from scipy import signal

here = os.path.dirname(os.path.abspath(__file__))
# kind, order, cut-off (Hz), sampling rate (Hz)
cases = [("lowpass", 4, 20.0, 1000.0), ("highpass", 4, 50.0, 1000.0), ("lowpass", 3, 10.0, 500.0),
         ("highpass", 2, 20.0, 2000.0), ("lowpass", 4, 450.0, 1000.0), ("highpass", 5, 20.0, 1000.0),
         ("lowpass", 6, 100.0, 2000.0)]
with open(os.path.join(here, "butter_coefficients.csv"), "w") as f:
    f.write("# scipy %s signal.butter(order, fc, btype, fs=fs, output='ba'); kind 0 lowpass, 1 highpass\n" % scipy.__version__)
    f.write("kind,order,fc,fs,index,b,a\n")
    for kind, n, fc, fs in cases:
        b, a = signal.butter(n, fc, btype=kind, fs=fs, output="ba")
        for i in range(n + 1):
            f.write("%d,%d,%.17g,%.17g,%d,%.17g,%.17g\n" % (kind == "highpass", n, fc, fs, i, b[i], a[i]))


def test_signal(n):
    """The same formula is evaluated in the C test."""
    i = np.arange(n, dtype=float)
    t = i / 1000.0
    return (np.sin(2 * math.pi * 3 * t) + 0.5 * np.sin(2 * math.pi * 60 * t + 0.3)
            + 0.2 * np.sin(2 * math.pi * 170 * t) + 0.3 * np.sin(i * i * 1e-4))


x = test_signal(5000)
hp = signal.sosfiltfilt(signal.butter(4, 50, btype="highpass", fs=1000, output="sos"), x)
env = signal.sosfiltfilt(signal.butter(4, 20, btype="lowpass", fs=1000, output="sos"), np.abs(hp))
lp = signal.sosfiltfilt(signal.butter(4, 20, btype="lowpass", fs=1000, output="sos"), x)
with open(os.path.join(here, "zero_phase.csv"), "w") as f:
    f.write("# scipy %s sosfiltfilt of the test signal (5000 samples at 1 kHz), samples 1000..4000 step 25\n" % scipy.__version__)
    f.write("index,lowpass20,highpass50,envelope\n")
    for k in range(1000, 4001, 25):
        f.write("%d,%.17g,%.17g,%.17g\n" % (k, lp[k], hp[k], env[k]))
