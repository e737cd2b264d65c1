# scatter.gp - two 2-D point sets over each other, e.g. real samples (the
# ring of Gaussians) and a generator's samples, on equal x and y scales.
#
#   gnuplot -e "data='points.dat'; out='scatter.png'; label_a='real'; label_b='generated'" plots/scatter.gp
#
# data: "x y" per line, the first set, two blank lines, the second set.
# Parameters (-e): data, out, optional: title, label_a, label_b.
if (!exists("title")) title = ''
if (!exists("label_a")) label_a = 'real'
if (!exists("label_b")) label_b = 'generated'

set terminal pngcairo size 640,640 noenhanced font ",10"
set output out
set title title
set size ratio -1
set key top right box opaque
set grid lc rgb "#dddddd"
set xlabel 'x1'
set ylabel 'x2'

plot data index 0 using 1:2 with points pt 7 ps 0.5 lc rgb "#901f77b4" title label_a, \
     data index 1 using 1:2 with points pt 7 ps 0.5 lc rgb "#70d62728" title label_b
