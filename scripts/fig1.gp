# Figure 1: transmigration ns per object vs size (log-log), one line per
# transmigrator; one panel per layout (allocation order, shuffled).
# Run by scripts/plot.py: gnuplot -e "vars=...; out=...; term=...; gpdir=..." scripts/fig1.gp
load gpdir.'/plot-begin.gp'
do for [p=1:npanels] {
	load gpdir.'/plot-reset.gp'
	set logscale xy
	set format x '10^{%L}'
	call gpdir.'/plot-lines.gp' p
}
unset multiplot
