# Figure 9: who wins when: ns per object of every strategy (bars, log scale)
# in each cell of (what the runtime knows: nothing, dense, home, sole) x size;
# one panel per workload.  The fastest of each cell is in the panel's note.
load gpdir.'/plot-begin.gp'
do for [p=1:npanels] {
	load gpdir.'/plot-reset.gp'
	if (value('ylog'.p)) { set logscale y }
	call gpdir.'/plot-bars.gp' p
}
unset multiplot
