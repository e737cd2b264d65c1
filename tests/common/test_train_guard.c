// test_train_guard.c - the divergence checks name the loss or the tensor, the
// element, the step and the last good checkpoint; frozen parameters are not
// checked; the checkpoint size estimate is the size checkpoint_save writes;
// the output-folder check refuses a folder that cannot be written.
// (tests/reliability/run.sh checks the same through a training program.)
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "train/train_guard.h"

TestSuite(train_guard, .timeout = 30);

Test(train_guard, a_finite_loss_passes_and_nan_or_inf_is_named_with_the_step, .timeout = 10) {
    TrainGuard g;
    guard_init(&g, "runs/x/checkpoint.bin", 1200);
    Error err = {""};
    cr_assert_eq(guard_check_loss(&g, "loss_d", 0.7f, 1234, &err), 0, "a finite loss must pass");
    cr_assert_eq(guard_check_loss(&g, "loss_d", NAN, 1234, &err), -1, "NaN must fail");
    cr_assert_str_eq(err.msg, "loss_d is NaN at step 1234; the last good checkpoint is "
                     "runs/x/checkpoint.bin (step 1200)", "message: %s", err.msg);
    cr_assert_eq(guard_check_loss(&g, "loss_g", -INFINITY, 7, &err), -1, "-Inf must fail");
    cr_assert(strstr(err.msg, "loss_g is -Inf at step 7") != NULL, "message: %s", err.msg);
    guard_init(&g, "c.bin", -1);
    guard_check_loss(&g, "loss_g", INFINITY, 3, &err);
    cr_assert(strstr(err.msg, "no checkpoint has been written yet") != NULL, "message: %s", err.msg);
    guard_saved(&g, 40);
    guard_check_loss(&g, "loss_g", NAN, 41, &err);
    cr_assert(strstr(err.msg, "c.bin (step 40)") != NULL, "guard_saved must move the step: %s",
              err.msg);
}

Test(train_guard, a_bad_gradient_is_named_by_tensor_and_element_and_frozen_ones_are_skipped,
     .timeout = 10) {
    ParamSet ps;
    paramset_init(&ps);
    Rng rng;
    rng_seed(&rng, 1);
    Linear a, b;
    nn_linear_init(&a, &ps, "d.fc1", 3, 4, 1, &rng);
    nn_linear_init(&b, &ps, "d.fc2", 4, 2, 1, &rng);
    TrainGuard g;
    guard_init(&g, "ck.bin", 10);
    Error err = {""};
    cr_assert_eq(guard_check_grads(&g, &ps, "D", 12, &err), 0, "zero gradients must pass");
    b.weight->grad[5] = INFINITY;
    cr_assert_eq(guard_check_grads(&g, &ps, "D", 12, &err), -1, "an Inf gradient must fail");
    cr_assert_str_eq(err.msg, "the gradient of d.fc2.weight (model D) has Inf at element 5 of 8 "
                     "at step 12; the last good checkpoint is ck.bin (step 10)", "message: %s",
                     err.msg);
    a.bias->grad[0] = NAN;
    guard_check_grads(&g, &ps, "D", 13, &err);
    cr_assert(strstr(err.msg, "d.fc1.bias (model D) has NaN at element 0 of 4") != NULL,
              "the first bad tensor is named: %s", err.msg);
    paramset_set_requires_grad(&ps, 0);
    cr_assert_eq(guard_check_grads(&g, &ps, "D", 14, &err), 0,
                 "frozen parameters keep stale gradients and are not checked");
    paramset_free(&ps);
}

Test(train_guard, the_size_estimate_is_the_size_of_the_saved_checkpoint, .timeout = 10) {
    ParamSet gps, dps;
    paramset_init(&gps);
    paramset_init(&dps);
    Rng rng;
    rng_seed(&rng, 2);
    Linear fc;
    BatchNorm2d bn;
    nn_linear_init(&fc, &gps, "g.fc", 5, 3, 1, &rng);
    nn_batchnorm2d_init(&bn, &gps, "g.bn", 3, &rng);
    Linear dfc;
    nn_linear_init(&dfc, &dps, "d.fc", 3, 1, 0, &rng);
    Optimizer gopt, dopt;
    optim_adam_init(&gopt, &gps, 1e-3f, 0.5f, 0.999f, 1e-8f);
    optim_sgd_init(&dopt, &dps, 1e-2f, 0.9f);
    CheckpointModel models[2] = {{"G", &gps, &gopt}, {"D", &dps, &dopt}};
    char path[] = "/tmp/guard_size_XXXXXX";
    int fd = mkstemp(path);
    cr_assert(fd >= 0, "cannot make a temporary file");
    close(fd);
    Error err;
    cr_assert_eq(checkpoint_save(path, models, 2, NULL, &rng, &err), 0, "save: %s", err.msg);
    struct stat st;
    cr_assert_eq(stat(path, &st), 0, "the checkpoint must exist");
    cr_assert_eq((long)st.st_size, guard_checkpoint_bytes(models, 2),
                 "file %ld bytes, estimate %ld", (long)st.st_size, guard_checkpoint_bytes(models, 2));
    unlink(path);
    optim_free(&gopt);
    optim_free(&dopt);
    paramset_free(&gps);
    paramset_free(&dps);
}

Test(train_guard, an_output_folder_that_cannot_be_written_is_refused, .timeout = 10) {
    char dir[] = "/tmp/guard_out_XXXXXX";
    cr_assert(mkdtemp(dir) != NULL, "cannot make a temporary folder");
    Error err = {""};
    cr_assert_eq(guard_check_output(dir, 1000, &err), 0, "a writable folder passes: %s", err.msg);
    char missing[128];
    snprintf(missing, sizeof missing, "%s/not/there", dir);
    cr_assert_eq(guard_check_output(missing, 1000, &err), -1, "a missing folder must fail");
    cr_assert(strstr(err.msg, missing) != NULL && strstr(err.msg, "cannot write") != NULL,
              "message: %s", err.msg);
    cr_assert_eq(guard_check_output(dir, 1L << 62, &err), -1, "2^62 bytes cannot be free");
    cr_assert(strstr(err.msg, "the disk is too full") != NULL, "message: %s", err.msg);
    rmdir(dir);
}
