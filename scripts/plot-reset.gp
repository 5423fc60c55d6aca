# Called before each panel: forget the previous panel's axes and labels.
unset logscale
unset arrow
unset label 1
unset label 2
set autoscale
set xtics auto norotate
set ytics auto
set format x '%g'
set format y '%g'
set style data linespoints
