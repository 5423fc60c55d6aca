# Figure 5 data, written by scripts/plot.py; medians over reps
npanels = 1
figtitle = "Figure 5. Tether cost vs reader threads"
footer1 = 'scripts/plot.py  (rows from scripts/sweep default, scripts/sweep tether-scaling)'
footer2 = '538 rows of results/default.csv, results/tether-scaling.csv; commit 1f4747c6a0dc, 06bbefb671ea; CPU AMD EPYC x2, Intel(R) Xeon(R) Processor x16; compiler gcc 12.2.0; dates 2026-11-27T09:20:07Z .. 2026-12-08T02:40:45Z'
data1 = datadir.'/'.'fig5_tether_scaling-p1.dat'
title1 = 'read=0, no stalled reader'
xlabel1 = 'reader threads'
ylabel1 = 'ns per pair (per thread)'
nseries1 = 23
ncats1 = 0
empty1 = 0
dashed1 = ' 7 8 9 10 19 20 21 22 '
vline1 = 0
hline1 = 0
ylog1 = 1
dense1 = 0
note1 = ''
