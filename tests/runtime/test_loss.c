/*
** test_loss.c: the losses (runtime/rt_loss.c): mse is torch.nn.MSELoss (the mean over batch
** and outputs) and half_mse half of it, with their exact gradients, on numbers worked by hand.
*/
#include <criterion/criterion.h>

#include "rt_layer.h"

TestSuite(loss);

/* y = [[1, 2], [3, 4]], t = 0: MSELoss = (1 + 4 + 9 + 16) / 4 = 7.5, dL/dy = 2 y / 4. */
Test(loss, mse_is_torch_mse_loss_and_half_mse_its_half)
{
    const float y[4] = {1, 2, 3, 4}, t[4] = {0, 0, 0, 0};
    float dy[4], dh[4];
    cr_assert_eq(rt_loss_mse(dy, y, t, 2, 2, false), 7.5);
    cr_assert_eq(rt_loss_mse(dh, y, t, 2, 2, true), 3.75);
    for (int k = 0; k < 4; k++) {
        cr_assert_eq(dy[k], y[k] / 2.0f, "mse gradient 2 (y - t) / (B O)");
        cr_assert_eq(dh[k], y[k] / 4.0f, "half_mse gradient (y - t) / (B O)");
    }
}
