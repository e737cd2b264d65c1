// main.c - lesson 01's program: the GAN losses at chosen discriminator outputs,
// and the picture that explains why the generator uses the non-saturating loss.
//
// It calls YOUR exercise functions (losses_exercises.c): with an unfinished exercise
// it stops and names it. It prints
//   1. what the naive formula does at a huge logit, next to yours;
//   2. the discriminator's loss for a few (D(x), D(G(z))) pairs;
//   3. the generator's two losses and their gradients for a few D(G(z));
//   4. the least-squares losses for a few raw scores;
// then writes both generator losses and |dL_G/dlogit| against D(G(z)) in (0, 1)
// to a CSV file and draws them with gnuplot into two PNGs.
//
//     make run LESSON=01            (your code)
//     make run LESSON=01 SOLUTIONS=1  (the reference)
#include <math.h>
#include <stdio.h>

#include "train/args.h"
#include "train/csvlog.h"
#include "util/error.h"
#include "losses.h"
#include "train/plot.h"
#include "train/run.h"

// The logit a with sigmoid(a) = p: the inverse of the sigmoid.
static float logit_of(double p) { return (float)log(p / (1.0 - p)); }

// ------------------------------------------------------------ the tables

static void print_generator_table(void) {
    static const double probs[] = {0.001, 0.01, 0.1, 0.5, 0.9, 0.99};
    printf("The generator's losses for one fake image, as D(G(z)) grows:\n");
    printf("  %-9s %8s | %14s %12s | %14s %12s\n", "D(G(z))", "logit a", "saturating L",
           "|dL/da|", "non-satur. L", "|dL/da|");
    for (size_t i = 0; i < sizeof probs / sizeof probs[0]; i++) {
        float a = logit_of(probs[i]), d_sat = 0.0f, d_ns = 0.0f;
        float l_sat = l01_g_loss_saturating_forward(&a, 1);
        float l_ns = l01_g_loss_forward(&a, 1);
        l01_g_loss_saturating_backward(&d_sat, &a, 1.0f, 1);
        l01_g_loss_backward(&d_ns, &a, 1.0f, 1);
        printf("  %-9g %8.3f | %14.5f %12.5f | %14.5f %12.5f\n", probs[i], a, l_sat,
               fabsf(d_sat), l_ns, fabsf(d_ns));
    }
    printf("  Early in training D(G(z)) is near 0: the saturating gradient vanishes there,\n"
           "  the non-saturating one is near 1.\n\n");
}

static void print_discriminator_table(void) {
    static const double pairs[][2] = {{0.5, 0.5}, {0.9, 0.1}, {0.999, 0.001}, {0.1, 0.9}};
    printf("The discriminator's loss L^D = -log D(x) - log(1 - D(G(z))):\n");
    printf("  %-9s %-9s | %10s\n", "D(x)", "D(G(z))", "L^D");
    for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
        float real = logit_of(pairs[i][0]), fake = logit_of(pairs[i][1]);
        printf("  %-9g %-9g | %10.5f\n", pairs[i][0], pairs[i][1],
               l01_d_loss_forward(&real, &fake, 1));
    }
    printf("  At the game's equilibrium D = 1/2 everywhere and L^D = log 4 = %.5f.\n\n",
           log(4.0));
}

static void print_least_squares_table(void) {
    static const float scores[][2] = {{1.0f, 0.0f}, {0.5f, 0.5f}, {0.0f, 1.0f}};
    printf("The least-squares losses on raw scores (no sigmoid):\n");
    printf("  %-9s %-9s | %10s %10s\n", "s(x)", "s(G(z))", "L^D_LS", "L^G_LS");
    for (size_t i = 0; i < sizeof scores / sizeof scores[0]; i++)
        printf("  %-9g %-9g | %10.5f %10.5f\n", scores[i][0], scores[i][1],
               l01_lsgan_d_loss_forward(&scores[i][0], &scores[i][1], 1),
               l01_lsgan_g_loss_forward(&scores[i][1], 1));
    printf("\n");
}

