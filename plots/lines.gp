# lines.gp - columns of a CSV as lines against another column, e.g. the
# gradients of the saturating and non-saturating generator losses against
# D(G(z)) in lesson 01.
#
#   gnuplot -e "csv='grads.csv'; out='grads.png'; xcol='d_fake'; cols='grad_sat grad_nonsat'" plots/lines.gp
#
# Parameters (-e): csv, out, xcol (column name), cols (space-separated column
# names), optional: title, xlabel (default: xcol), ylabel (default ''),
# logy (1 for a logarithmic y axis).
if (!exists("title")) title = ''
if (!exists("xlabel")) xlabel = xcol
if (!exists("ylabel")) ylabel = ''
if (!exists("logy")) logy = 0

set terminal pngcairo size 800,500 noenhanced font ",10"
set output out
set datafile separator ","
set datafile columnheaders
set key outside right top box opaque
set grid lc rgb "#dddddd"
set title title
set xlabel xlabel
set ylabel ylabel
if (logy) set logscale y

colors = "1f77b4 d62728 2ca02c ff7f0e 9467bd 8c564b e377c2 17becf"
color(i) = word(colors, (i - 1) % words(colors) + 1)

plot for [i=1:words(cols)] csv using (column(xcol)):(column(word(cols, i))) with lines lw 2 \
         lc rgb "#".color(i) title word(cols, i)
