#include "kernel/errno.h"

const char *err_name(int err)
{
	switch (err) {
	case 0:
		return "success";
	case ERR_NO_MEMORY:
		return "out of memory";
	case ERR_INVALID_ARGS:
		return "invalid arguments";
	case ERR_FAULT:
		return "fault";
	case ERR_NOT_FOUND:
		return "not found";
	case ERR_EXISTS:
		return "already exists";
	case ERR_RANGE:
		return "out of range";
	case ERR_BUSY:
		return "busy";
	case ERR_NOT_SUPPORTED:
		return "not supported";
	default:
		return "unknown error";
	}
}
