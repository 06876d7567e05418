#!/usr/bin/python3
"""Oracle average of issue 18 (align18): for each templated epoch of a `semg templates -report` CSV, the
average of ALL true discharges of the unit the template represents (ground-truth firings, exact samples)
over the template window around the SD MUAP's energy maximum, and its correlation with the unit's true SD
MUAP, beside the template's. Needs only h5dump (hdf5-tools); 16 electrodes in one column assumed.
Usage: oracle_average.py REC.h5 EPOCHS.csv [EPOCH_S (default 1; the -epoch of semg templates)]"""
import sys, subprocess, re, math
rec, ep_csv = sys.argv[1], sys.argv[2]
epoch_s = float(sys.argv[3]) if len(sys.argv) > 3 else 1.0
def ds(name):
    out = subprocess.run(['h5dump','-d',name,'-y','-w','0',rec],capture_output=True,text=True).stdout
    body = out[out.index('DATA {')+6:]
    body = body[:body.index('}')]
    return [float(v) for v in re.findall(r'[-+]?\d*\.?\d+(?:[eE][-+]?\d+)?', body)]
x = ds('/emg/data'); nt = len(x)//16
F = ds('/ground_truth/firings'); M = ds('/ground_truth/muap'); U = ds('/ground_truth/units')
nu = len(U)//11; nm = len(M)//(nu*16); fs = 2048
units = [int(U[a*11]) for a in range(nu)]
rows = [l.strip().split(',') for l in open(ep_csv)][1:]
pre, L = 10, 51
for r in rows:
    if r[10] != '1': continue
    ep = int(float(r[5])); unit = int(float(r[2])); a = units.index(unit)
    mu = [[M[(a*16+c)*nm+j] for j in range(nm)] for c in range(16)]
    sd = [[mu[c+1][j]-mu[c][j] for j in range(nm)] for c in range(15)]
    e = [sum(sd[c][j]**2 for c in range(15)) for j in range(nm)]
    lat = max(range(nm), key=lambda j: e[j])
    k0s = [int(math.floor(F[2*f+1]*fs+0.5)) for f in range(len(F)//2) if int(F[2*f])==a]
    elen = int(math.floor(epoch_s*fs+0.5))
    k0s = [k for k in k0s if k+lat-pre >= ep*elen and k+lat-pre+L <= (ep+1)*elen]
    avg = [[0.0]*L for c in range(15)]
    for k in k0s:
        for c in range(15):
            for j in range(L):
                kk = k+lat-pre+j
                avg[c][j] += (x[(c+1)*nt+kk]-x[c*nt+kk])/len(k0s)
    ab=aa=bb=0
    for c in range(15):
        for j in range(L):
            t = sd[c][lat-pre+j] if 0 <= lat-pre+j < nm else 0
            ab += avg[c][j]*t; aa += avg[c][j]**2; bb += t*t
    print(f"epoch {ep:2d} unit {unit:3d} ntrig {r[7]:>3} corr {float(r[3]):.3f} oracle n {len(k0s):2d} corr {ab/math.sqrt(aa*bb):.3f}")
