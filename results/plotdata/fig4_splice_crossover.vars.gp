# Figure 4 data, written by scripts/plot.py; medians over reps
npanels = 2
figtitle = "Figure 4. Splice vs copy by live ratio"
footer1 = 'scripts/plot.py  (rows from scripts/sweep default, scripts/sweep tether-scaling)'
footer2 = '400 rows of results/default.csv; commit 1f4747c6a0dc; CPU AMD EPYC x2; compiler gcc 12.2.0; dates 2026-12-08T02:31:42Z .. 2026-12-08T02:39:42Z'
data1 = datadir.'/'.'fig4_splice_crossover-p1.dat'
title1 = 'list, layout=alloc, n=10^5: time'
xlabel1 = 'live ratio (live bytes / source bytes)'
ylabel1 = 'ns per live object'
nseries1 = 8
ncats1 = 0
empty1 = 0
dashed1 = '  '
vline1 = 0
hline1 = 0
ylog1 = 1
dense1 = 0
note1 = ''
data2 = datadir.'/'.'fig4_splice_crossover-p2.dat'
title2 = 'list, layout=alloc, n=10^5: garbage inherited'
xlabel2 = 'live ratio (live bytes / source bytes)'
ylabel2 = 'garbage bytes per live byte'
nseries2 = 8
ncats2 = 0
empty2 = 0
dashed2 = '  '
vline2 = 0
hline2 = 0
ylog2 = 0
dense2 = 0
note2 = ''
