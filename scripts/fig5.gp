# Figure 5: tether ns per tether+untether pair (per thread) vs reader threads,
# one line per scheme, anchors (liburcu, Concurrency Kit) dashed; a dotted
# vertical line at the CPU count marks oversubscription.
load gpdir.'/plot-begin.gp'
do for [p=1:npanels] {
	load gpdir.'/plot-reset.gp'
	set logscale x 2
	set logscale y
	call gpdir.'/plot-lines.gp' p
}
unset multiplot
