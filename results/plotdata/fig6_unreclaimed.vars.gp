# Figure 6 data, written by scripts/plot.py; medians over reps
npanels = 1
figtitle = "Figure 6. Unreclaimed regions with a stalled reader\n(no time series file found: peak_unreclaimed per trial vs stall instead)"
footer1 = 'scripts/plot.py  (rows from scripts/sweep default, scripts/sweep tether-scaling)'
footer2 = '262 rows of results/default.csv, results/tether-scaling.csv; commit 1f4747c6a0dc, 06bbefb671ea; CPU AMD EPYC x2, Intel(R) Xeon(R) Processor x16; compiler gcc 12.2.0; dates 2026-11-27T09:20:30Z .. 2026-12-08T02:40:45Z'
data1 = datadir.'/'.'fig6_unreclaimed-p1.dat'
title1 = '2 reader threads, one stalled'
xlabel1 = 'stall per tether (ms)'
ylabel1 = 'peak unreclaimed regions'
nseries1 = 23
ncats1 = 0
empty1 = 0
dashed1 = '  '
vline1 = 0
hline1 = 0
ylog1 = 1
dense1 = 0
note1 = ''
