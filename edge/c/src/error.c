/* error.c: te_strerror and te_fail. */
#include "error.h"

#include <stdarg.h>
#include <stdio.h>

const char *te_strerror(te_status status) {
    switch (status) {
    case TE_OK: return "ok";
    case TE_ERR_CONFIG: return "invalid configuration";
    case TE_ERR_NO_MEMORY: return "out of memory";
    case TE_ERR_IO: return "I/O error";
    case TE_ERR_TLS: return "TLS error";
    case TE_ERR_TIMEOUT: return "timed out";
    case TE_ERR_FRAME_TOO_LARGE: return "frame too large";
    case TE_ERR_MALFORMED_FRAME: return "malformed frame";
    case TE_ERR_UNKNOWN_MESSAGE: return "unknown message";
    case TE_ERR_UNSUPPORTED_PROTOCOL_VERSION: return "unsupported protocol version";
    case TE_ERR_OUT_OF_SEQUENCE: return "out of sequence";
    case TE_ERR_TRANSFER_TOO_LARGE: return "transfer too large";
    case TE_ERR_INVALID_MESSAGE: return "invalid message";
    case TE_ERR_REJECTED: return "rejected by the coordinator";
    case TE_ERR_REVOKED: return "revoked";
    case TE_ERR_CLOSED: return "closed by the coordinator";
    }
    return "unknown status";
}

te_status te_fail(te_error *error, te_status code, const char *format, ...) {
    if (error != NULL) {
        error->code = code;
        va_list args;
        va_start(args, format);
        vsnprintf(error->reason, sizeof error->reason, format, args);
        va_end(args);
    }
    return code;
}

void te_error_clear(te_error *error) {
    error->code = TE_OK;
    error->reason[0] = '\0';
}
