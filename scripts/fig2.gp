# Figure 2: fraction of memcpy bandwidth (memcpy_ns / ns_total) per transmigrator
# and workload at the largest size; one panel per layout.  A dotted line at 1 is
# memcpy speed; zero-copy strategies pass it (log scale when they do).
load gpdir.'/plot-begin.gp'
do for [p=1:npanels] {
	load gpdir.'/plot-reset.gp'
	set yrange [0:*]
	if (value('ylog'.p)) { set logscale y; set yrange [*:*] }
	call gpdir.'/plot-bars.gp' p
}
unset multiplot
