/* tls.c: OpenSSL client context, connect, read, write. */
#include "tls.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <netdb.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

int64_t te_now_ms(void) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

/* The reason of OpenSSL's last error, e.g. "tlsv13 alert certificate required"; clears the queue. */
static const char *openssl_reason(char *buffer, size_t size) {
    unsigned long code = ERR_peek_last_error();
    ERR_clear_error();
    if (code == 0) {
        snprintf(buffer, size, "no OpenSSL error recorded");
        return buffer;
    }
    const char *reason = ERR_reason_error_string(code);
    if (reason != NULL) {
        snprintf(buffer, size, "%s", reason);
    } else {
        ERR_error_string_n(code, buffer, size);
    }
    return buffer;
}

static void read_client_id(X509 *certificate, char client_id[TE_MAX_CLIENT_ID + 1]) {
    static const char prefix[] = "tributary://client/";
    client_id[0] = '\0';
    GENERAL_NAMES *names = X509_get_ext_d2i(certificate, NID_subject_alt_name, NULL, NULL);
    for (int i = 0; names != NULL && i < sk_GENERAL_NAME_num(names); i++) {
        const GENERAL_NAME *name = sk_GENERAL_NAME_value(names, i);
        if (name->type != GEN_URI) {
            continue;
        }
        const char *uri = (const char *)ASN1_STRING_get0_data(name->d.uniformResourceIdentifier);
        int length = ASN1_STRING_length(name->d.uniformResourceIdentifier);
        size_t prefix_length = sizeof prefix - 1;
        if ((size_t)length > prefix_length && (size_t)length - prefix_length <= TE_MAX_CLIENT_ID &&
            strncmp(uri, prefix, prefix_length) == 0) {
            memcpy(client_id, uri + prefix_length, (size_t)length - prefix_length);
            client_id[length - (int)prefix_length] = '\0';
            break;
        }
    }
    GENERAL_NAMES_free(names);
    if (client_id[0] == '\0') {
        X509_NAME_get_text_by_NID(X509_get_subject_name(certificate), NID_commonName, client_id, TE_MAX_CLIENT_ID + 1);
    }
}

/* The certificate is valid now and chains to the CA: reported here, naming the file, rather than
 * as a TLS alert from the coordinator. */
static te_status check_own_certificate(SSL_CTX *context, X509 *certificate, const char *cert_file, const char *ca_file,
                                       te_error *error) {
    if (X509_cmp_current_time(X509_get0_notAfter(certificate)) <= 0) {
        return te_fail(error, TE_ERR_TLS, "the certificate in %s has expired (certificateExpired); renew it with `tributary certs issue`", cert_file);
    }
    if (X509_cmp_current_time(X509_get0_notBefore(certificate)) >= 0) {
        return te_fail(error, TE_ERR_TLS, "the certificate in %s is not valid yet (certificateNotYetValid); check the clock", cert_file);
    }
    X509_STORE_CTX *check = X509_STORE_CTX_new();
    if (check == NULL || X509_STORE_CTX_init(check, SSL_CTX_get_cert_store(context), certificate, NULL) != 1) {
        X509_STORE_CTX_free(check);
        return te_fail(error, TE_ERR_NO_MEMORY, "cannot check the certificate in %s", cert_file);
    }
    STACK_OF(X509) *chain = NULL;
    SSL_CTX_get0_chain_certs(context, &chain);
    X509_STORE_CTX_set0_untrusted(check, chain);
    int verified = X509_verify_cert(check);
    int result = X509_STORE_CTX_get_error(check);
    X509_STORE_CTX_free(check);
    if (verified != 1) {
        return te_fail(error, TE_ERR_TLS, "the certificate in %s does not chain to the fleet CA in %s: %s (untrustedCertificate)",
                       cert_file, ca_file, X509_verify_cert_error_string(result));
    }
    return TE_OK;
}

