# Figure 7: false sharing: ns per pair with per-thread records packed in cache
# lines vs padded (bars, panel 1) and the packed/padded ratio vs threads (panel 2).
load gpdir.'/plot-begin.gp'
do for [p=1:npanels] {
	load gpdir.'/plot-reset.gp'
	if (p == 1) {
		set yrange [0:*]
		call gpdir.'/plot-bars.gp' p
	} else {
		set logscale x 2
		call gpdir.'/plot-lines.gp' p
	}
}
unset multiplot
