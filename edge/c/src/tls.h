/* tls.h: mutual TLS 1.3 to the coordinator with OpenSSL. TLS 1.3 only; the fleet CA is the only
 * trust anchor (no system roots); the coordinator's certificate must carry the configured server
 * name (DNS name, or IP address for an IP literal); this client presents its certificate and key.
 * Sockets are non-blocking and every wait has a deadline (monotonic milliseconds). */
#ifndef TE_TLS_H
#define TE_TLS_H

#include <openssl/ssl.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

#define TE_MAX_CLIENT_ID 256

/* Monotonic milliseconds. */
int64_t te_now_ms(void);

/* Loads and checks the credentials: the CA file, the certificate (valid now, chaining to the
 * CA) and its key (matching). client_id receives the certificate's identity (the URI SAN
 * tributary://client/ID, else the subject's CN). Errors name the file. */
te_status te_tls_context_new(const char *ca_file, const char *cert_file, const char *key_file, SSL_CTX **context,
                             char client_id[TE_MAX_CLIENT_ID + 1], te_error *error);

typedef struct te_connection {
    int fd;
    SSL *ssl;
} te_connection;

/* TCP connect and TLS handshake, both before deadline_ms. */
te_status te_connection_open(SSL_CTX *context, const char *host, uint16_t port, const char *server_name,
                             int64_t deadline_ms, te_connection *connection, te_error *error);

/* Writes all bytes before deadline_ms. */
te_status te_connection_write(te_connection *connection, const uint8_t *data, size_t length, int64_t deadline_ms,
                              te_error *error);

/* Reads what arrives before deadline_ms: *count bytes (0 when the deadline passed or a signal
 * interrupted the wait). A closed connection is TE_ERR_IO naming how it closed; a TLS alert from
 * the coordinator (a refused certificate) is TE_ERR_TLS naming the alert. */
te_status te_connection_read(te_connection *connection, uint8_t *buffer, size_t capacity, int64_t deadline_ms,
                             size_t *count, te_error *error);

/* Sends close_notify (without waiting for the peer's) and closes the socket. */
void te_connection_close(te_connection *connection);

#endif
