# Shared start of every scripts/figN.gp: terminal, multiplot, footer.
# Expects (from `gnuplot -e`): vars (the figure's data, written by plot.py),
# datadir (the folder of its .dat files),
# out (output file), term ('pngcairo' or 'svg'), gpdir (this folder).
load vars
if (term eq 'svg') {
	set terminal svg size (npanels > 1 ? 620*npanels+40 : 900),520 dynamic font 'Sans,11' background '#ffffff'
} else {
	set terminal pngcairo size (npanels > 1 ? 620*npanels+40 : 900),520 font 'Sans,10' background '#ffffff'
}
set output out
set encoding utf8
set datafile missing 'NaN'
set key top left font ',8' samplen 2 spacing 0.9 opaque
set grid back lc '#dddddd'
set multiplot layout 1,npanels title figtitle font ',12' margins 0.08,0.98,0.2,0.83 spacing 0.08,0.1
set label 98 footer1 at screen 0.005,0.045 font ',7' tc '#555555' noenhanced
set label 99 footer2 at screen 0.005,0.015 font ',7' tc '#555555' noenhanced
