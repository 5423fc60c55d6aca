# Figure 4: splice vs copy by live ratio (live = 1/(1+garbage)): panel 1 ns per
# live object (log y), panel 2 garbage bytes inherited per live byte.
load gpdir.'/plot-begin.gp'
do for [p=1:npanels] {
	load gpdir.'/plot-reset.gp'
	if (p == 1) { set logscale y }
	set xrange [0:1.05]
	call gpdir.'/plot-lines.gp' p
}
unset multiplot
