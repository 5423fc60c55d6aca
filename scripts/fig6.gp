# Figure 6: unreclaimed regions with a stalled reader, per scheme: over time
# when the tether runner's time series exists, else peak_unreclaimed vs the
# stall (the figure title says which).
load gpdir.'/plot-begin.gp'
do for [p=1:npanels] {
	load gpdir.'/plot-reset.gp'
	if (value('ylog'.p)) { set logscale y }
	call gpdir.'/plot-lines.gp' p
}
unset multiplot
