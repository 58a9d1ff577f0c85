/*
 * One error vocabulary for the whole tree: functions that can fail return 0
 * (or a non-negative value) on success and one of these negative codes on
 * failure.  Allocation functions return NULL instead.
 */
#ifndef LIB_ERRNO_H
#define LIB_ERRNO_H

#define ERR_NO_MEMORY (-1) /* an allocation could not be satisfied */
#define ERR_INVALID_ARGS (-2) /* a caller passed something malformed */
#define ERR_FAULT (-3) /* an access faulted (probe_read/probe_write) */
#define ERR_NOT_FOUND (-4) /* no such thing */
#define ERR_EXISTS (-5) /* already there */
#define ERR_RANGE (-6) /* outside the allowed range, or wraps */
#define ERR_BUSY (-7) /* still in use */
#define ERR_NOT_SUPPORTED (-8) /* the hardware or build lacks it */

#endif
