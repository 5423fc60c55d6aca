# One line panel: `call gpdir.'/plot-lines.gp' P` draws panel P of the loaded figure.
# Series are index blocks of dataP; a series listed in dashedP is drawn dashed.
P = int(ARG1)
set title value('title'.P) noenhanced
set xlabel value('xlabel'.P) noenhanced
set ylabel value('ylabel'.P) noenhanced
if (value('vline'.P) > 0) {
	set arrow 1 from first value('vline'.P), graph 0 to first value('vline'.P), graph 1 nohead dt 3 lc '#999999'
}
if (strlen(value('note'.P)) > 0) {
	set label 2 value('note'.P) at graph 0.99, graph 0.97 right font ',7' tc '#666666' noenhanced
}
if (value('empty'.P)) {
	call gpdir.'/plot-empty.gp'
} else {
	if (value('dense'.P)) {
		# a time series: lines without point markers
		plot for [i=0:value('nseries'.P)-1] value('data'.P) index i using 1:2 with lines \
			dt 1+(strstrt(value('dashed'.P), sprintf(' %d ', i)) > 0) lw 1.2 title columnheader(1) noenhanced
	} else {
		plot for [i=0:value('nseries'.P)-1] value('data'.P) index i using 1:2 with linespoints \
			dt 1+(strstrt(value('dashed'.P), sprintf(' %d ', i)) > 0) lw 1.5 pt (i % 10 + 1) ps 0.7 \
			title columnheader(1) noenhanced
	}
}
if (P == 1) { unset label 98; unset label 99 }
