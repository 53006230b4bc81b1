/* Shared code of the Drone Delivery services (used by delivery and workflow). */
#ifndef DRONE_DELIVERY_COMMON_H
#define DRONE_DELIVERY_COMMON_H

#include <stddef.h>

/* Writes "<service> ready on :<port>" into buf (always NUL-terminated when len > 0)
 * and returns the length of the full line, as snprintf does. */
int common_status(char *buf, size_t len, const char *service, int port);

#endif
