# loss_curves.gp - training curves from a CSV log, one colour per column:
# the raw values faint, an exponential moving average drawn over them.
#
#   gnuplot -e "csv='runs/x/log.csv'; out='runs/x/loss.png'; cols='loss_d loss_g'; title='DCGAN'" plots/loss_curves.gp
#
# Parameters (-e): csv, out, cols (space-separated column names; the x axis is
# the first column), optional: title, xlabel (default 'step'), ylabel
# (default 'loss'), smooth (weight of the past in the moving average; by
# default it averages over about 1/40 of the rows, so short and long runs
# look alike).
if (!exists("title")) title = ''
if (!exists("xlabel")) xlabel = 'step'
if (!exists("ylabel")) ylabel = 'loss'

set terminal pngcairo size 900,500 noenhanced font ",10"
set output out
set datafile separator ","
set datafile columnheaders
if (!exists("smooth")) { stats csv using 1 nooutput; smooth = 1 - 1.0 / (STATS_records > 80 ? STATS_records / 40.0 : 2.0) }
set key outside right top box opaque
set grid lc rgb "#dddddd"
set title title . ' (faint: raw values; solid: moving average)'
set xlabel xlabel
set ylabel ylabel

colors = "1f77b4 d62728 2ca02c ff7f0e 9467bd 8c564b e377c2 17becf"
color(i) = word(colors, (i - 1) % words(colors) + 1)
# the moving average restarts at the first row of each curve ($0 == 0)
ema(v) = ($0 == 0 || !exists("ema_v")) ? (ema_v = v) : (ema_v = smooth * ema_v + (1 - smooth) * v)

plot for [i=1:words(cols)] csv using 1:(column(word(cols, i))) with lines lw 1 \
         lc rgb "#b0".color(i) notitle, \
     for [i=1:words(cols)] csv using 1:(ema(column(word(cols, i)))) with lines lw 2 \
         lc rgb "#".color(i) title word(cols, i)
