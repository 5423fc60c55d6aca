# Figure 1 data, written by scripts/plot.py; medians over reps
npanels = 2
figtitle = "Figure 1. Transmigration: ns per object vs graph size"
footer1 = 'scripts/plot.py  (rows from scripts/sweep default, scripts/sweep tether-scaling)'
footer2 = '1246 rows of results/default.csv, results/tether-scaling.csv; commit 1f4747c6a0dc, 489ca543038e; CPU AMD EPYC x2, Intel(R) Xeon(R) Processor x16; compiler gcc 12.2.0; dates 2026-11-27T10:01:30Z .. 2026-12-08T02:39:34Z'
data1 = datadir.'/'.'fig1_ns_per_obj-p1.dat'
title1 = 'list, layout=alloc'
xlabel1 = 'objects (size)'
ylabel1 = 'ns per object'
nseries1 = 10
ncats1 = 0
empty1 = 0
dashed1 = '  '
vline1 = 0
hline1 = 0
ylog1 = 1
dense1 = 0
note1 = ''
data2 = datadir.'/'.'fig1_ns_per_obj-p2.dat'
title2 = 'list, layout=shuffled'
xlabel2 = 'objects (size)'
ylabel2 = 'ns per object'
nseries2 = 8
ncats2 = 0
empty2 = 0
dashed2 = '  '
vline2 = 0
hline2 = 0
ylog2 = 1
dense2 = 0
note2 = ''
