# Figure 3 data, written by scripts/plot.py; medians over reps
npanels = 1
figtitle = "Figure 3. Incremental transmigration: pause vs total time"
footer1 = 'scripts/plot.py  (rows from scripts/sweep default, scripts/sweep tether-scaling)'
footer2 = '184 rows of results/default.csv; commit 1f4747c6a0dc; CPU AMD EPYC x2; compiler gcc 12.2.0; dates 2026-12-08T02:31:37Z .. 2026-12-08T02:39:34Z'
data1 = datadir.'/'.'fig3_proxy_pause-p1.dat'
title1 = 'list, layout=alloc'
xlabel1 = 'objects (size)'
ylabel1 = 'ns'
nseries1 = 3
ncats1 = 0
empty1 = 0
dashed1 = ' 1 2 '
vline1 = 0
hline1 = 0
ylog1 = 1
dense1 = 0
note1 = ''
