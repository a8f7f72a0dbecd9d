/* main.c: tributary-edge-c, the command around libtributary-edge.a. */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tributary_edge.h"

static const char usage[] =
    "usage: tributary-edge-c run --coordinator HOST:PORT --ca FILE --cert FILE --key FILE [options]\n"
    "       tributary-edge-c predict --checkpoint FILE FILE.csv\n"
    "\n"
    "Joins a Tributary coordinator over mutual TLS 1.3 and takes part in its sessions: Hello,\n"
    "heartbeats, Ready, round offers and model releases received and decoded, each offered round\n"
    "trained on the window of examples and answered with an Update. SIGTERM or SIGINT sends\n"
    "Goodbye and exits 0.\n"
    "\n"
    "options:\n"
    "  --coordinator HOST:PORT   the coordinator (IPv6 as [ADDR]:PORT)\n"
    "  --server-name NAME        the name its certificate must carry (default: HOST)\n"
    "  --ca FILE                 the fleet CA, the only trust anchor\n"
    "  --cert FILE --key FILE    this client's certificate and key (tributary certs issue --client ID)\n"
    "  --client-id ID            must equal the certificate's identity (default: read from it)\n"
    "  --data FILE.csv           labelled examples to train on (repeatable): features, then a label\n"
    "                            column (\"label\" in a header row, else the last); needs --features\n"
    "  --features N              features per example, the model's input size\n"
    "  --window N                the newest examples a round trains on, 1...10000000 (default 1000)\n"
    "  --checkpoint FILE         the held model, generator, replay buffer, window, trigger, live counts\n"
    "                            and last Update, loaded at start, saved after each release adopted and\n"
    "                            round answered (atomically)\n"
    "  --spool DIR               take labelled CSV files dropped into DIR (NAME.csv, renamed into\n"
    "                            place) while running; each becomes NAME.csv.done (or .bad)\n"
    "  --spool-interval-ms N     how often DIR is read, 100...3600000 (default 5000)\n"
    "  --volume N                new examples that send Ready{trigger: volume} (default 100)\n"
    "  --accuracy-drop X         Ready{trigger: accuracy_drop} when the held model's rolling accuracy\n"
    "                            falls X below its first full window's, 0...1, or off (default 0.1)\n"
    "  --accuracy-window N       outcomes in that rolling accuracy, 1...1000000 (default 50)\n"
    "  --drift-threshold X       Page-Hinkley's threshold on the 0/1 error stream, Ready{trigger: drift},\n"
    "                            0.001...1000000, or off (default 50)\n"
    "  --ready-only-on-trigger   ready for a round only while a trigger's reason is pending (Ready{ready:\n"
    "                            false} with each Update, and on connecting with nothing pending)\n"
    "  --keep-update FILE        write each Update sent to FILE as its frame (atomically)\n"
    "  --replay N                examples kept from those that left the window, 0...10000000 (default 200)\n"
    "  --charging, --metered     device facts reported to the coordinator\n"
    "  --heartbeat-ms N          heartbeat interval, 100...3600000 (default 10000)\n"
    "  --max-frame-bytes N       largest frame accepted, 1024...4259840 (default 4259840)\n"
    "  --once                    one session, no reconnect (exit 3 when it ends other than by a signal)\n"
    "  --seed N                  seed of the jobs' shuffling and the backoff's jitter (default 1)\n"
    "\n"
    "predict: one line per CSV row, the class the checkpoint's model predicts; rows have the model's\n"
    "features, optionally a label column (\"label\" in a header row, else one column more than the\n"
    "features), then the accuracy against it goes to stderr.\n"
    "\n"
    "exit codes: 0 stopped by a signal, 1 refused (certificate, revoked, rejected) or bad arguments,\n"
    "3 the session ended (with --once)\n";

static volatile sig_atomic_t stop_requested = 0;

static void on_signal(int signal_number) {
    (void)signal_number;
    stop_requested = 1;
}

static void log_line(void *context, int level, const char *line) {
    (void)context;
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    struct tm utc;
    gmtime_r(&now.tv_sec, &utc);
    char stamp[32];
    strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &utc);
    static const char *levels[] = {"info", "warning", "error"};
    printf("%s.%03ldZ %s %s\n", stamp, now.tv_nsec / 1000000, levels[level >= 0 && level <= 2 ? level : 2], line);
    fflush(stdout);
}

static int bad_argument(const char *format, const char *value) {
    fprintf(stderr, "Error: ");
    fprintf(stderr, format, value);
    fprintf(stderr, "\n%s", usage);
    return 1;
}

/* A whole number in [minimum, maximum], or -1. */
static long long parse_number(const char *text, long long minimum, long long maximum) {
    char *end = NULL;
    errno = 0;
    long long value = strtoll(text, &end, 10);
    if (errno != 0 || end == text || *end != '\0' || value < minimum || value > maximum) {
        return -1;
    }
    return value;
}

