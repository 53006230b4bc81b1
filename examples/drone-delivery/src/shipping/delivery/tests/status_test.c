/* Unit test of the status line the delivery service prints (uses libs/common). */
#include <assert.h>
#include <string.h>

#include "common.h"

int main(void)
{
    char line[64];
    int n = common_status(line, sizeof line, "delivery", 8080);
    assert(n == (int)strlen("delivery ready on :8080"));
    assert(strcmp(line, "delivery ready on :8080") == 0);
    return 0;
}