te_status te_tls_context_new(const char *ca_file, const char *cert_file, const char *key_file, SSL_CTX **context,
                             char client_id[TE_MAX_CLIENT_ID + 1], te_error *error) {
    char reason[256];
    *context = NULL;
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    if (ctx == NULL) {
        return te_fail(error, TE_ERR_NO_MEMORY, "cannot create an OpenSSL context: %s", openssl_reason(reason, sizeof reason));
    }
    te_status status = TE_OK;
    if (SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION) != 1 || SSL_CTX_set_max_proto_version(ctx, TLS1_3_VERSION) != 1) {
        status = te_fail(error, TE_ERR_TLS, "this OpenSSL cannot do TLS 1.3: %s", openssl_reason(reason, sizeof reason));
    } else if (SSL_CTX_load_verify_locations(ctx, ca_file, NULL) != 1) {
        status = te_fail(error, TE_ERR_TLS, "cannot read the fleet CA from %s: %s", ca_file, openssl_reason(reason, sizeof reason));
    } else if (SSL_CTX_use_certificate_chain_file(ctx, cert_file) != 1) {
        status = te_fail(error, TE_ERR_TLS, "cannot read the client certificate from %s: %s", cert_file, openssl_reason(reason, sizeof reason));
    } else if (SSL_CTX_use_PrivateKey_file(ctx, key_file, SSL_FILETYPE_PEM) != 1) {
        status = te_fail(error, TE_ERR_TLS, "cannot read the client key from %s: %s", key_file, openssl_reason(reason, sizeof reason));
    } else if (SSL_CTX_check_private_key(ctx) != 1) {
        status = te_fail(error, TE_ERR_TLS, "the key in %s does not match the certificate in %s: %s", key_file, cert_file,
                         openssl_reason(reason, sizeof reason));
    } else {
        status = check_own_certificate(ctx, SSL_CTX_get0_certificate(ctx), cert_file, ca_file, error);
    }
    if (status == TE_OK) {
        read_client_id(SSL_CTX_get0_certificate(ctx), client_id);
        if (client_id[0] == '\0') {
            status = te_fail(error, TE_ERR_TLS, "the certificate in %s names no client identity (no tributary://client/ URI, no CN)", cert_file);
        }
    }
    if (status != TE_OK) {
        SSL_CTX_free(ctx);
        return status;
    }
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
    SSL_CTX_set_mode(ctx, SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    *context = ctx;
    return TE_OK;
}

/* Waits for `events` on fd until deadline_ms: 1 ready, 0 deadline or signal, -1 error. */
static int wait_for(int fd, short events, int64_t deadline_ms) {
    int64_t left = deadline_ms - te_now_ms();
    if (left <= 0) {
        return 0;
    }
    struct pollfd poll_fd = {.fd = fd, .events = events};
    int ready = poll(&poll_fd, 1, left > 60000 ? 60000 : (int)left);
    if (ready < 0) {
        return errno == EINTR ? 0 : -1;
    }
    return ready > 0 ? 1 : 0;
}

static te_status tcp_connect(const char *host, uint16_t port, int64_t deadline_ms, int *fd_out, te_error *error) {
    char service[8];
    snprintf(service, sizeof service, "%u", (unsigned)port);
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM}, *addresses = NULL;
    int found = getaddrinfo(host, service, &hints, &addresses);
    if (found != 0) {
        return te_fail(error, TE_ERR_IO, "cannot resolve coordinator host \"%s\": %s", host, gai_strerror(found));
    }
    int last_errno = 0;
    for (struct addrinfo *a = addresses; a != NULL; a = a->ai_next) {
        int fd = socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol);
        if (fd < 0) {
            last_errno = errno;
            continue;
        }
        if (connect(fd, a->ai_addr, a->ai_addrlen) == 0 || errno == EINPROGRESS) {
            int ready;
            while ((ready = wait_for(fd, POLLOUT, deadline_ms)) == 0 && te_now_ms() < deadline_ms) {
            }
            int so_error = 0;
            socklen_t length = sizeof so_error;
            if (ready == 1 && getsockopt(fd, SOL_SOCKET, SO_ERROR, &so_error, &length) == 0 && so_error == 0) {
                freeaddrinfo(addresses);
                *fd_out = fd;
                return TE_OK;
            }
            last_errno = ready == 1 ? so_error : (ready == 0 ? ETIMEDOUT : errno);
        } else {
            last_errno = errno;
        }
        close(fd);
    }
    freeaddrinfo(addresses);
    return te_fail(error, last_errno == ETIMEDOUT ? TE_ERR_TIMEOUT : TE_ERR_IO, "cannot connect to the coordinator at %s:%u: %s (connectFailed)",
                   host, (unsigned)port, strerror(last_errno));
}

/* Runs an SSL call's retry: waits for what OpenSSL asks. 1 = retry, 0 = deadline, -1 = failed. */
static int ssl_retry(te_connection *connection, int result, int64_t deadline_ms) {
    int reason = SSL_get_error(connection->ssl, result);
    if (reason == SSL_ERROR_WANT_READ || reason == SSL_ERROR_WANT_WRITE) {
        int ready = wait_for(connection->fd, reason == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, deadline_ms);
        return ready < 0 ? -1 : (ready == 0 && te_now_ms() >= deadline_ms ? 0 : 1);
    }
    return -1;
}

static te_status handshake_failed(te_connection *connection, const char *server_name, te_error *error) {
    char reason[256];
    long verify = SSL_get_verify_result(connection->ssl);
    if (verify != X509_V_OK) {
        ERR_clear_error();
        return te_fail(error, TE_ERR_TLS, "the coordinator's certificate was refused: %s (server name \"%s\"; serverCertificateRejected)",
                       X509_verify_cert_error_string(verify), server_name);
    }
    return te_fail(error, TE_ERR_TLS, "the TLS handshake with the coordinator failed: %s", openssl_reason(reason, sizeof reason));
}