/* "off" (as off_value) or a finite number in minimum...maximum into *out; 0, or -1 when it is neither. */
static int parse_real_or_off(const char *text, double minimum, double maximum, double off_value, double *out) {
    if (strcmp(text, "off") == 0) {
        *out = off_value;
        return 0;
    }
    char *end = NULL;
    errno = 0;
    double value = strtod(text, &end);
    if (errno != 0 || end == text || *end != '\0' || !(value >= minimum && value <= maximum)) {
        return -1;
    }
    *out = value;
    return 0;
}

static int parse_address(const char *text, te_config *config, char *host, size_t host_size) {
    const char *colon = strrchr(text, ':');
    if (colon == NULL || colon == text) {
        return -1;
    }
    const char *start = text, *end = colon;
    if (text[0] == '[') {
        if (colon[-1] != ']') {
            return -1;
        }
        start = text + 1;
        end = colon - 1;
    }
    size_t length = (size_t)(end - start);
    long long port = parse_number(colon + 1, 1, 65535);
    if (length == 0 || length >= host_size || port < 0) {
        return -1;
    }
    memcpy(host, start, length);
    host[length] = '\0';
    config->coordinator_host = host;
    config->coordinator_port = (uint16_t)port;
    return 0;
}

/* xoshiro256** for the backoff's jitter, seeded with splitmix64 (as the Swift side seeds it). */
typedef struct rng {
    uint64_t s[4];
} rng;

static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

static uint64_t rng_next(rng *r) {
    uint64_t *s = r->s, result = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
    s[2] ^= s[0]; s[3] ^= s[1]; s[1] ^= s[2]; s[0] ^= s[3];
    s[2] ^= t; s[3] = rotl(s[3], 45);
    return result;
}

static void rng_seed(rng *r, uint64_t seed) {
    for (int i = 0; i < 4; i++) {
        uint64_t z = (seed += 0x9e3779b97f4a7c15ull);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
        r->s[i] = z ^ (z >> 31);
    }
}

/* Sleeps ms milliseconds or until a signal asks to stop. */
static void pause_ms(int64_t ms) {
    struct timespec left = {ms / 1000, (long)(ms % 1000) * 1000000};
    while (!stop_requested && nanosleep(&left, &left) != 0 && errno == EINTR) {
    }
}

typedef struct options {
    te_config config;
    int once;
    uint64_t seed;
    const char *data[8];
    int data_count;
    char host[256];
} options;