static void print_stability(void) {
    // The textbook formula in float: sigmoid(100) rounds to exactly 1.
    float a = 100.0f;
    float naive = -logf(1.0f - 1.0f / (1.0f + expf(-a)));
    printf("A confident, wrong discriminator: logit a = 100 on a fake (label 0).\n");
    printf("  naive -log(1 - sigmoid(a)) in float = %g\n", naive);
    printf("  l01_bce_forward(a, 0)               = %g   (the exact value is 100)\n\n",
           l01_bce_forward(&a, 0.0f, 1));
}

// ------------------------------------------------------------ the figure

// Both generator losses and |dL/da| for one fake image with D(G(z)) = p, on a
// grid over (0, 1). Columns: p, logit a, L_sat, L_non_sat, |dL_sat/da|, |dL_ns/da|.
static int write_generator_csv(const char *path, Error *err) {
    CsvLog log;
    if (csvlog_open(&log, path, "d_fake,logit,loss_saturating,loss_non_saturating,"
                    "grad_saturating,grad_non_saturating", -1, err) != 0)
        return -1;
    int rc = 0;
    for (int k = 1; k < 200 && rc == 0; k++) {
        double p = k / 200.0;
        float a = logit_of(p), d_sat = 0.0f, d_ns = 0.0f;
        float l_sat = l01_g_loss_saturating_forward(&a, 1), l_ns = l01_g_loss_forward(&a, 1);
        l01_g_loss_saturating_backward(&d_sat, &a, 1.0f, 1);
        l01_g_loss_backward(&d_ns, &a, 1.0f, 1);
        rc = csvlog_write(&log, (double[]){p, a, l_sat, l_ns, fabsf(d_sat), fabsf(d_ns)}, err);
    }
    csvlog_close(&log);
    return rc;
}

// The two figures from the CSV. A missing gnuplot costs the pictures, not
// the run: the CSV is already written.
static void plot_generator_figures(const char *dir, const char *csv, Outputs *out) {
    char png[OUTPUTS_PATH_LEN];
    Error err;
    const char *xlabel = "D(G(z)): the discriminator's probability that the fake is real";
    snprintf(png, sizeof png, "%s/generator_gradients.png", dir);
    if (plot_lines(png, csv, "d_fake", "grad_saturating,grad_non_saturating",
                   "Gradient the generator gets per fake image: D(G(z)) (saturating) "
                   "vs 1 - D(G(z)) (non-saturating)",
                   xlabel, "|dL_G / d logit|", 0, &err) == 0)
        outputs_add(out, png);
    else
        fprintf(stderr, "%s\n", err.msg);
    snprintf(png, sizeof png, "%s/generator_losses.png", dir);
    if (plot_lines(png, csv, "d_fake", "loss_saturating,loss_non_saturating",
                   "Generator losses: log(1 - D(G(z))) (saturating) vs -log D(G(z)) "
                   "(non-saturating)",
                   xlabel, "L_G per fake image", 0, &err) == 0)
        outputs_add(out, png);
    else
        fprintf(stderr, "%s\n", err.msg);
}

int main(int argc, char **argv) {
    Args args;
    args_init(&args, "01_gan_losses", "the GAN losses at chosen D outputs, and the figure of their gradients");
    int code = args_parse_or_usage(&args, argc, argv);
    if (code >= 0) return code;   // --help, or a wrong flag
    Outputs out;
    Error err;
    if (run_start(&out, &args, &err) != 0) return run_end(&out, -1, &err);

    // in the order of the exercises, so an unfinished one stops the program early
    print_stability();
    print_discriminator_table();
    print_generator_table();
    print_least_squares_table();

    char csv[OUTPUTS_PATH_LEN];
    snprintf(csv, sizeof csv, "%s/generator_losses.csv", args.out);
    int rc = write_generator_csv(csv, &err);
    if (rc == 0) {
        outputs_add(&out, csv);
        plot_generator_figures(args.out, csv, &out);
    }
    return run_end(&out, rc, &err);
}