te_status te_connection_open(SSL_CTX *context, const char *host, uint16_t port, const char *server_name,
                             int64_t deadline_ms, te_connection *connection, te_error *error) {
    connection->fd = -1;
    connection->ssl = NULL;
    te_status status = tcp_connect(host, port, deadline_ms, &connection->fd, error);
    if (status != TE_OK) {
        return status;
    }
    connection->ssl = SSL_new(context);
    if (connection->ssl == NULL || SSL_set_fd(connection->ssl, connection->fd) != 1) {
        te_connection_close(connection);
        return te_fail(error, TE_ERR_NO_MEMORY, "cannot create a TLS connection");
    }
    unsigned char address[16];
    int is_ip = inet_pton(AF_INET, server_name, address) == 1 || inet_pton(AF_INET6, server_name, address) == 1;
    int named = is_ip ? X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(connection->ssl), server_name)
                      : SSL_set1_host(connection->ssl, server_name) && SSL_set_tlsext_host_name(connection->ssl, server_name);
    if (named != 1) {
        te_connection_close(connection);
        return te_fail(error, TE_ERR_CONFIG, "server name \"%s\" cannot be checked against a certificate", server_name);
    }
    for (;;) {
        int result = SSL_connect(connection->ssl);
        if (result == 1) {
            return TE_OK;
        }
        int retry = ssl_retry(connection, result, deadline_ms);
        if (retry == 1) {
            continue;
        }
        status = retry == 0 ? te_fail(error, TE_ERR_TIMEOUT, "the TLS handshake with %s:%u did not finish in time", host, (unsigned)port)
                            : handshake_failed(connection, server_name, error);
        te_connection_close(connection);
        return status;
    }
}

te_status te_connection_write(te_connection *connection, const uint8_t *data, size_t length, int64_t deadline_ms,
                              te_error *error) {
    char reason[256];
    size_t written = 0;
    while (written < length) {
        size_t piece = length - written > INT32_MAX ? INT32_MAX : length - written;
        int result = SSL_write(connection->ssl, data + written, (int)piece);
        if (result > 0) {
            written += (size_t)result;
            continue;
        }
        int retry = ssl_retry(connection, result, deadline_ms);
        if (retry == 0) {
            return te_fail(error, TE_ERR_TIMEOUT, "writing %zu bytes to the coordinator did not finish in time (%zu written)", length, written);
        }
        if (retry < 0) {
            return te_fail(error, TE_ERR_IO, "writing to the coordinator failed: %s", errno != 0 && ERR_peek_last_error() == 0
                           ? strerror(errno) : openssl_reason(reason, sizeof reason));
        }
    }
    return TE_OK;
}

te_status te_connection_read(te_connection *connection, uint8_t *buffer, size_t capacity, int64_t deadline_ms,
                             size_t *count, te_error *error) {
    char reason[256];
    *count = 0;
    size_t piece = capacity > INT32_MAX ? INT32_MAX : capacity;
    for (;;) {
        errno = 0;
        int result = SSL_read(connection->ssl, buffer, (int)piece);
        if (result > 0) {
            *count = (size_t)result;
            return TE_OK;
        }
        int kind = SSL_get_error(connection->ssl, result);
        if (kind == SSL_ERROR_ZERO_RETURN) {
            return te_fail(error, TE_ERR_IO, "the coordinator closed the connection (TLS close_notify)");
        }
        if (kind == SSL_ERROR_SSL && ERR_GET_REASON(ERR_peek_last_error()) == SSL_R_UNEXPECTED_EOF_WHILE_READING) {
            ERR_clear_error();
            return te_fail(error, TE_ERR_IO, "the connection to the coordinator dropped: end of stream without close_notify");
        }
        if (kind == SSL_ERROR_SSL) {
            return te_fail(error, TE_ERR_TLS, "the coordinator ended the TLS session: %s", openssl_reason(reason, sizeof reason));
        }
        if (kind == SSL_ERROR_SYSCALL) {
            ERR_clear_error();
            return te_fail(error, TE_ERR_IO, "the connection to the coordinator dropped: %s", errno != 0 ? strerror(errno) : "end of stream without close_notify");
        }
        int ready = wait_for(connection->fd, kind == SSL_ERROR_WANT_WRITE ? POLLOUT : POLLIN, deadline_ms);
        if (ready < 0) {
            return te_fail(error, TE_ERR_IO, "waiting for the coordinator failed: %s", strerror(errno));
        }
        if (ready == 0) {
            return TE_OK;
        }
    }
}

void te_connection_close(te_connection *connection) {
    if (connection->ssl != NULL) {
        SSL_shutdown(connection->ssl);
        SSL_free(connection->ssl);
        connection->ssl = NULL;
    }
    if (connection->fd >= 0) {
        close(connection->fd);
        connection->fd = -1;
    }
}