static int parse_run(int argc, char **argv, options *o) {
    te_config_init(&o->config);
    o->seed = 1;
    for (int i = 2; i < argc; i++) {
        const char *flag = argv[i];
        if (strcmp(flag, "--once") == 0) { o->once = 1; continue; }
        if (strcmp(flag, "--charging") == 0) { o->config.charging = 1; continue; }
        if (strcmp(flag, "--metered") == 0) { o->config.metered_network = 1; continue; }
        if (strcmp(flag, "--ready-only-on-trigger") == 0) { o->config.ready_only_on_trigger = 1; continue; }
        if (i + 1 >= argc) {
            return bad_argument("%s needs a value or is not an option", flag);
        }
        const char *value = argv[++i];
        long long number = 0;
        if (strcmp(flag, "--coordinator") == 0) {
            if (parse_address(value, &o->config, o->host, sizeof o->host) != 0) {
                return bad_argument("--coordinator is \"%s\"; must be HOST:PORT with PORT in 1...65535", value);
            }
        } else if (strcmp(flag, "--server-name") == 0) { o->config.server_name = value;
        } else if (strcmp(flag, "--ca") == 0) { o->config.ca_file = value;
        } else if (strcmp(flag, "--cert") == 0) { o->config.cert_file = value;
        } else if (strcmp(flag, "--key") == 0) { o->config.key_file = value;
        } else if (strcmp(flag, "--client-id") == 0) { o->config.client_id = value;
        } else if (strcmp(flag, "--data") == 0) {
            if (o->data_count == 8) return bad_argument("--data %s: at most 8 files", value);
            o->data[o->data_count++] = value;
        } else if (strcmp(flag, "--features") == 0) {
            if ((number = parse_number(value, 1, 1000000)) < 0) return bad_argument("--features is \"%s\"; must be a whole number in 1...1000000", value);
            o->config.features = (uint32_t)number;
        } else if (strcmp(flag, "--keep-update") == 0) { o->config.update_file = value;
        } else if (strcmp(flag, "--checkpoint") == 0) { o->config.checkpoint_file = value;
        } else if (strcmp(flag, "--spool") == 0) { o->config.spool_dir = value;
        } else if (strcmp(flag, "--spool-interval-ms") == 0) {
            if ((number = parse_number(value, 100, 3600000)) < 0) return bad_argument("--spool-interval-ms is \"%s\"; must be a whole number in 100...3600000", value);
            o->config.spool_interval_ms = (uint32_t)number;
        } else if (strcmp(flag, "--volume") == 0) {
            if ((number = parse_number(value, 1, 100000000)) < 0) return bad_argument("--volume is \"%s\"; must be a whole number in 1...100000000", value);
            o->config.volume_trigger = (uint32_t)number;
        } else if (strcmp(flag, "--accuracy-drop") == 0) {
            if (parse_real_or_off(value, 0, 1, -1, &o->config.accuracy_drop) != 0) {
                return bad_argument("--accuracy-drop is \"%s\"; must be a number in 0...1 or off", value);
            }
        } else if (strcmp(flag, "--accuracy-window") == 0) {
            if ((number = parse_number(value, 1, 1000000)) < 0) return bad_argument("--accuracy-window is \"%s\"; must be a whole number in 1...1000000", value);
            o->config.accuracy_window = (uint32_t)number;
        } else if (strcmp(flag, "--drift-threshold") == 0) {
            if (parse_real_or_off(value, 0.001, 1000000, 0, &o->config.page_hinkley_threshold) != 0) {
                return bad_argument("--drift-threshold is \"%s\"; must be a number in 0.001...1000000 or off", value);
            }
        } else if (strcmp(flag, "--replay") == 0) {
            if ((number = parse_number(value, 0, 10000000)) < 0) return bad_argument("--replay is \"%s\"; must be a whole number in 0...10000000", value);
            o->config.replay_capacity = (uint32_t)number;
        } else if (strcmp(flag, "--window") == 0) {
            if ((number = parse_number(value, 1, 10000000)) < 0) return bad_argument("--window is \"%s\"; must be a whole number in 1...10000000", value);
            o->config.window_examples = (uint32_t)number;
        } else if (strcmp(flag, "--heartbeat-ms") == 0) {
            if ((number = parse_number(value, 100, 3600000)) < 0) return bad_argument("--heartbeat-ms is \"%s\"; must be a whole number in 100...3600000", value);
            o->config.heartbeat_interval_ms = (uint32_t)number;
            if (o->config.idle_timeout_ms < 3 * o->config.heartbeat_interval_ms) {
                o->config.idle_timeout_ms = 3 * o->config.heartbeat_interval_ms;
            }
        } else if (strcmp(flag, "--max-frame-bytes") == 0) {
            if ((number = parse_number(value, 1024, 4259840)) < 0) return bad_argument("--max-frame-bytes is \"%s\"; must be a whole number in 1024...4259840", value);
            o->config.max_frame_bytes = (uint32_t)number;
        } else if (strcmp(flag, "--seed") == 0) {
            if ((number = parse_number(value, 0, INT64_MAX)) < 0) return bad_argument("--seed is \"%s\"; must be a whole number >= 0", value);
            o->seed = (uint64_t)number;
            o->config.seed = o->seed;
        } else {
            return bad_argument("unknown option %s", flag);
        }
    }
    if (o->data_count > 0 && o->config.features == 0) {
        return bad_argument("%s", "--data needs --features N (the model's input size)");
    }
    if (o->config.coordinator_host == NULL) {
        return bad_argument("%s", "--coordinator HOST:PORT is required");
    }
    return 0;
}

static int run(int argc, char **argv) {
    options o;
    memset(&o, 0, sizeof o);
    if (parse_run(argc, argv, &o) != 0) {
        return 1;
    }
    o.config.log = log_line;
    te_edge *edge = NULL;
    char reason[512];
    te_status status = te_open(&o.config, &edge, reason, sizeof reason);
    if (status != TE_OK) {
        fprintf(stderr, "Error: %s (%s)\n", reason, te_strerror(status));
        return 1;
    }
    for (int i = 0; i < o.data_count; i++) {
        if (te_add_feedback_csv(edge, o.data[i]) != TE_OK) {
            fprintf(stderr, "Error: %s\n", te_last_error(edge));
            te_close(edge);
            return 1;
        }
    }
    if (o.data_count > 0) {
        snprintf(reason, sizeof reason, "%zu examples in the window", te_example_count(edge));
        log_line(NULL, 0, reason);
    }
    rng jitter;
    rng_seed(&jitter, o.seed);
    int64_t backoff_ms = 1000;
    int exit_code = 0;
    while (!stop_requested) {
        status = te_run(edge, &stop_requested);
        if (stop_requested && status == TE_OK) {
            break;
        }
        if (status == TE_ERR_REVOKED || status == TE_ERR_REJECTED || status == TE_ERR_TLS || status == TE_ERR_CONFIG) {
            fprintf(stderr, "Error: %s (%s); not retried\n", te_last_error(edge), te_strerror(status));
            exit_code = 1;
            break;
        }
        log_line(NULL, 1, te_last_error(edge));
        if (o.once) {
            exit_code = 3;
            break;
        }
        /* 1 s doubling to 5 min, +-20 % jitter */
        int64_t wait = backoff_ms * (80 + (int64_t)(rng_next(&jitter) % 41)) / 100;
        char line[96];
        snprintf(line, sizeof line, "reconnecting in %.1f s", (double)wait / 1000.0);
        log_line(NULL, 0, line);
        pause_ms(wait);
        backoff_ms = backoff_ms * 2 > 300000 ? 300000 : backoff_ms * 2;
    }
    te_close(edge);
    return exit_code;
}

