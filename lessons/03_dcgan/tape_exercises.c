// tape_exercises.c - exercise 3.9: the backward walk of the autograd tape.
//
// In lesson 02 you called each layer's backward by hand, in the right order,
// and passed each gradient on yourself. The tape (common/autograd/tensor.h, tape.h)
// does that bookkeeping: every op that has a source requiring a gradient
// records its output tensor in tp->nodes, in creation order. What you need:
//   tp->nodes[i]         the recorded tensors; tp->nodes[t->node] == t
//   loss->node           the loss's index (it was recorded last of its graph)
//   t->grad (t->size)    d loss / d t, filled in by t's consumers
//   t->src[0..2]         t's sources (NULL when absent)
//   t->requires_grad     1 when a gradient must reach t (parameters, and
//                        every recorded tensor)
//   t->visit             free for your walk: mark a tensor reached
//   tp->backward_passes  a counter: ++ it to get a fresh mark for this pass
//   t->op == OP_VIEW     a reshape/flatten/slice: its grad is a window into
//                        its source's grad, so it must never be cleared
//   tape_backward_node(tp, t)   the library's per-op backward: adds t->grad,
//                        through the op's backward kernel, into the grads of
//                        t's sources that require one
// README section 6 explains why reverse creation order is a topological order.
#include <string.h>

#include "util/exercise.h"
#include "tape_exercises.h"

// Exercise 3.9 (16 points): the backward pass.
//
// 1. Seed: d loss / d loss = 1, ADDED to loss->grad[0].
// 2. Take a fresh mark (++tp->backward_passes) and mark the loss.
// 3. Walk i = loss->node down to 0. Skip every tensor without the mark: the
//    loss does not depend on it (another network's graph on the same tape,
//    say), so it needs no gradient and its kernels must not run.
//    For a marked tensor t: tape_backward_node(tp, t); mark each source
//    that requires a gradient; then clear t->grad (unless t is a view),
//    because it has been passed on: a second backward over the same nodes
//    (D's loss after G's) must add only its own gradient.
// Every source is created before its consumers, so when the walk reaches t,
// every consumer of t has already added its share into t->grad: a tensor
// used twice receives the sum of both gradients.
// Tested against PyTorch (a small network and a full W1 step), a tensor used
// twice, two backward passes, and a second graph on the tape whose kernels
// must not run (tests/03_dcgan/test_tape.c).
void l03_tape_backward(Tape *tp, Tensor *loss) {
    if (loss->size != 1 || !loss->requires_grad || loss->node < 0)
        tensor_fail("l03_tape_backward: the loss must be one recorded value that requires a "
                    "gradient (size %ld, requires_grad %d)", loss->size, loss->requires_grad);
    /* BEGIN EXERCISE 3.9 */
    (void)tp, (void)loss;
    EXERCISE_TODO("3.9");
    /* END EXERCISE 3.9 */
}
