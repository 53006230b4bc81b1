/* package: prints its status line and exits (a stand-in for the real service). */
#include <stdio.h>

int main(void)
{
    puts("package ready on :8080");
    return 0;
}
