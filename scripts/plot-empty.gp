# A panel without rows says so.
unset logscale
unset arrow
set xrange [0:1]
set yrange [0:1]
unset xtics
unset ytics
set label 1 'no rows' at graph 0.5, graph 0.5 center font ',16' tc '#888888'
plot 2 notitle
