/* workflow: prints its status line and exits (a stand-in for the real service). */
#include <stdio.h>

#include "common.h"

int main(void)
{
    char line[64];
    common_status(line, sizeof line, "workflow", 8080);
    puts(line);
    return 0;
}
