#include <stdio.h>

#include "common.h"

int common_status(char *buf, size_t len, const char *service, int port)
{
    return snprintf(buf, len, "%s ready on :%d", service, port);
}