/* tributary-edge-c predict --checkpoint FILE FILE.csv */
static int predict(int argc, char **argv) {
    const char *checkpoint = NULL, *path = NULL;
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--checkpoint") == 0 && i + 1 < argc) {
            checkpoint = argv[++i];
        } else if (argv[i][0] != '-' && path == NULL) {
            path = argv[i];
        } else {
            return bad_argument("predict: unexpected argument %s", argv[i]);
        }
    }
    if (checkpoint == NULL || path == NULL) {
        return bad_argument("%s", "predict needs --checkpoint FILE and a CSV file");
    }
    te_edge *edge = NULL;
    char reason[512];
    if (te_open_offline(checkpoint, &edge, reason, sizeof reason) != TE_OK) {
        fprintf(stderr, "Error: %s\n", reason);
        return 1;
    }
    FILE *file = fopen(path, "r");
    if (file == NULL) {
        fprintf(stderr, "Error: cannot read %s: %s\n", path, strerror(errno));
        te_close(edge);
        return 1;
    }
    char *line = NULL;
    size_t capacity = 0, line_number = 0, rows = 0, labelled = 0, right = 0;
    float *features = NULL;
    long label_column = -1;
    int status = 0;
    while (status == 0 && getline(&line, &capacity, file) > 0) {
        line_number++;
        line[strcspn(line, "\r\n")] = '\0';
        if (line[0] == '\0') continue;
        size_t columns = 1;
        for (const char *c = line; *c != '\0'; c++) columns += *c == ',';
        features = realloc(features, columns * sizeof(float));
        size_t count = 0, column = 0;
        long label = -1;
        int header = 0;
        for (char *field = strtok(line, ","); field != NULL; field = strtok(NULL, ","), column++) {
            char *end = NULL;
            float value = strtof(field, &end);
            if (end == field || *end != '\0') {
                if (line_number == 1) { header = 1; if (strcmp(field, "label") == 0) label_column = (long)column; continue; }
                fprintf(stderr, "Error: %s:%zu: column %zu is \"%s\", not a number\n", path, line_number, column + 1, field);
                status = 1;
                break;
            }
            int last_is_label = label_column < 0 && columns == te_model_input_size(edge) + 1 && column + 1 == columns;
            if ((long)column == label_column || last_is_label) {
                label = (long)value;
            } else {
                features[count++] = value;
            }
        }
        if (status != 0 || header) continue;
        int32_t predicted = -1;
        if (te_predict(edge, features, count, NULL, 0, &predicted) != TE_OK) {
            fprintf(stderr, "Error: %s:%zu: %s\n", path, line_number, te_last_error(edge));
            status = 1;
            break;
        }
        printf("%d\n", (int)predicted);
        rows++;
        if (label >= 0) { labelled++; right += predicted == label; }
    }
    if (status == 0) {
        fprintf(stderr, "%zu predictions from model version %llu", rows, (unsigned long long)te_model_version(edge));
        if (labelled > 0) fprintf(stderr, "; accuracy %.4f against %zu labels", (double)right / (double)labelled, labelled);
        fprintf(stderr, "\n");
    }
    free(line);
    free(features);
    fclose(file);
    te_close(edge);
    return status;
}

int main(int argc, char **argv) {
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        fputs(usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? 1 : 0;
    }
    if (strcmp(argv[1], "predict") == 0) {
        return predict(argc, argv);
    }
    if (strcmp(argv[1], "run") != 0) {
        return bad_argument("unknown command \"%s\"; the commands are run and predict", argv[1]);
    }
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = on_signal;   /* no SA_RESTART: a signal ends the wait in poll */
    sigemptyset(&action.sa_mask);
    sigaction(SIGTERM, &action, NULL);
    sigaction(SIGINT, &action, NULL);
    signal(SIGPIPE, SIG_IGN);        /* a write to a dropped connection is an error, not a signal */
    return run(argc, argv);
}
