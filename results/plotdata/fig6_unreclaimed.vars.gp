# Figure 6 data, written by scripts/plot.py; medians over reps
npanels = 1
figtitle = "Figure 6. Unreclaimed regions with a stalled reader\n(from the time series in default.series.csv)"
footer1 = 'scripts/plot.py  (rows from scripts/sweep default, scripts/sweep tether-scaling)'
footer2 = '22 rows of results/default.csv; commit d36254df069b; CPU AMD EPYC x2; compiler gcc 12.2.0; dates 2026-11-27T12:11:14Z .. 2026-11-27T12:11:37Z'
data1 = datadir.'/'.'fig6_unreclaimed-p1.dat'
title1 = 'one reader stalls 100 ms inside each tether'
xlabel1 = 'time (s)'
ylabel1 = 'unreclaimed regions'
nseries1 = 11
ncats1 = 0
empty1 = 0
dashed1 = '  '
vline1 = 0
hline1 = 0
ylog1 = 1
dense1 = 1
note1 = ''
