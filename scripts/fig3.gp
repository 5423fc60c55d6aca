# Figure 3: proxy (incremental) transmigration: pause of the initial call (solid)
# vs total time through full evacuation (dashed) vs size, log-log; cheney's
# stop-the-world total as the reference when present.
load gpdir.'/plot-begin.gp'
do for [p=1:npanels] {
	load gpdir.'/plot-reset.gp'
	set logscale xy
	set format x '10^{%L}'
	set format y '10^{%L}'
	call gpdir.'/plot-lines.gp' p
}
unset multiplot
