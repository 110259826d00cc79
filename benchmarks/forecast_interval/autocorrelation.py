"""Autocorrelation of the final window's daily forecast errors and the coverage spread of a
perfectly calibrated 80 % interval under AR(1) errors (docs/accuracy.md, "interval round 4").

Usage: python benchmarks/forecast_interval/autocorrelation.py PROJECT_DIR [PROJECT_DIR ...]
(project copies after a full `kedro run` on simulated worlds)."""
import sys

import numpy as np
import pandas as pd
from scipy.stats import norm

z80 = norm.ppf(0.9)
rows=[]
for d in sys.argv[1:]:
    s = d
    fc = pd.read_parquet(f"{d}/data/07_model_output/forecast_daily.parquet")
    fut = pd.read_csv(f"{d}/data/ground_truth/future_daily.csv", parse_dates=["date"])
    for metric,col in (("conversions","conversions"),("revenue","revenue_usd")):
        f = fc[(fc.series=="total")&(fc.metric==metric)&fc.is_forecast].merge(fut,on="date")
        a=f[col].to_numpy(); y=f.yhat.to_numpy(); lo=f.yhat_lower.to_numpy(); hi=f.yhat_upper.to_numpy()
        # PIT-like standardised error: side-specific half width -> z
        z = np.where(a>=y,(a-y)/(hi-y),(a-y)/(y-lo))*z80
        r1 = np.corrcoef(z[:-1],z[1:])[0,1]
        rows.append((s,metric,((a>=lo)&(a<=hi)).mean(), r1, z.mean(), z.std()))
df=pd.DataFrame(rows,columns=["seed","metric","cov","lag1","zmean","zsd"]); print(df.round(2).to_string())
phi = df.lag1.mean(); print("mean lag1", phi)
# coverage spread of a perfectly calibrated interval under AR(1) errors
rng=np.random.default_rng(0)
for ph in [0.0, 0.3, 0.5, phi, 0.7]:
    n=56; R=20000
    e=np.empty((R,n)); e[:,0]=rng.standard_normal(R)
    for t in range(1,n): e[:,t]=ph*e[:,t-1]+np.sqrt(1-ph**2)*rng.standard_normal(R)
    cov=(np.abs(e)<=z80).mean(1)
    print(f"phi {ph:.2f}: sd cov {cov.std():.3f}, P(outside .70-.90) {((cov<0.70-1e-9)|(cov>0.90+1e-9)).mean():.3f}")
