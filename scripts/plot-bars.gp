# One bar panel: `call gpdir.'/plot-bars.gp' P`: categories in column 1 of dataP,
# one column per series (clustered).  hlineP > 0 draws a reference line.
P = int(ARG1)
set title value('title'.P) noenhanced
set xlabel value('xlabel'.P) noenhanced
set ylabel value('ylabel'.P) noenhanced
if (value('hline'.P) > 0) {
	set arrow 1 from graph 0, first value('hline'.P) to graph 1, first value('hline'.P) nohead dt 3 lc '#555555'
}
if (strlen(value('note'.P)) > 0) {
	set label 2 value('note'.P) at graph 0.99, graph 0.97 right font ',7' tc '#666666' noenhanced
}
if (value('empty'.P)) {
	call gpdir.'/plot-empty.gp'
} else {
	set style data histograms
	set style histogram clustered gap 1
	set style fill solid 0.85 border -1
	set boxwidth 0.9
	if (value('ncats'.P) > 4) { set xtics rotate by -30 font ',8' }
	plot for [i=2:value('nseries'.P)+1] value('data'.P) using i:xtic(1) title columnheader(i) noenhanced
}
if (P == 1) { unset label 98; unset label 99 }
