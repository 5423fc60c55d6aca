# Figure 5 data, written by scripts/plot.py; medians over reps
npanels = 1
figtitle = "Figure 5. Tether cost vs reader threads"
footer1 = 'scripts/plot.py  (rows from scripts/sweep default)'
footer2 = '88 rows of results/default.csv; commit 563507a82d16; CPU AMD EPYC x2; compiler gcc 12.2.0; dates 2026-11-27T08:15:50Z .. 2026-11-27T08:16:36Z'
data1 = datadir.'/'.'fig5_tether_scaling-p1.dat'
title1 = 'read=0, no stalled reader'
xlabel1 = 'reader threads'
ylabel1 = 'ns per pair (per thread)'
nseries1 = 11
ncats1 = 0
empty1 = 0
dashed1 = ' 7 8 9 10 '
vline1 = 2
hline1 = 0
ylog1 = 1
dense1 = 0
note1 = '2 CPUs: thread counts past the line are oversubscribed'
