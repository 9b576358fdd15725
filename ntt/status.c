/* status.c - human-readable text for veil_status codes. */
#include "veil/veil.h"

const char *veil_strerror(veil_status st)
{
    switch (st) {
    case VEIL_OK:
        return "success";
    case VEIL_EINVAL:
        return "invalid argument";
    case VEIL_ENOMEM:
        return "out of memory";
    case VEIL_EPARAM:
        return "parameters insecure, inconsistent or unusable";
    case VEIL_ENOISE:
        return "noise budget exhausted";
    case VEIL_EFORMAT:
        return "malformed, truncated or mismatched data";
    case VEIL_EIO:
        return "input/output error";
    case VEIL_EUNSUPPORTED:
        return "not supported on this CPU or build";
    case VEIL_ECLOSED:
        return "connection closed by peer";
    case VEIL_ETIMEOUT:
        return "operation timed out";
    case VEIL_ERANGE:
        return "value out of range";
    case VEIL_ERANDOM:
        return "no randomness from the operating system";
    case VEIL_ENOKEY:
        return "a required key is missing";
    case VEIL_EREFUSED:
        return "connection refused (nothing listening there)";
    case VEIL_EUNREACH:
        return "network or host unreachable";
    }
    return "unknown status";
}
