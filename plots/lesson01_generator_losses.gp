# lesson01_generator_losses.gp - lesson 01's figure: the generator's two losses
# and the gradient each gives, against D(G(z)).
# Input: the CSV written by lessons/01_gan_losses (columns d_fake, logit,
# loss_saturating, loss_non_saturating, grad_saturating, grad_non_saturating).
#     gnuplot -e "csv='runs/01_gan_losses/generator_losses.csv'; png='out.png'" \
#             plots/lesson01_generator_losses.gp
set terminal pngcairo size 1000,420 font ',10'
set output png
set datafile separator ','
set key autotitle columnhead

# The region where training starts: D easily rejects the first fakes.
set object 1 rectangle from 0, graph 0 to 0.1, graph 1 behind fillcolor rgb '#eeeeee' fillstyle solid noborder
set grid
set xrange [0:1]
set xlabel "D(G(z)): the discriminator's probability that the fake is real"

set multiplot layout 1,2 title "The generator's losses (left) and the gradient they send back (right)"

set title 'loss per fake image'
set ylabel 'L_G'
set yrange [-5:5]
set key top center
plot csv using 1:3 with lines lw 2 lc rgb '#9400d3' title 'saturating  log(1 - D(G(z)))', \
     csv using 1:4 with lines lw 2 lc rgb '#009e73' title 'non-saturating  -log D(G(z))'

set title 'gradient with respect to the logit'
set ylabel '|dL_G / d logit|'
set yrange [0:1.05]
set key bottom center
set label 1 'start of training:' at 0.012,0.50 font ',9'
set label 2 'D rejects the fakes' at 0.012,0.45 font ',9'
plot csv using 1:5 with lines lw 2 lc rgb '#9400d3' title 'saturating: D(G(z))', \
     csv using 1:6 with lines lw 2 lc rgb '#009e73' title 'non-saturating: 1 - D(G(z))'

unset multiplot
