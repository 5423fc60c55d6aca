# Figure 2 data, written by scripts/plot.py; medians over reps
npanels = 2
figtitle = "Figure 2. Fraction of memcpy bandwidth reached"
footer1 = 'scripts/plot.py  (rows from scripts/sweep default, scripts/sweep tether-scaling)'
footer2 = '762 rows of results/default.csv, results/tether-scaling.csv; commit 1f4747c6a0dc, 489ca543038e; CPU AMD EPYC x2, Intel(R) Xeon(R) Processor x16; compiler gcc 12.2.0; dates 2026-11-27T10:01:30Z .. 2026-12-08T02:39:48Z'
data1 = datadir.'/'.'fig2_memcpy_frac-p1.dat'
title1 = 'layout=alloc, largest size per workload'
xlabel1 = 'workload'
ylabel1 = 'memcpy_ns / ns_total'
nseries1 = 12
ncats1 = 8
empty1 = 0
dashed1 = '  '
vline1 = 0
hline1 = 1.0
ylog1 = 1
dense1 = 0
note1 = '1 = memcpy speed; zero-copy strategies pass it'
data2 = datadir.'/'.'fig2_memcpy_frac-p2.dat'
title2 = 'layout=shuffled, largest size per workload'
xlabel2 = 'workload'
ylabel2 = 'memcpy_ns / ns_total'
nseries2 = 8
ncats2 = 2
empty2 = 0
dashed2 = '  '
vline2 = 0
hline2 = 1.0
ylog2 = 1
dense2 = 0
note2 = '1 = memcpy speed; zero-copy strategies pass it'
