/* Compiled confirmation of pattern hits: engine.Engine._confirm and the loop around it, in C.
 *
 * The engine's pure-Python path (engine.py) is the reference: this module must give the same
 * findings, in the same order, for every text (tests/dlp/test_native.py runs both on generated
 * texts). It exists because confirming a candidate in Python costs ~5 us (a match, a validator,
 * the words around the hit, a Finding), and a 2 KB prompt has ~13 candidates, most rejected.
 *
 * What runs here: iterating the rule's exact pattern over its windows, the span checks (glued
 * to a neighbour, context words within reach, negative words next to it), shrinking a value to
 * a prefix that validates, the score, and building the Finding. The checksums of the commonest
 * rules (card and its issuer ranges, SSN, IPv4, IPv6, phone number, IBAN, Aadhaar, CA SIN, AU
 * TFN and ABN, FR NIR; the entropy of secret values) run in C on ASCII values; every
 * other validator, rescorer and namer is the rule's own Python callable. Context words of a
 * non-ASCII window are computed by engine.context_words / adjacent_words (str.lower of
 * non-ASCII text is Unicode-aware).
 *
 * Also here: the multi-pattern pass's match handler (Hits: Hyperscan's matches recorded in C,
 * not in a Python callback per match) and the windows made of them (spans), matcher.py's
 * _RuleSet.windows for ASCII texts; and Hyperscan itself without its Python binding (HsDatabase:
 * libhs loaded at run time with dlopen where the system has it, so the build never needs it).
 *
 * And the name recogniser's mechanics (names.py): the scan of capitalised words into runs
 * (name_events, NameRecognizer._events in Python) and the words before a run (context_before,
 * names._context_before). What a run is stays Python's decision (NameRecognizer._classify).
 *
 * Built by hatch_build.py at `uv sync`; where it is absent, engine.py runs the Python path.
 * CPython C API only.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <math.h>

#define NATIVE_API 14

/* Validator codes (engine.py maps the rule's Python validator to one of these). */
enum {
    V_PYTHON = 0, V_CARD = 1, V_SSN = 2, V_IPV4 = 3, V_PHONE = 4,
    V_IBAN = 5, V_AADHAAR = 6, V_CA_SIN = 7, V_AU_TFN = 8, V_AU_ABN = 9, V_FR_NIR = 10,
    V_IPV6 = 11, V_NOT_EXAMPLE = 12
};
/* rescoring done in C: pii.strong_phone_rescore, pii.card_issuer_rescore */
enum { R_PYTHON = 0, R_STRONG_PHONE = 16, R_CARD_ISSUER = 17 };

/* What configure() registered. */
static PyObject *finding_cls = NULL;
static PyObject *py_context_words = NULL;
static PyObject *py_adjacent_words = NULL;
static PyObject *py_round_score = NULL;
static PyObject *rounded_cache = NULL; /* dict: raw score -> reported score */
static long match_at_mark = -2, whole_text_mark = -1;
static double context_boost = 0.35, negative_penalty = 0.5;
/* Finding's field names, in order: findings are built without its (Python) __init__ */
static PyObject *finding_fields[6] = {NULL};
static int finding_direct = 0;
static PyObject *str_span = NULL, *str_end = NULL, *str_finditer = NULL, *str_match = NULL;

typedef struct {
    int kind;
    const void *data;
    Py_ssize_t len;
} Text;

#define CH(t, i) PyUnicode_READ((t)->kind, (t)->data, (i))

static int is_digit_ascii(Py_UCS4 c) { return c >= '0' && c <= '9'; }

/* ---- validators on ASCII values: 1 valid, 0 not, -1 ask the Python validator ---------------- */

static int all_ascii(const Text *t, Py_ssize_t a, Py_ssize_t b) {
    for (Py_ssize_t i = a; i < b; i++)
        if (CH(t, i) > 127) return 0;
    return 1;
}

/* validators._repetitive on a digit string */
static int repetitive(const char *d, int n) {
    int seen[10] = {0}, distinct = 0;
    for (int i = 0; i < n; i++)
        if (!seen[d[i] - '0']++) distinct++;
    if (distinct <= 2) return 1;
    int step = -1;
    for (int i = 1; i < n; i++) {
        int s = ((d[i] - d[i - 1]) % 10 + 10) % 10;
        if (step < 0) step = s;
        else if (s != step) return 0;
    }
    return 1;
}

static int luhn_ok(const char *d, int n) {
    int total = 0;
    for (int i = 0; i < n; i++) {
        int v = d[n - 1 - i] - '0';
        if (i % 2) {
            v *= 2;
            if (v > 9) v -= 9;
        }
        total += v;
    }
    return total % 10 == 0;
}

/* validators.credit_card */
static int check_card(const Text *t, Py_ssize_t a, Py_ssize_t b) {
    if (b - a > 60) return -1; /* longer than any printed card: the Python validator decides */
    char d[64];
    int n = 0, distinct = 0, seen[10] = {0};
    Py_UCS4 sep = 0;
    int seps = 0; /* kinds of separator */
    int groups[64], ngroups = 0, glen = 0;
    for (Py_ssize_t i = a; i < b; i++) {
        Py_UCS4 c = CH(t, i);
        if (is_digit_ascii(c)) {
            if (n < 63) d[n] = (char)c;
            n++;
            glen++;
            if (!seen[c - '0']++) distinct++;
        } else {
            if (seps == 0) {
                sep = c;
                seps = 1;
            } else if (c != sep) {
                seps = 2;
            }
            if (ngroups < 63) groups[ngroups++] = glen;
            glen = 0;
        }
    }
    if (n < 12 || n > 19) return 0;
    if (seps == 2) return 0;
    if (seps == 1) {
        if (ngroups < 63) groups[ngroups++] = glen;
        int first_ok = groups[0] == 4 ||
                       (ngroups == 3 && groups[0] == 4 && groups[1] == 6 &&
                        (groups[2] == 5 || groups[2] == 4));
        if (!first_ok) return 0;
        if (ngroups < 3) return 0;
        for (int g = 0; g < ngroups; g++)
            if (groups[g] < 2 || groups[g] > 6) return 0;
    }
    if (distinct <= 1) return 0;
    return luhn_ok(d, n);
}

static int digits_of(const Text *t, Py_ssize_t a, Py_ssize_t b, char *out, int cap) {
    int n = 0;
    for (Py_ssize_t i = a; i < b; i++) {
        Py_UCS4 c = CH(t, i);
        if (is_digit_ascii(c)) {
            if (n < cap) out[n] = (char)c;
            n++;
        }
    }
    return n;
}

/* validators.us_ssn */
static int check_ssn(const Text *t, Py_ssize_t a, Py_ssize_t b) {
    char d[16];
    if (digits_of(t, a, b, d, 16) != 9) return 0;
    if (!memcmp(d, "000", 3) || !memcmp(d, "666", 3) || d[0] == '9') return 0;
    if (!memcmp(d + 3, "00", 2) || !memcmp(d + 5, "0000", 4)) return 0;
    if (!memcmp(d, "078051120", 9) || !memcmp(d, "219099999", 9) || !memcmp(d, "123456789", 9))
        return 0;
    return !repetitive(d, 9);
}

/* validators.ipv4 */
static int check_ipv4(const Text *t, Py_ssize_t a, Py_ssize_t b) {
    int parts = 0;
    Py_ssize_t i = a;
    for (;;) {
        Py_ssize_t s = i;
        long value = 0;
        while (i < b && CH(t, i) != '.') {
            Py_UCS4 c = CH(t, i);
            if (!is_digit_ascii(c)) return 0;
            if (i - s < 6) value = value * 10 + (long)(c - '0');
            else value = 1000;
            i++;
        }
        Py_ssize_t n = i - s;
        if (n == 0 || value > 255 || (n > 1 && CH(t, s) == '0')) return 0;
        parts++;
        if (i == b) break;
        i++; /* the dot */
        if (parts == 4) return 0;
    }
    return parts == 4;
}

static int in_chars(Py_UCS4 c, const char *set) { return c != 0 && c < 128 && strchr(set, (int)c); }

/* str.isspace on an ASCII character */
static int ascii_space(Py_UCS4 c) { return c == ' ' || (c >= 9 && c <= 13) || (c >= 28 && c <= 31); }

/* pii._NOT_A_PHONE.fullmatch on [a, b): a date (2015-12-22, 22.12.2015), a dotted version or
 * an ISBN. Each is digit runs joined by single separators. */
static int date_version_isbn(const Text *t, Py_ssize_t a, Py_ssize_t b) {
    int runs[8], nruns = 0;
    Py_UCS4 seps[8];
    Py_ssize_t i = a;
    for (;;) {
        Py_ssize_t s = i;
        while (i < b && is_digit_ascii(CH(t, i))) i++;
        if (i == s || nruns == 8) return 0;
        runs[nruns++] = (int)(i - s);
        if (i == b) break;
        seps[nruns - 1] = CH(t, i);
        i++;
        if (i == b) return 0;
    }
    if (nruns == 3 && in_chars(seps[0], "-./") && in_chars(seps[1], "-./")) {
        if (runs[0] == 4 && runs[1] <= 2 && runs[2] <= 2) return 1;
        if (runs[0] <= 2 && runs[1] <= 2 && runs[2] >= 2 && runs[2] <= 4) return 1;
    }
    if (nruns >= 2 && nruns <= 4) {
        int version = 1;
        for (int k = 0; k < nruns; k++)
            if (runs[k] > 3 || (k < nruns - 1 && seps[k] != '.')) version = 0;
        if (version) return 1;
    }
    if (nruns == 5 && runs[0] == 3 && CH(t, a) == '9' && CH(t, a + 1) == '7' &&
        (CH(t, a + 2) == '8' || CH(t, a + 2) == '9') && runs[1] <= 5 && runs[2] <= 7 &&
        runs[3] <= 7 && runs[4] == 1) {
        int isbn = 1;
        for (int k = 0; k < 4; k++)
            if (!in_chars(seps[k], "- ")) isbn = 0;
        if (isbn) return 1;
    }
    return 0;
}

/* pii.phone_number */
static int check_phone(const Text *t, Py_ssize_t a, Py_ssize_t b) {
    int n = 0, distinct = 0, seen[10] = {0};
    for (Py_ssize_t i = a; i < b; i++) { /* the digits before the first "x" */
        Py_UCS4 c = CH(t, i);
        if (c == 'x') break;
        if (is_digit_ascii(c)) {
            n++;
            if (!seen[c - '0']++) distinct++;
        }
    }
    if (n < 7 || n > 15 || distinct <= 2) return 0;
    while (a < b && ascii_space(CH(t, a))) a++; /* value.strip() */
    while (b > a && ascii_space(CH(t, b - 1))) b--;
    if (date_version_isbn(t, a, b)) return 0;
    while (a < b && (CH(t, a) == '+' || CH(t, a) == '(')) a++; /* .lstrip("+(") */
    int lone = 0; /* _ONE_DIGIT_GROUP: a character between separators (or the ends) */
    for (Py_ssize_t i = a; i < b; i++) {
        if (in_chars(CH(t, i), " .()-")) continue;
        if ((i == a || in_chars(CH(t, i - 1), " .()-")) &&
            (i + 1 == b || in_chars(CH(t, i + 1), " .()-")))
            lone++;
    }
    return lone <= 1;
}

/* Tables set_tables() copies from validators.py (one source of truth): IBAN lengths by
 * country code, and the card issuer ranges. Until set, the validators using them defer to
 * Python (-1). */
static unsigned char iban_lengths[26 * 26];
static int iban_lengths_set = 0;
typedef struct {
    long low, high; /* leading digits, all of one width */
    int width;
    unsigned lengths; /* bit n: a card of n digits */
} CardRange;
static CardRange card_ranges[64];
static int card_range_n = -1; /* -1: not set */

/* "".join(value.split()).upper() on an ASCII value, into out; its length, or -1 if longer
 * than cap. */
static int compact_upper(const Text *t, Py_ssize_t a, Py_ssize_t b, char *out, int cap) {
    int n = 0;
    for (Py_ssize_t i = a; i < b; i++) {
        Py_UCS4 c = CH(t, i);
        if (c == ' ' || (c >= 9 && c <= 13) || (c >= 28 && c <= 31)) continue; /* isspace */
        if (n == cap) return -1;
        out[n++] = (char)(c >= 'a' && c <= 'z' ? c - 32 : c);
    }
    return n;
}

/* validators.iban: the country's length, alphanumeric, mod 97 of the rearranged digits (each
 * letter as its two digits, int(c, 36)) == 1, computed without the big integer. */
static int check_iban(const Text *t, Py_ssize_t a, Py_ssize_t b) {
    if (!iban_lengths_set) return -1;
    char v[64];
    int n = compact_upper(t, a, b, v, 64);
    if (n < 0) return -1;
    if (n < 2 || v[0] < 'A' || v[0] > 'Z' || v[1] < 'A' || v[1] > 'Z') return 0;
    if (iban_lengths[(v[0] - 'A') * 26 + (v[1] - 'A')] != n) return 0;
    int r = 0;
    for (int k = 0; k < n; k++) {
        char c = v[(k + 4) % n];
        if (c >= '0' && c <= '9') r = (r * 10 + (c - '0')) % 97;
        else if (c >= 'A' && c <= 'Z') r = (r * 100 + (c - 'A' + 10)) % 97;
        else return 0; /* not isalnum() */
    }
    return r == 1;
}

static const unsigned char VERHOEFF_D[10][10] = {
    {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, {1, 2, 3, 4, 0, 6, 7, 8, 9, 5}, {2, 3, 4, 0, 1, 7, 8, 9, 5, 6},
    {3, 4, 0, 1, 2, 8, 9, 5, 6, 7}, {4, 0, 1, 2, 3, 9, 5, 6, 7, 8}, {5, 9, 8, 7, 6, 0, 4, 3, 2, 1},
    {6, 5, 9, 8, 7, 1, 0, 4, 3, 2}, {7, 6, 5, 9, 8, 2, 1, 0, 4, 3}, {8, 7, 6, 5, 9, 3, 2, 1, 0, 4},
    {9, 8, 7, 6, 5, 4, 3, 2, 1, 0}};
static const unsigned char VERHOEFF_P[8][10] = {
    {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, {1, 5, 7, 6, 2, 8, 3, 0, 9, 4}, {5, 8, 0, 3, 7, 9, 6, 1, 4, 2},
    {8, 9, 1, 6, 0, 4, 3, 5, 2, 7}, {9, 4, 5, 3, 1, 2, 6, 8, 7, 0}, {4, 2, 8, 6, 5, 7, 3, 9, 0, 1},
    {2, 7, 9, 3, 8, 0, 6, 4, 1, 5}, {7, 0, 4, 6, 9, 1, 3, 2, 5, 8}};

/* validators.in_aadhaar */
static int check_aadhaar(const Text *t, Py_ssize_t a, Py_ssize_t b) {
    char d[16];
    if (digits_of(t, a, b, d, 16) != 12 || d[0] == '0' || d[0] == '1' || repetitive(d, 12))
        return 0;
    int c = 0;
    for (int i = 0; i < 12; i++) c = VERHOEFF_D[c][VERHOEFF_P[i % 8][d[11 - i] - '0']];
    return c == 0;
}

/* validators.ca_sin */
static int check_ca_sin(const Text *t, Py_ssize_t a, Py_ssize_t b) {
    char d[16];
    if (digits_of(t, a, b, d, 16) != 9 || d[0] == '0' || d[0] == '8' || repetitive(d, 9)) return 0;
    return luhn_ok(d, 9);
}

/* validators.au_tfn */
static int check_au_tfn(const Text *t, Py_ssize_t a, Py_ssize_t b) {
    static const int W9[9] = {1, 4, 3, 7, 5, 8, 6, 9, 10}, W8[8] = {10, 7, 8, 4, 6, 3, 5, 1};
    char d[16];
    int n = digits_of(t, a, b, d, 16);
    if (n != 8 && n != 9) return 0;
    if (repetitive(d, n)) return 0;
    int sum = 0;
    for (int i = 0; i < n; i++) sum += (d[i] - '0') * (n == 9 ? W9[i] : W8[i]);
    return sum % 11 == 0;
}

/* validators.au_abn */
static int check_au_abn(const Text *t, Py_ssize_t a, Py_ssize_t b) {
    static const int W[11] = {10, 1, 3, 5, 7, 9, 11, 13, 15, 17, 19};
    char d[16];
    if (digits_of(t, a, b, d, 16) != 11) return 0;
    int sum = 0;
    for (int i = 0; i < 11; i++) sum += (d[i] - '0' - (i == 0)) * W[i];
    return sum % 89 == 0; /* (divisible: the same test for C's and Python's sign of %) */
}

/* validators.fr_nir; -1 where Python's int() of the month would raise (a "2A" over it). */
static int check_fr_nir(const Text *t, Py_ssize_t a, Py_ssize_t b) {
    char v[16];
    int n = compact_upper(t, a, b, v, 16);
    if (n != 15) return 0;
    char body[13];
    memcpy(body, v, 13);
    /* .replace("2A", "19").replace("2B", "18"): occurrences never overlap or make new ones */
    for (int i = 0; i + 1 < 13; i++) {
        if (body[i] == '2' && body[i + 1] == 'A') {
            body[i] = '1';
            body[i + 1] = '9';
            i++;
        }
    }
    for (int i = 0; i + 1 < 13; i++) {
        if (body[i] == '2' && body[i + 1] == 'B') {
            body[i] = '1';
            body[i + 1] = '8';
            i++;
        }
    }
    for (int i = 0; i < 13; i++)
        if (!is_digit_ascii((Py_UCS4)(unsigned char)body[i])) return 0;
    if (!is_digit_ascii((Py_UCS4)(unsigned char)v[13]) ||
        !is_digit_ascii((Py_UCS4)(unsigned char)v[14]))
        return 0;
    if (!strchr("12378", v[0])) return 0;
    if (!is_digit_ascii((Py_UCS4)(unsigned char)v[3]) ||
        !is_digit_ascii((Py_UCS4)(unsigned char)v[4]))
        return -1;
    int month = (v[3] - '0') * 10 + (v[4] - '0');
    if (!((month >= 1 && month <= 12) || (month >= 20 && month <= 42) ||
          (month >= 50 && month <= 99)))
        return 0;
    int r = 0;
    for (int i = 0; i < 13; i++) r = (r * 10 + (body[i] - '0')) % 97;
    return 97 - r == (v[13] - '0') * 10 + (v[14] - '0');
}

/* validators.card_issuer_known: a known issuer range for the number's leading digits and
 * length (or Maestro's 0604 with 12-19 digits); -1 before set_tables. */
static int card_issuer(const Text *t, Py_ssize_t a, Py_ssize_t b) {
    if (card_range_n < 0) return -1;
    char d[64];
    int n = digits_of(t, a, b, d, 64);
    if (n > 63) return -1;
    if (n && d[0] != '0') {
        for (int k = 0; k < card_range_n; k++) {
            const CardRange *r = &card_ranges[k];
            if (n < r->width || n >= 32 || !(r->lengths >> n & 1)) continue;
            long lead = 0;
            for (int i = 0; i < r->width; i++) lead = lead * 10 + (d[i] - '0');
            if (lead >= r->low && lead <= r->high) return 1;
        }
    }
    return n >= 12 && n <= 19 && n >= 4 && !memcmp(d, "0604", 4);
}

static int hex_digit(Py_UCS4 c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* validators.ipv6 on a value of hex digits and colons (what the rule matches): at least two
 * colons, then ipaddress.IPv6Address's parse (at most 9 parts, one "::", hextets of 1-4 hex
 * digits, 8 of them or fewer around the "::"), then 6 characters or more and not all zero.
 * -1 (Python's call) for any other character. */
static int check_ipv6(const Text *t, Py_ssize_t a, Py_ssize_t b) {
    Py_ssize_t starts[10], ends[10]; /* the parts, as ip_str.split(':') gives them */
    int n = 0;
    Py_ssize_t s = a;
    for (Py_ssize_t i = a; i < b; i++) {
        Py_UCS4 c = CH(t, i);
        if (c == ':') {
            if (n == 9) return 0; /* more than 9 parts (colons >= 2 already) */
            starts[n] = s;
            ends[n++] = i;
            s = i + 1;
        } else if (!hex_digit(c)) {
            return -1;
        }
    }
    if (n < 2) return 0; /* value.count(":") < 2 */
    starts[n] = s;
    ends[n++] = b;
#define EMPTY(k) (starts[k] == ends[k])
    int skip = -1;
    for (int k = 1; k < n - 1; k++) {
        if (EMPTY(k)) {
            if (skip >= 0) return 0; /* more than one "::" */
            skip = k;
        }
    }
    int hi, lo, skipped;
    if (skip >= 0) {
        hi = skip;
        lo = n - skip - 1;
        if (EMPTY(0) && --hi) return 0;
        if (EMPTY(n - 1) && --lo) return 0;
        skipped = 8 - (hi + lo);
        if (skipped < 1) return 0;
    } else {
        if (n != 8 || EMPTY(0) || EMPTY(n - 1)) return 0;
        hi = n;
        lo = 0;
    }
    int zero = 1;
    for (int k = 0; k < n; k++) {
        if (!(k < hi || k >= n - lo)) continue; /* (the "::" and the empty ends it covers) */
        Py_ssize_t len = ends[k] - starts[k];
        if (len == 0 || len > 4) return 0; /* int("", 16) raises; more than 4 digits */
        for (Py_ssize_t i = starts[k]; i < ends[k]; i++)
            if (CH(t, i) != '0') zero = 0;
    }
#undef EMPTY
    return b - a >= 6 && !zero;
}

static Py_UCS4 lower_ascii(Py_UCS4 c);

/* credentials._not_example on an ASCII value: none of _EXAMPLE's alternatives, caseless
 * (example, x{6}, ([^A])\1{7}, (?:test){3}, 1234567, abcdef, 012345, 43210, deadbeef) occurs
 * in it. -1 (Python's call) for longer values than the buffer. */
static int check_not_example(const Text *t, Py_ssize_t a, Py_ssize_t b) {
    static const char *const SAMPLES[] = {"example", "xxxxxx", "testtesttest", "1234567",
                                          "abcdef",  "012345", "43210",        "deadbeef"};
    char v[1024];
    Py_ssize_t n = b - a;
    if (n >= (Py_ssize_t)sizeof v) return -1;
    for (Py_ssize_t i = 0; i < n; i++) v[i] = (char)lower_ascii(CH(t, a + i));
    v[n] = 0;
    if (memchr(v, 0, (size_t)n) != NULL) return -1; /* (a NUL inside: strstr would stop) */
    for (size_t k = 0; k < sizeof SAMPLES / sizeof *SAMPLES; k++)
        if (strstr(v, SAMPLES[k]) != NULL) return 0;
    /* ([^A])\1{7} caseless: eight equal characters (case folded), not a or A */
    for (Py_ssize_t i = 0, run = 0; i < n; i++) {
        run = i > 0 && v[i] == v[i - 1] ? run + 1 : 1;
        if (run >= 8 && v[i] != 'a') return 0;
    }
    return 1;
}

/* 1 valid, 0 not, -1 error */
/* pii._NANP.fullmatch on t[a:b] (ASCII): (?:1[ .-]?)?\(?[2-9]\d{2}\)?[ .-]?[2-9]\d{2}[ .-]\d{4}
 * (?:\s?(?:x|ext\.?)\s?\d{1,5})? -- whether any way through it spans the whole value. */
#define AT_(i) ((i) < b ? CH(t, (i)) : 0)
static int nanp_tail(const Text *t, Py_ssize_t i, Py_ssize_t b) {
    if (i == b) return 1;
    for (int sp1 = 0; sp1 <= 1; sp1++) {
        Py_ssize_t j = i + sp1;
        if (sp1 && !ascii_space(AT_(i))) continue;
        Py_ssize_t ks[2];
        int nk = 0;
        if (AT_(j) == 'x') ks[nk++] = j + 1;
        if (AT_(j) == 'e' && AT_(j + 1) == 'x' && AT_(j + 2) == 't') {
            ks[nk++] = j + 3;
            if (AT_(j + 3) == '.') ks[nk++] = j + 4;
        }
        for (int k = 0; k < nk; k++) {
            for (int sp2 = 0; sp2 <= 1; sp2++) {
                Py_ssize_t m = ks[k] + sp2;
                if (sp2 && !ascii_space(AT_(ks[k]))) continue;
                Py_ssize_t d = 0;
                while (m + d < b && is_digit_ascii(CH(t, m + d))) d++;
                if (m + d == b && d >= 1 && d <= 5) return 1;
            }
        }
    }
    return 0;
}

static int nanp(const Text *t, Py_ssize_t a, Py_ssize_t b) {
    Py_ssize_t starts[3];
    int ns = 0;
    starts[ns++] = a;
    if (AT_(a) == '1') {
        starts[ns++] = a + 1;
        if (in_chars(AT_(a + 1), " .-")) starts[ns++] = a + 2;
    }
    for (int si = 0; si < ns; si++) {
        for (int paren = 0; paren <= 1; paren++) {
            Py_ssize_t q = starts[si] + paren;
            if (paren && AT_(starts[si]) != '(') continue;
            Py_UCS4 q0 = AT_(q);
            if (!(q0 >= '2' && q0 <= '9') || !is_digit_ascii(AT_(q + 1)) ||
                !is_digit_ascii(AT_(q + 2)))
                continue;
            for (int close = 0; close <= 1; close++) {
                Py_ssize_t r2 = q + 3 + close;
                if (close && AT_(q + 3) != ')') continue;
                for (int sep = 0; sep <= 1; sep++) {
                    Py_ssize_t r3 = r2 + sep;
                    if (sep && !in_chars(AT_(r2), " .-")) continue;
                    Py_UCS4 c0 = AT_(r3);
                    if (!(c0 >= '2' && c0 <= '9') || !is_digit_ascii(AT_(r3 + 1)) ||
                        !is_digit_ascii(AT_(r3 + 2)) || !in_chars(AT_(r3 + 3), " .-"))
                        continue;
                    int ok = 1;
                    for (int k = 4; k < 8; k++) ok = ok && is_digit_ascii(AT_(r3 + k));
                    if (ok && nanp_tail(t, r3 + 8, b)) return 1;
                }
            }
        }
    }
    return 0;
}
#undef AT_

/* pii._TRUNK_GROUPED.fullmatch with 10-12 digits: "0", a non-zero digit, up to three more
 * digits, then 1-5 groups of 1-8 digits after single " .-" separators. */
static int trunk_grouped(const Text *t, Py_ssize_t a, Py_ssize_t b) {
    if (b - a < 2 || CH(t, a) != '0' || !(CH(t, a + 1) >= '1' && CH(t, a + 1) <= '9')) return 0;
    Py_ssize_t i = a;
    int digits = 0, groups = 0;
    while (i < b) {
        Py_ssize_t run = 0;
        while (i + run < b && is_digit_ascii(CH(t, i + run))) run++;
        if (run == 0 || run > (groups == 0 ? 5 : 8)) return 0;
        digits += (int)run;
        groups++;
        i += run;
        if (i == b) break;
        if (!in_chars(CH(t, i), " .-")) return 0;
        i++;
        if (i == b) return 0; /* a trailing separator */
    }
    return groups >= 2 && groups <= 6 && digits >= 10 && digits <= 12;
}

/* pii._strong_phone on an ASCII value: a +country code, a NANP number, or an (area code) with
 * 9 digits or more; -1 when not ASCII (ask Python). */
static int strong_phone(const Text *t, Py_ssize_t a, Py_ssize_t b) {
    if (!all_ascii(t, a, b)) return -1;
    while (a < b && ascii_space(CH(t, a))) a++; /* value.strip() */
    while (b > a && ascii_space(CH(t, b - 1))) b--;
    if (a < b && CH(t, a) == '+') return 1;
    if (nanp(t, a, b)) return 1;
    if (a < b && CH(t, a) == '(') {
        int n = 0;
        for (Py_ssize_t i = a; i < b; i++) n += is_digit_ascii(CH(t, i));
        return n >= 9;
    }
    return trunk_grouped(t, a, b);
}

static int validate(const Text *t, PyObject *text, Py_ssize_t a, Py_ssize_t b, PyObject *fn,
                    long code) {
    if (fn == Py_None) return 1;
    if (code != V_PYTHON && all_ascii(t, a, b)) {
        int got;
        switch (code) {
        case V_CARD: got = check_card(t, a, b); break;
        case V_SSN: got = check_ssn(t, a, b); break;
        case V_IPV4: got = check_ipv4(t, a, b); break;
        case V_PHONE: got = check_phone(t, a, b); break;
        case V_IBAN: got = check_iban(t, a, b); break;
        case V_AADHAAR: got = check_aadhaar(t, a, b); break;
        case V_CA_SIN: got = check_ca_sin(t, a, b); break;
        case V_AU_TFN: got = check_au_tfn(t, a, b); break;
        case V_AU_ABN: got = check_au_abn(t, a, b); break;
        case V_FR_NIR: got = check_fr_nir(t, a, b); break;
        case V_IPV6: got = check_ipv6(t, a, b); break;
        case V_NOT_EXAMPLE: got = check_not_example(t, a, b); break;
        default: got = -1;
        }
        if (got >= 0) return got;
    }
    PyObject *value = PyUnicode_Substring(text, a, b);
    if (value == NULL) return -1;
    PyObject *res = PyObject_CallOneArg(fn, value);
    Py_DECREF(value);
    if (res == NULL) return -1;
    int ok = PyObject_IsTrue(res);
    Py_DECREF(res);
    return ok;
}

/* ---- words around a hit ---------------------------------------------------------------------- */

static Py_UCS4 lower_ascii(Py_UCS4 c) { return (c >= 'A' && c <= 'Z') ? c + 32 : c; }
static int word_char(Py_UCS4 c) { /* [a-z0-9#] after lowering */
    c = lower_ascii(c);
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '#';
}
static int word_start(Py_UCS4 c) {
    c = lower_ascii(c);
    return c >= 'a' && c <= 'z';
}
static int word_joiner(Py_UCS4 c) { return c == '.' || c == '\'' || c == '-'; }

/* engine._WORD at position p of [p, b): the end of the word starting at p (p itself: none). */
static Py_ssize_t word_end(const Text *t, Py_ssize_t p, Py_ssize_t b) {
    if (!word_start(CH(t, p))) return p;
    Py_ssize_t q = p + 1;
    while (q < b && word_char(CH(t, q))) q++;
    for (;;) {
        Py_ssize_t r = q;
        while (r < b && word_joiner(CH(t, r))) r++;
        if (r == q || r >= b || !word_char(CH(t, r))) break;
        q = r;
        while (q < b && word_char(CH(t, q))) q++;
    }
    return q;
}

static PyObject *word_str(const Text *t, Py_ssize_t a, Py_ssize_t b) {
    char buf[256] = {0};
    Py_ssize_t n = b - a;
    char *out = n <= (Py_ssize_t)sizeof buf ? buf : PyMem_Malloc((size_t)n);
    if (out == NULL) return PyErr_NoMemory();
    for (Py_ssize_t i = 0; i < n; i++) out[i] = (char)lower_ascii(CH(t, a + i));
    PyObject *s = PyUnicode_FromStringAndSize(out, n);
    if (out != buf) PyMem_Free(out);
    return s;
}

/* ---- the words rules look for ------------------------------------------------------------------
 * A span's words (engine.context_words / adjacent_words) are only ever intersected with rules'
 * context and negative words, so within confirm_all a word no registered rule names is left out
 * of the span's set: no str is made for it (most of a window's ~15 words). The table holds the
 * ASCII words of every rule registered with register_words (engine._spec); a non-ASCII word
 * never equals a word of an ASCII window, and non-ASCII windows take the Python path unfiltered. */
typedef struct {
    char *word; /* NULL: an empty slot */
    Py_ssize_t len;
    unsigned long long hash;
} KnownWord;

static KnownWord *known = NULL;
static size_t known_cap = 0, known_n = 0;
static Py_ssize_t known_longest = 0;
#define KNOWN_LONGEST 255

static unsigned long long fnv1a(const char *s, Py_ssize_t n) {
    unsigned long long h = 1469598103934665603ULL;
    for (Py_ssize_t i = 0; i < n; i++) h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
    return h;
}

static int known_find(const char *s, Py_ssize_t n, unsigned long long h) {
    if (known_cap == 0) return 0;
    for (size_t i = (size_t)h & (known_cap - 1);; i = (i + 1) & (known_cap - 1)) {
        const KnownWord *k = &known[i];
        if (k->word == NULL) return 0;
        if (k->hash == h && k->len == n && memcmp(k->word, s, (size_t)n) == 0) return 1;
    }
}

static int known_add(const char *s, Py_ssize_t n) {
    unsigned long long h = fnv1a(s, n);
    if (known_find(s, n, h)) return 0;
    if ((known_n + 1) * 2 > known_cap) { /* at most half full */
        size_t cap = known_cap ? known_cap * 2 : 1024;
        KnownWord *grown = PyMem_Calloc(cap, sizeof(KnownWord));
        if (grown == NULL) {
            PyErr_NoMemory();
            return -1;
        }
        for (size_t i = 0; i < known_cap; i++) {
            if (known[i].word == NULL) continue;
            size_t j = (size_t)known[i].hash & (cap - 1);
            while (grown[j].word != NULL) j = (j + 1) & (cap - 1);
            grown[j] = known[i];
        }
        PyMem_Free(known);
        known = grown;
        known_cap = cap;
    }
    char *copy = PyMem_Malloc((size_t)n + 1);
    if (copy == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    memcpy(copy, s, (size_t)n);
    copy[n] = 0;
    size_t j = (size_t)h & (known_cap - 1);
    while (known[j].word != NULL) j = (j + 1) & (known_cap - 1);
    known[j].word = copy;
    known[j].len = n;
    known[j].hash = h;
    known_n++;
    if (n > known_longest) known_longest = n;
    return 0;
}

/* register_words(words): the rule's context and negative words, before its spec is used with
 * the words filter (engine._spec marks the spec registered). */
static PyObject *register_words(PyObject *self, PyObject *words) {
    PyObject *it = PyObject_GetIter(words);
    if (it == NULL) return NULL;
    PyObject *w;
    while ((w = PyIter_Next(it)) != NULL) {
        int bad = 0;
        if (!PyUnicode_Check(w)) {
            PyErr_SetString(PyExc_TypeError, "register_words: words are str");
            bad = 1;
        } else if (PyUnicode_IS_ASCII(w) && PyUnicode_GET_LENGTH(w) <= KNOWN_LONGEST) {
            bad = known_add((const char *)PyUnicode_DATA(w), PyUnicode_GET_LENGTH(w)) < 0;
        } else if (PyUnicode_IS_ASCII(w)) {
            known_longest = PY_SSIZE_T_MAX; /* (too long to look up: every word passes) */
        }
        Py_DECREF(w);
        if (bad) {
            Py_DECREF(it);
            return NULL;
        }
    }
    Py_DECREF(it);
    if (PyErr_Occurred()) return NULL;
    Py_RETURN_NONE;
}

/* Whether the ASCII word [a, b), lower-cased, may be a registered word. */
static int known_word(const Text *t, Py_ssize_t a, Py_ssize_t b) {
    Py_ssize_t n = b - a;
    if (n > known_longest) return 0;
    if (n > KNOWN_LONGEST) return 1;
    char buf[KNOWN_LONGEST + 1];
    for (Py_ssize_t i = 0; i < n; i++) buf[i] = (char)lower_ascii(CH(t, a + i));
    return known_find(buf, n, fnv1a(buf, n));
}

/* Adds the word [a, b) (lower-cased) to the set `into`, unless `filter` leaves it out. */
static int add_word(const Text *t, Py_ssize_t a, Py_ssize_t b, PyObject *into, int filter) {
    if (filter && !known_word(t, a, b)) return 0;
    PyObject *w = word_str(t, a, b);
    if (w == NULL || PySet_Add(into, w) < 0) {
        Py_XDECREF(w);
        return -1;
    }
    Py_DECREF(w);
    return 0;
}

/* Adds the words of [a, b) to `into` (a set) or, with `last` > 0, only the last `last` words. */
static int add_words(const Text *t, Py_ssize_t a, Py_ssize_t b, PyObject *into, int last,
                     int filter) {
    Py_ssize_t starts[3], ends[3];
    int kept = 0;
    Py_ssize_t p = a;
    while (p < b) {
        Py_ssize_t q = word_end(t, p, b);
        if (q == p) {
            p++;
            continue;
        }
        if (last) {
            if (kept == last) {
                for (int k = 1; k < last; k++) {
                    starts[k - 1] = starts[k];
                    ends[k - 1] = ends[k];
                }
                kept--;
            }
            starts[kept] = p;
            ends[kept] = q;
            kept++;
        } else if (add_word(t, p, q, into, filter) < 0) {
            return -1;
        }
        p = q;
    }
    for (int k = 0; k < kept; k++) {
        if (add_word(t, starts[k], ends[k], into, filter) < 0) return -1;
    }
    return 0;
}

/* engine.context_words(text, start, end), or adjacent_words with `adjacent` (with `filter`,
 * only their registered words). New reference. */
static PyObject *words_near(const Text *t, PyObject *text, Py_ssize_t start, Py_ssize_t end,
                            int adjacent, int filter) {
    Py_ssize_t before = adjacent ? 30 : 60, after = adjacent ? 16 : 24;
    Py_ssize_t a = start > before ? start - before : 0;
    Py_ssize_t b = end + after < t->len ? end + after : t->len;
    if (!all_ascii(t, a, start) || !all_ascii(t, end, b)) {
        return PyObject_CallFunction(adjacent ? py_adjacent_words : py_context_words, "Onn", text,
                                     start, end);
    }
    PyObject *set = PySet_New(NULL);
    if (set == NULL) return NULL;
    if (add_words(t, a, start, set, adjacent ? 3 : 0, filter) < 0) goto fail;
    if (adjacent) { /* the first word after the hit */
        for (Py_ssize_t p = end; p < b; p++) {
            Py_ssize_t q = word_end(t, p, b);
            if (q > p) {
                if (add_word(t, p, q, set, filter) < 0) goto fail;
                break;
            }
        }
    } else if (add_words(t, end, b, set, 0, filter) < 0) {
        goto fail;
    }
    return set;
fail:
    Py_DECREF(set);
    return NULL;
}

/* The span's words, computed once per span and text (cache: dict keyed by start << 32 | end).
 * Borrowed reference into the cache. */
static PyObject *cached_words(PyObject *cache, const Text *t, PyObject *text, Py_ssize_t start,
                              Py_ssize_t end, int adjacent, int filter) {
    PyObject *key = PyLong_FromLongLong(((long long)start << 32) | (long long)end);
    if (key == NULL) return NULL;
    PyObject *got = PyDict_GetItemWithError(cache, key);
    if (got == NULL && !PyErr_Occurred()) {
        PyObject *made = words_near(t, text, start, end, adjacent, filter);
        if (made != NULL) {
            if (PyDict_SetItem(cache, key, made) == 0) got = made;
            Py_DECREF(made);
        }
    }
    Py_DECREF(key);
    return got;
}

/* 1 if the sets share an element, 0 if not, -1 on error (set.isdisjoint, negated) */
static int intersects(PyObject *small, PyObject *other) {
    if (PySet_GET_SIZE(small) > PySet_GET_SIZE(other)) {
        PyObject *tmp = small;
        small = other;
        other = tmp;
    }
    PyObject *it = PyObject_GetIter(small);
    if (it == NULL) return -1;
    PyObject *item;
    int found = 0;
    while (!found && (item = PyIter_Next(it)) != NULL) {
        found = PySet_Contains(other, item);
        Py_DECREF(item);
    }
    Py_DECREF(it);
    if (found == 0 && PyErr_Occurred()) return -1;
    return found;
}

static int unicode_alnum(Py_UCS4 c) { return Py_UNICODE_ISALNUM(c); }

/* engine._glued */
static int glued(const Text *t, Py_ssize_t start, Py_ssize_t end) {
    Py_UCS4 before = start ? CH(t, start - 1) : ' ';
    Py_UCS4 after = end < t->len ? CH(t, end) : ' ';
    if (unicode_alnum(before) || before == '-' || before == '_' || unicode_alnum(after) ||
        after == '-' || after == '_')
        return 1;
    if (before == ' ' && start >= 2 && Py_UNICODE_ISDIGIT(CH(t, start - 2))) return 1;
    return after == ' ' && end + 1 < t->len && Py_UNICODE_ISDIGIT(CH(t, end + 1));
}

static int shrink_sep(Py_UCS4 c) { return c == ' ' || c == '.' || c == '-'; }

/* engine._shrunk: the end of the longest validating prefix cut at a separator (at most 4
 * cuts), 0 if none, -1 on error. */
static Py_ssize_t shrunk(const Text *t, PyObject *text, Py_ssize_t start, Py_ssize_t end,
                         PyObject *fn, long code) {
    Py_ssize_t cut = end; /* cuts are the separators of the original value, from the right */
    Py_ssize_t value_end = end;
    for (int round = 0; round < 4; round++) {
        /* the last separator before the value's current end */
        cut = cut < value_end ? cut : value_end;
        Py_ssize_t c = cut - 1;
        while (c >= start && !shrink_sep(CH(t, c))) c--;
        if (c < start) return 0;
        cut = c;
        Py_ssize_t e = c;
        while (e > start && shrink_sep(CH(t, e - 1))) e--;
        value_end = e;
        if (e > start) {
            int ok = validate(t, text, start, e, fn, code);
            if (ok < 0) return -1;
            if (ok) return e;
        }
    }
    return 0;
}

/* ---- exact patterns without `re`: backtrack.py's programs ------------------------------------
 *
 * A rule's pattern in the subset backtrack.py compiles (ASCII classes, \b, greedy repeats,
 * groups without flags, alternations; every match at least one character) runs here instead
 * of through re.finditer, with the same backtracking order as `re` (greedy repeats longest
 * first, alternatives in order, the first success wins), so the same matches
 * (tests/dlp/test_backtrack.py compares them on generated texts). No re.Match, scanner, span
 * tuple or integer object is made per window or per match.
 *
 * Nodes (int32): BOUNDARY; CLASS min max table; BRANCH length count (alt_length alt...)...;
 * REPEAT length min max body... (length: of the whole node, in ints). */
enum { OP_BOUNDARY = 1, OP_CLASS = 2, OP_BRANCH = 3, OP_REPEAT = 4 };

typedef struct {
    const Text *t;
    Py_ssize_t end; /* the window's end: `re`'s endpos, past which nothing is seen */
    const unsigned char *tables; /* 128 bytes per class */
    int depth;
} Run;

typedef struct Frame {
    int repeat; /* 0: the nodes [pc, stop) then `up`; 1: the REPEAT at pc, `count` done */
    const int *pc, *stop;
    int count;
    const struct Frame *up;
} Frame;

/* A match needing deeper recursion (a group repeated hundreds of times) is left to `re`:
 * program_finditer says so (-2) and the window is run by re.finditer instead. */
#define RUN_DEPTH_LIMIT 400

static int re_word(Py_UCS4 c) { /* \w under re.ASCII */
    return c < 128 && ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
                       (c >= 'A' && c <= 'Z') || c == '_');
}

static Py_ssize_t run_nodes(Run *r, const int *pc, const int *stop, Py_ssize_t pos,
                            const Frame *up);

static Py_ssize_t run_repeat(Run *r, const int *node, int count, Py_ssize_t pos,
                             const Frame *rest) {
    int min = node[2], max = node[3];
    if (count < max) { /* one more iteration first (greedy), then the rest */
        Frame again = {1, node, NULL, count + 1, rest};
        Py_ssize_t got = run_nodes(r, node + 4, node + node[1], pos, &again);
        if (got != -1) return got;
    }
    if (count < min) return -1;
    if (rest == NULL) return pos;
    if (rest->repeat) return run_repeat(r, rest->pc, rest->count, pos, rest->up);
    return run_nodes(r, rest->pc, rest->stop, pos, rest->up);
}

/* The end of the match of [pc, stop) then `up` from pos, -1 if none, -2 too deep. */
static Py_ssize_t run_nodes(Run *r, const int *pc, const int *stop, Py_ssize_t pos,
                            const Frame *up) {
    if (++r->depth > RUN_DEPTH_LIMIT) return -2;
    Py_ssize_t got = -1;
    const Text *t = r->t;
    while (pc < stop) {
        switch (pc[0]) {
        case OP_BOUNDARY: {
            if (r->end == 0) goto done; /* (`re`: no boundary in an empty string) */
            int before = pos > 0 && re_word(CH(t, pos - 1));
            int after = pos < r->end && re_word(CH(t, pos));
            if (before == after) goto done;
            pc += 1;
            continue;
        }
        case OP_CLASS: {
            int min = pc[1], max = pc[2];
            const unsigned char *table = r->tables + 128 * (size_t)pc[3];
            Py_ssize_t n = 0;
            while (n < max && pos + n < r->end) {
                Py_UCS4 c = CH(t, pos + n);
                if (c >= 128 || !table[c]) break;
                n++;
            }
            if (n < min) goto done;
            if (n == min) { /* nothing to give back */
                pos += n;
                pc += 4;
                continue;
            }
            for (; n >= min; n--) { /* longest first */
                got = run_nodes(r, pc + 4, stop, pos + n, up);
                if (got != -1) goto done;
            }
            goto done;
        }
        case OP_BRANCH: {
            Frame rest = {0, pc + pc[1], stop, 0, up};
            const int *alt = pc + 3;
            for (int k = 0; k < pc[2]; k++) {
                got = run_nodes(r, alt + 1, alt + 1 + alt[0], pos, &rest);
                if (got != -1) goto done;
                alt += 1 + alt[0];
            }
            goto done;
        }
        case OP_REPEAT: {
            Frame rest = {0, pc + pc[1], stop, 0, up};
            got = run_repeat(r, pc, 0, pos, &rest);
            goto done;
        }
        default:
            got = -2;
            goto done;
        }
    }
    /* these nodes matched: the rest */
    if (up == NULL) got = pos;
    else if (up->repeat) got = run_repeat(r, up->pc, up->count, pos, up->up);
    else got = run_nodes(r, up->pc, up->stop, pos, up->up);
done:
    r->depth--;
    return got;
}

typedef struct {
    const int *nodes, *stop;
    const unsigned char *tables;
    const unsigned char *first; /* 128 bytes: the characters a match can begin with */
} Program;

static int read_program(PyObject *program, Program *p) {
    PyObject *nodes, *tables;
    long first;
    if (!PyTuple_Check(program) || PyTuple_GET_SIZE(program) != 3 ||
        !PyBytes_Check(nodes = PyTuple_GET_ITEM(program, 0)) ||
        !PyBytes_Check(tables = PyTuple_GET_ITEM(program, 1)) ||
        PyBytes_GET_SIZE(nodes) % sizeof(int) != 0 || PyBytes_GET_SIZE(tables) % 128 != 0) {
        PyErr_SetString(PyExc_TypeError, "a program is (nodes, tables, first)");
        return -1;
    }
    first = PyLong_AsLong(PyTuple_GET_ITEM(program, 2));
    if (first == -1 && PyErr_Occurred()) return -1;
    if (first < 0 || first >= PyBytes_GET_SIZE(tables) / 128) {
        PyErr_SetString(PyExc_ValueError, "a program's first-character table is one of its own");
        return -1;
    }
    p->nodes = (const int *)PyBytes_AS_STRING(nodes);
    p->stop = p->nodes + PyBytes_GET_SIZE(nodes) / sizeof(int);
    p->tables = (const unsigned char *)PyBytes_AS_STRING(tables);
    p->first = p->tables + 128 * first;
    return 0;
}

/* re.finditer(text, a, b) of the program: each match's (start, end) to `found`, in order.
 * 0 ok, -1 error, -2 too deep (no error set: the caller asks `re`). */
typedef int (*found_fn)(void *arg, Py_ssize_t start, Py_ssize_t end);

static int program_finditer(const Program *p, const Text *t, Py_ssize_t a, Py_ssize_t b,
                            found_fn found, void *arg) {
    if (a < 0) a = 0;
    if (b > t->len) b = t->len;
    Run r = {t, b, p->tables, 0};
    Py_ssize_t pos = a;
    while (pos < b) { /* (every match holds a character: none begins at b) */
        Py_UCS4 c = CH(t, pos);
        if (c >= 128 || !p->first[c]) {
            pos++;
            continue;
        }
        Py_ssize_t end = run_nodes(&r, p->nodes, p->stop, pos, NULL);
        if (end == -2) return -2;
        if (end < 0) {
            pos++;
            continue;
        }
        if (found(arg, pos, end) < 0) return -1;
        pos = end > pos ? end : pos + 1;
    }
    return 0;
}

static int found_to_list(void *arg, Py_ssize_t start, Py_ssize_t end) {
    PyObject *span = Py_BuildValue("(nn)", start, end);
    if (span == NULL) return -1;
    int r = PyList_Append((PyObject *)arg, span);
    Py_DECREF(span);
    return r;
}

/* finditer(program, text, a, b): the spans of its matches, for the tests. */
static PyObject *program_spans(PyObject *self, PyObject *args) {
    PyObject *program, *text;
    Py_ssize_t a, b;
    if (!PyArg_ParseTuple(args, "OUnn", &program, &text, &a, &b)) return NULL;
    Program p;
    if (read_program(program, &p) < 0) return NULL;
    Text t = {PyUnicode_KIND(text), PyUnicode_DATA(text), PyUnicode_GET_LENGTH(text)};
    PyObject *out = PyList_New(0);
    if (out == NULL) return NULL;
    int r = program_finditer(&p, &t, a, b, found_to_list, out);
    if (r < 0) {
        Py_DECREF(out);
        if (r == -1) return NULL;
        Py_RETURN_NONE; /* too deep: `re`'s call */
    }
    return out;
}

/* ---- confirmation ------------------------------------------------------------------------------ */

typedef struct {
    PyObject *regex;
    PyObject *group;
    int shrink, isolated, needs_context;
    PyObject *context, *negative; /* frozensets */
    PyObject *validate;
    long vcode;
    PyObject *rescore;
    long rcode;    /* R_*: the rescoring done in C on ASCII values */
    double rbonus; /* what R_STRONG_PHONE adds; R_CARD_ISSUER's score for an unknown issuer */
    double score;
    PyObject *namer, *entity, *name, *classification;
    int filter; /* the span word sets of this call hold registered words only (confirm_all) */
    PyObject *program; /* (nodes, tables, first) of backtrack.py, or NULL: the regex's finditer */
} Spec;

static int read_spec(PyObject *tuple, Spec *s) {
    Py_ssize_t size = PyTuple_Check(tuple) ? PyTuple_GET_SIZE(tuple) : 0;
    if (size < 17 || size > 19) {
        PyErr_SetString(PyExc_TypeError,
                        "spec: a 17-tuple (18: words registered; 19: and a program or None)");
        return -1;
    }
    s->program = size == 19 && PyTuple_GET_ITEM(tuple, 18) != Py_None ? PyTuple_GET_ITEM(tuple, 18)
                                                                       : NULL;
#define ITEM(i) PyTuple_GET_ITEM(tuple, i)
    s->regex = ITEM(0);
    s->group = ITEM(1);
    s->shrink = PyObject_IsTrue(ITEM(2));
    s->isolated = PyObject_IsTrue(ITEM(3));
    s->needs_context = PyObject_IsTrue(ITEM(4));
    s->context = ITEM(5);
    s->negative = ITEM(6);
    s->validate = ITEM(7);
    s->vcode = PyLong_AsLong(ITEM(8));
    s->rescore = ITEM(9);
    s->score = PyFloat_AsDouble(ITEM(10));
    s->namer = ITEM(11);
    s->entity = ITEM(12);
    s->name = ITEM(13);
    s->classification = ITEM(14);
    s->rcode = PyLong_AsLong(ITEM(15));
    s->rbonus = PyFloat_AsDouble(ITEM(16));
#undef ITEM
    if (PyErr_Occurred()) return -1;
    if (!PyAnySet_Check(s->context) || !PyAnySet_Check(s->negative)) {
        PyErr_SetString(PyExc_TypeError, "spec: context and negative must be sets");
        return -1;
    }
    return 0;
}

/* Finding(*args): what the frozen dataclass's __init__ does (object.__setattr__ of each field),
 * without running it in Python. */
static PyObject *make_finding(PyObject **args) {
    if (!finding_direct) return PyObject_Vectorcall(finding_cls, args, 6, NULL);
    PyTypeObject *type = (PyTypeObject *)finding_cls;
    PyObject *obj = type->tp_alloc(type, 0);
    if (obj == NULL) return NULL;
    for (int i = 0; i < 6; i++) {
        if (PyObject_GenericSetAttr(obj, finding_fields[i], args[i]) < 0) {
            Py_DECREF(obj);
            return NULL;
        }
    }
    return obj;
}

/* One candidate [start, end) (`match`: its re.Match, for the namer; NULL when the program
 * found it, for a rule without one): appends its Finding to `out` if it is confirmed. 0 ok,
 * -1 error. */
static int confirm_span(const Spec *s, PyObject *match, Py_ssize_t start, Py_ssize_t end,
                        const Text *t, PyObject *text, PyObject *ctx_cache, PyObject *adj_cache,
                        double min_score, PyObject *out) {
    if (start < 0 || end <= start) return 0;
    int has_context = PySet_GET_SIZE(s->context) > 0;
    int has_negative = PySet_GET_SIZE(s->negative) > 0;
    if (!s->shrink) {
        if (s->isolated && glued(t, start, end)) return 0;
        if (s->needs_context) {
            if (!has_context) return 0;
            PyObject *words = cached_words(ctx_cache, t, text, start, end, 0, s->filter);
            if (words == NULL) return -1;
            int r = intersects(s->context, words);
            if (r < 0) return -1;
            if (!r) return 0;
        }
    }
    if (s->validate != Py_None) {
        int ok = validate(t, text, start, end, s->validate, s->vcode);
        if (ok < 0) return -1;
        if (!ok) {
            if (!s->shrink) return 0;
            Py_ssize_t e = shrunk(t, text, start, end, s->validate, s->vcode);
            if (e < 0) return -1;
            if (e == 0) return 0;
            end = e;
        }
    }
    if (s->isolated && glued(t, start, end)) return 0;
    double score = s->score;
    int rescored = -1; /* the C rescoring's verdict, -1: Python's call */
    if (s->rescore != Py_None && s->rcode == R_STRONG_PHONE) {
        rescored = strong_phone(t, start, end);
        if (rescored > 0) score += s->rbonus; /* pii.strong_phone_rescore */
    } else if (s->rescore != Py_None && s->rcode == R_CARD_ISSUER && all_ascii(t, start, end)) {
        rescored = card_issuer(t, start, end);
        if (rescored == 0) score = s->rbonus; /* pii.card_issuer_rescore */
    }
    if (rescored < 0 && s->rescore != Py_None) {
        PyObject *value = PyUnicode_Substring(text, start, end);
        if (value == NULL) return -1;
        PyObject *f = PyFloat_FromDouble(score);
        if (f == NULL) {
            Py_DECREF(value);
            return -1;
        }
        PyObject *got = PyObject_CallFunctionObjArgs(s->rescore, value, f, NULL);
        Py_DECREF(value);
        Py_DECREF(f);
        if (got == NULL) return -1;
        score = PyFloat_AsDouble(got);
        Py_DECREF(got);
        if (score == -1.0 && PyErr_Occurred()) return -1;
    }
    if (has_context || has_negative) {
        int boosted = 0;
        if (has_context) {
            PyObject *words = cached_words(ctx_cache, t, text, start, end, 0, s->filter);
            if (words == NULL) return -1;
            boosted = intersects(s->context, words);
            if (boosted < 0) return -1;
        }
        if (boosted) score += context_boost;
        else if (s->needs_context) return 0;
        if (score < min_score) return 0;
        if (has_negative) {
            PyObject *words = cached_words(adj_cache, t, text, start, end, 1, s->filter);
            if (words == NULL) return -1;
            int r = intersects(s->negative, words);
            if (r < 0) return -1;
            if (r) score -= negative_penalty;
        }
    } else if (s->needs_context) {
        return 0;
    }
    if (score < min_score) return 0;
    PyObject *name;
    if (s->namer != Py_None) {
        if (match == NULL) {
            PyErr_SetString(PyExc_RuntimeError, "a rule with a namer has no program");
            return -1;
        }
        name = PyObject_CallOneArg(s->namer, match);
        if (name == NULL) return -1;
    } else {
        name = Py_NewRef(s->name);
    }
    PyObject *raw = PyFloat_FromDouble(score);
    if (raw == NULL) {
        Py_DECREF(name);
        return -1;
    }
    PyObject *rounded = PyDict_GetItemWithError(rounded_cache, raw);
    if (rounded != NULL) {
        Py_INCREF(rounded);
    } else if (!PyErr_Occurred()) {
        rounded = PyObject_CallOneArg(py_round_score, raw);
    }
    Py_DECREF(raw);
    if (rounded == NULL) {
        Py_DECREF(name);
        return -1;
    }
    PyObject *pstart = PyLong_FromSsize_t(start), *pend = PyLong_FromSsize_t(end);
    PyObject *finding = NULL;
    if (pstart != NULL && pend != NULL) {
        PyObject *args[6] = {s->entity, pstart, pend, name, rounded, s->classification};
        finding = make_finding(args);
    }
    Py_XDECREF(pstart);
    Py_XDECREF(pend);
    Py_DECREF(name);
    Py_DECREF(rounded);
    if (finding == NULL) return -1;
    int r = PyList_Append(out, finding);
    Py_DECREF(finding);
    return r;
}

/* One re.Match: its group's span, confirmed. */
static int confirm_one(const Spec *s, PyObject *match, const Text *t, PyObject *text,
                       PyObject *ctx_cache, PyObject *adj_cache, double min_score,
                       PyObject *out) {
    PyObject *span = PyObject_CallMethodOneArg(match, str_span, s->group);
    if (span == NULL) return -1;
    Py_ssize_t start = PyLong_AsSsize_t(PyTuple_GET_ITEM(span, 0));
    Py_ssize_t end = PyLong_AsSsize_t(PyTuple_GET_ITEM(span, 1));
    Py_DECREF(span);
    if (PyErr_Occurred()) return -1;
    return confirm_span(s, match, start, end, t, text, ctx_cache, adj_cache, min_score, out);
}

static int confirm_iter(const Spec *s, PyObject *iter, const Text *t, PyObject *text,
                        PyObject *ctx, PyObject *adj, double min_score, PyObject *out) {
    PyObject *match;
    while ((match = PyIter_Next(iter)) != NULL) {
        int r = confirm_one(s, match, t, text, ctx, adj, min_score, out);
        Py_DECREF(match);
        if (r < 0) return -1;
    }
    return PyErr_Occurred() ? -1 : 0;
}

/* What program_finditer's matches are confirmed with. */
typedef struct {
    const Spec *s;
    const Text *t;
    PyObject *text, *ctx, *adj, *out;
    double min_score;
} Confirming;

static int confirm_found(void *arg, Py_ssize_t start, Py_ssize_t end) {
    Confirming *c = arg;
    return confirm_span(c->s, NULL, start, end, c->t, c->text, c->ctx, c->adj, c->min_score,
                        c->out);
}

static int window_pair(PyObject *w, Py_ssize_t *a, Py_ssize_t *b) {
    if (!PyTuple_Check(w) || PyTuple_GET_SIZE(w) != 2) {
        PyErr_SetString(PyExc_TypeError, "a window is a (start, end) tuple");
        return -1;
    }
    *a = PyLong_AsSsize_t(PyTuple_GET_ITEM(w, 0));
    *b = PyLong_AsSsize_t(PyTuple_GET_ITEM(w, 1));
    return PyErr_Occurred() ? -1 : 0;
}

/* confirm(spec, windows, text, ctx_cache, adj_cache, min_score, out): what
 * Engine.confirmed does for one rule, its findings appended to `out`. */
/* The rule's `re` pattern over the window [a, b), its matches confirmed: 0, or -1 on error. */
static int confirm_window_by_re(const Spec *s, const Text *t, PyObject *text, Py_ssize_t a,
                                Py_ssize_t b, PyObject *ctx, PyObject *adj, double min_score,
                                PyObject *out) {
    PyObject *pa = PyLong_FromSsize_t(a), *pb = PyLong_FromSsize_t(b);
    PyObject *it = NULL;
    if (pa != NULL && pb != NULL)
        it = PyObject_CallMethodObjArgs(s->regex, str_finditer, text, pa, pb, NULL);
    Py_XDECREF(pa);
    Py_XDECREF(pb);
    if (it == NULL) return -1;
    int r = confirm_iter(s, it, t, text, ctx, adj, min_score, out);
    Py_DECREF(it);
    return r < 0 ? -1 : 0;
}

static PyObject *confirm_rule(PyObject *const *args, Py_ssize_t nargs, int filter) {
    if (nargs != 7) {
        PyErr_SetString(PyExc_TypeError, "confirm() takes 7 arguments");
        return NULL;
    }
    if (finding_cls == NULL) {
        PyErr_SetString(PyExc_RuntimeError, "configure() first");
        return NULL;
    }
    Spec s;
    if (read_spec(args[0], &s) < 0) return NULL;
    s.filter = filter;
    PyObject *windows = args[1], *text = args[2], *ctx = args[3], *adj = args[4], *out = args[6];
    double min_score = PyFloat_AsDouble(args[5]);
    if (min_score == -1.0 && PyErr_Occurred()) return NULL;
    if (!PyList_Check(windows) || !PyUnicode_Check(text) || !PyDict_Check(ctx) ||
        !PyDict_Check(adj) || !PyList_Check(out)) {
        PyErr_SetString(PyExc_TypeError, "confirm(spec, list, str, dict, dict, float, list)");
        return NULL;
    }
    Py_ssize_t count = PyList_GET_SIZE(windows);
    if (count == 0) Py_RETURN_NONE;
    Text t = {PyUnicode_KIND(text), PyUnicode_DATA(text), PyUnicode_GET_LENGTH(text)};
    Py_ssize_t a, b;
    if (window_pair(PyList_GET_ITEM(windows, 0), &a, &b) < 0) return NULL;
    if (b == match_at_mark) {
        /* engine._matches_at: regex.match at each place, skipping those inside a match */
        Py_ssize_t resume = 0;
        for (Py_ssize_t i = 0; i < count; i++) {
            if (window_pair(PyList_GET_ITEM(windows, i), &a, &b) < 0) return NULL;
            if (a < resume) continue;
            PyObject *pos = PyLong_FromSsize_t(a);
            if (pos == NULL) return NULL;
            PyObject *m = PyObject_CallMethodObjArgs(s.regex, str_match, text, pos, NULL);
            Py_DECREF(pos);
            if (m == NULL) return NULL;
            if (m == Py_None) {
                Py_DECREF(m);
                continue;
            }
            PyObject *e = PyObject_CallMethodNoArgs(m, str_end);
            Py_ssize_t me = e ? PyLong_AsSsize_t(e) : -1;
            Py_XDECREF(e);
            if (me == -1 && PyErr_Occurred()) {
                Py_DECREF(m);
                return NULL;
            }
            resume = me > a + 1 ? me : a + 1;
            int r = confirm_one(&s, m, &t, text, ctx, adj, min_score, out);
            Py_DECREF(m);
            if (r < 0) return NULL;
        }
        Py_RETURN_NONE;
    }
    if (s.program != NULL) { /* the pattern's matches found without `re` (backtrack.py) */
        Program p;
        if (read_program(s.program, &p) < 0) return NULL;
        Confirming c = {&s, &t, text, ctx, adj, out, min_score};
        for (Py_ssize_t i = 0; i < count; i++) {
            if (window_pair(PyList_GET_ITEM(windows, i), &a, &b) < 0) return NULL;
            int whole = a == whole_text_mark;
            if (whole) {
                a = 0;
                b = t.len;
            }
            Py_ssize_t had = PyList_GET_SIZE(out);
            int r = program_finditer(&p, &t, a, b, confirm_found, &c);
            if (r == -1) return NULL;
            if (r == -2) { /* too deep for the program: this window's findings by `re` */
                if (PyList_SetSlice(out, had, PyList_GET_SIZE(out), NULL) < 0) return NULL;
                if (confirm_window_by_re(&s, &t, text, a, b, ctx, adj, min_score, out) < 0)
                    return NULL;
            }
            if (whole) break; /* (a whole-text window stands alone) */
        }
        Py_RETURN_NONE;
    }
    if (a == whole_text_mark) {
        PyObject *it = PyObject_CallMethodOneArg(s.regex, str_finditer, text);
        if (it == NULL) return NULL;
        int r = confirm_iter(&s, it, &t, text, ctx, adj, min_score, out);
        Py_DECREF(it);
        if (r < 0) return NULL;
        Py_RETURN_NONE;
    }
    for (Py_ssize_t i = 0; i < count; i++) {
        if (window_pair(PyList_GET_ITEM(windows, i), &a, &b) < 0) return NULL;
        if (confirm_window_by_re(&s, &t, text, a, b, ctx, adj, min_score, out) < 0) return NULL;
    }
    Py_RETURN_NONE;
}

static PyObject *confirm(PyObject *self, PyObject *const *args, Py_ssize_t nargs) {
    return confirm_rule(args, nargs, 0);
}

/* confirm_all(specs, hits, text, min_score, out): Engine.confirmed's loop, rule by rule in rule
 * order, the words around spans shared by the rules. */
static PyObject *confirm_all(PyObject *self, PyObject *const *args, Py_ssize_t nargs) {
    if (nargs != 5) {
        PyErr_SetString(PyExc_TypeError, "confirm_all() takes 5 arguments");
        return NULL;
    }
    PyObject *specs = args[0], *hits = args[1];
    if (!PyList_Check(specs) || !PyDict_Check(hits)) {
        PyErr_SetString(PyExc_TypeError, "confirm_all(list, dict, str, float, list)");
        return NULL;
    }
    PyObject *keys = PyDict_Keys(hits);
    if (keys == NULL) return NULL;
    PyObject *ctx = NULL, *adj = NULL;
    if (PyList_Sort(keys) < 0 || (ctx = PyDict_New()) == NULL || (adj = PyDict_New()) == NULL)
        goto fail;
    /* The span word sets of this call are shared by its rules: filtered only if every rule's
     * words are in the table (the 18th item of its spec). */
    int filter = 1;
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(keys) && filter; i++) {
        Py_ssize_t index = PyLong_AsSsize_t(PyList_GET_ITEM(keys, i));
        if (index < 0 || index >= PyList_GET_SIZE(specs)) {
            PyErr_Clear(); /* (reported by the loop below) */
            filter = 0;
            break;
        }
        PyObject *spec = PyList_GET_ITEM(specs, index);
        filter = PyTuple_Check(spec) && PyTuple_GET_SIZE(spec) >= 18 &&
                 PyTuple_GET_ITEM(spec, 17) == Py_True;
    }
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(keys); i++) {
        PyObject *key = PyList_GET_ITEM(keys, i);
        Py_ssize_t index = PyLong_AsSsize_t(key);
        if (index == -1 && PyErr_Occurred()) goto fail;
        if (index < 0 || index >= PyList_GET_SIZE(specs)) {
            PyErr_SetString(PyExc_IndexError, "confirm_all: a rule without a spec");
            goto fail;
        }
        PyObject *windows = PyDict_GetItemWithError(hits, key); /* borrowed */
        if (windows == NULL) {
            if (!PyErr_Occurred()) PyErr_SetObject(PyExc_KeyError, key);
            goto fail;
        }
        PyObject *one[7] = {PyList_GET_ITEM(specs, index), windows, args[2], ctx, adj, args[3],
                            args[4]};
        PyObject *r = confirm_rule(one, 7, filter);
        if (r == NULL) goto fail;
        Py_DECREF(r);
    }
    Py_DECREF(keys);
    Py_DECREF(ctx);
    Py_DECREF(adj);
    Py_RETURN_NONE;
fail:
    Py_DECREF(keys);
    Py_XDECREF(ctx);
    Py_XDECREF(adj);
    return NULL;
}

/* ---- the multi-pattern pass: Hyperscan's matches, collected and turned into windows ---------- */

typedef struct {
    unsigned int rule;
    unsigned long long from, to;
} Hit;

/* Hits(): a match handler for hyperscan's Database.scan that records (id, from, to) in C; a
 * Python handler costs a frame and a few dict and list operations per match. */
typedef struct {
    PyObject_HEAD Hit *hits;
    Py_ssize_t n, cap;
} Hits;

static void hits_dealloc(Hits *self) {
    PyMem_RawFree(self->hits); /* (raw: HsDatabase.scan grows it without the GIL) */
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static PyObject *hits_call(Hits *self, PyObject *args, PyObject *kwargs) {
    /* (id, from, to, flags, context), as hyperscan calls a match handler */
    if (!PyTuple_Check(args) || PyTuple_GET_SIZE(args) < 3) {
        PyErr_SetString(PyExc_TypeError, "Hits(id, from, to, ...)");
        return NULL;
    }
    unsigned long rule = PyLong_AsUnsignedLong(PyTuple_GET_ITEM(args, 0));
    unsigned long long from = PyLong_AsUnsignedLongLong(PyTuple_GET_ITEM(args, 1));
    unsigned long long to = PyLong_AsUnsignedLongLong(PyTuple_GET_ITEM(args, 2));
    if (PyErr_Occurred()) return NULL;
    if (self->n == self->cap) {
        Py_ssize_t cap = self->cap ? self->cap * 2 : 64;
        Hit *grown = PyMem_RawRealloc(self->hits, (size_t)cap * sizeof(Hit));
        if (grown == NULL) return PyErr_NoMemory();
        self->hits = grown;
        self->cap = cap;
    }
    self->hits[self->n].rule = (unsigned int)rule;
    self->hits[self->n].from = from;
    self->hits[self->n].to = to;
    self->n++;
    Py_RETURN_NONE; /* None: go on scanning */
}

static Py_ssize_t hits_len(Hits *self) { return self->n; }

/* The ids recorded, in order. */
static PyObject *hits_ids(Hits *self, PyObject *unused) {
    PyObject *out = PyList_New(self->n);
    if (out == NULL) return NULL;
    for (Py_ssize_t i = 0; i < self->n; i++) {
        PyObject *id = PyLong_FromUnsignedLong(self->hits[i].rule);
        if (id == NULL) {
            Py_DECREF(out);
            return NULL;
        }
        PyList_SET_ITEM(out, i, id);
    }
    return out;
}

/* The hits recorded, in order: [(id, from, to), ...] (a Python match handler replays them). */
static PyObject *hits_triples(Hits *self, PyObject *unused) {
    PyObject *out = PyList_New(self->n);
    if (out == NULL) return NULL;
    for (Py_ssize_t i = 0; i < self->n; i++) {
        const Hit *h = &self->hits[i];
        PyObject *t = Py_BuildValue("(IKK)", h->rule, h->from, h->to);
        if (t == NULL) {
            Py_DECREF(out);
            return NULL;
        }
        PyList_SET_ITEM(out, i, t);
    }
    return out;
}

static PyObject *hits_clear(Hits *self, PyObject *unused) {
    self->n = 0;
    Py_RETURN_NONE;
}

static PyMethodDef hits_methods[] = {
    {"ids", (PyCFunction)hits_ids, METH_NOARGS, "the ids recorded, in order"},
    {"clear", (PyCFunction)hits_clear, METH_NOARGS, "forget every hit"},
    {"triples", (PyCFunction)hits_triples, METH_NOARGS, "[(id, from, to), ...] in order"},
    {NULL, NULL, 0, NULL},
};

static PySequenceMethods hits_sequence = {.sq_length = (lenfunc)hits_len};

static PyTypeObject HitsType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "interlock.dlp._native.Hits",
    .tp_basicsize = sizeof(Hits),
    .tp_dealloc = (destructor)hits_dealloc,
    .tp_call = (ternaryfunc)hits_call,
    .tp_as_sequence = &hits_sequence,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "A hyperscan match handler recording (id, from, to) in C.",
    .tp_methods = hits_methods,
    .tp_new = PyType_GenericNew,
};

/* ---- Hyperscan without its Python binding ----------------------------------------------------
 * The binding (python-hyperscan) releases the GIL for every scan and, per match, takes it back
 * and calls a Python handler with a 5-tuple: ~0.2 us a match, ~28 matches and 4 scans per 2 KB
 * prompt. Its module does not export libhs's functions, so the library is loaded here at run
 * time (dlopen "libhs.so.5": Debian's libhyperscan5) when the system has it: nothing at build
 * time depends on it, and without it matcher.py uses the binding. Databases scanned here are
 * compiled by the same library (hs_compile), so no serialised form crosses two versions. */
#include <dlfcn.h>

typedef struct hs_database hs_database_t;
typedef struct hs_scratch hs_scratch_t;
typedef struct {
    char *message;
    int expression;
} hs_compile_error_t;
typedef int (*hs_handler_t)(unsigned int id, unsigned long long from, unsigned long long to,
                            unsigned int flags, void *context);
#define HS_MODE_BLOCK 1
#define HS_SCAN_TERMINATED (-3)

/* libhs's functions used here (their signatures are hs.h's, stable across 5.x). */
static struct {
    int loaded; /* 0 not tried, 1 loaded, -1 unavailable */
    const char *(*version)(void);
    int (*compile_multi)(const char *const *expressions, const unsigned int *flags,
                         const unsigned int *ids, unsigned int elements, unsigned int mode,
                         const void *platform, hs_database_t **db, hs_compile_error_t **error);
    int (*free_compile_error)(hs_compile_error_t *error);
    int (*serialize)(const hs_database_t *db, char **bytes, size_t *length);
    int (*deserialize)(const char *bytes, size_t length, hs_database_t **db);
    int (*free_database)(hs_database_t *db);
    int (*alloc_scratch)(const hs_database_t *db, hs_scratch_t **scratch);
    int (*free_scratch)(hs_scratch_t *scratch);
    int (*scan)(const hs_database_t *db, const char *data, unsigned int length, unsigned int flags,
                hs_scratch_t *scratch, hs_handler_t on_match, void *context);
    int (*valid_platform)(void);
} hs;

/* hs_load(names): libhs's version string once the first of `names` (library file names) loads
 * with every function needed, else None. */
static PyObject *hs_load(PyObject *self, PyObject *names) {
    if (hs.loaded == 0) {
        hs.loaded = -1;
        PyObject *seq = PySequence_Fast(names, "hs_load(names): a sequence of file names");
        if (seq == NULL) return NULL;
        for (Py_ssize_t i = 0; i < PySequence_Fast_GET_SIZE(seq) && hs.loaded < 0; i++) {
            const char *name = PyUnicode_AsUTF8(PySequence_Fast_GET_ITEM(seq, i));
            if (name == NULL) {
                Py_DECREF(seq);
                return NULL;
            }
            void *lib = dlopen(name, RTLD_NOW | RTLD_LOCAL);
            if (lib == NULL) continue;
#define HS_SYM(field, symbol) (*(void **)(&hs.field) = dlsym(lib, symbol)) != NULL
            if (HS_SYM(version, "hs_version") && HS_SYM(compile_multi, "hs_compile_multi") &&
                HS_SYM(free_compile_error, "hs_free_compile_error") &&
                HS_SYM(serialize, "hs_serialize_database") &&
                HS_SYM(deserialize, "hs_deserialize_database") &&
                HS_SYM(free_database, "hs_free_database") &&
                HS_SYM(alloc_scratch, "hs_alloc_scratch") &&
                HS_SYM(free_scratch, "hs_free_scratch") && HS_SYM(scan, "hs_scan") &&
                HS_SYM(valid_platform, "hs_valid_platform") && hs.valid_platform() == 0)
                hs.loaded = 1; /* (and this CPU is one it runs on: SSSE3 at least) */
            else
                dlclose(lib);
#undef HS_SYM
        }
        Py_DECREF(seq);
    }
    if (hs.loaded < 0) Py_RETURN_NONE;
    return PyUnicode_FromString(hs.version());
}

static int hs_ready(void) {
    if (hs.loaded == 1) return 1;
    PyErr_SetString(PyExc_RuntimeError, "libhs is not loaded (hs_load)");
    return 0;
}

/* hs_compile(expressions, ids, flags) -> bytes: a block-mode database, serialised (the caller
 * keeps it to load copies without compiling again); ValueError with Hyperscan's message. */
static PyObject *hs_compile(PyObject *self, PyObject *args) {
    PyObject *expressions, *ids, *flags;
    if (!PyArg_ParseTuple(args, "O!O!O!", &PyList_Type, &expressions, &PyList_Type, &ids,
                          &PyList_Type, &flags))
        return NULL;
    if (!hs_ready()) return NULL;
    Py_ssize_t n = PyList_GET_SIZE(expressions);
    if (n == 0 || PyList_GET_SIZE(ids) != n || PyList_GET_SIZE(flags) != n) {
        PyErr_SetString(PyExc_ValueError, "hs_compile: as many ids and flags as expressions");
        return NULL;
    }
    const char **exprs = PyMem_Malloc((size_t)n * sizeof(char *));
    unsigned int *id_of = PyMem_Malloc((size_t)n * sizeof(unsigned int));
    unsigned int *flag_of = PyMem_Malloc((size_t)n * sizeof(unsigned int));
    PyObject *out = NULL;
    if (exprs == NULL || id_of == NULL || flag_of == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        exprs[i] = PyBytes_AsString(PyList_GET_ITEM(expressions, i));
        id_of[i] = (unsigned int)PyLong_AsUnsignedLong(PyList_GET_ITEM(ids, i));
        flag_of[i] = (unsigned int)PyLong_AsUnsignedLong(PyList_GET_ITEM(flags, i));
        if (exprs[i] == NULL || PyErr_Occurred()) goto done;
    }
    hs_database_t *db = NULL;
    hs_compile_error_t *error = NULL;
    if (hs.compile_multi(exprs, flag_of, id_of, (unsigned int)n, HS_MODE_BLOCK, NULL, &db,
                         &error) != 0) {
        PyErr_Format(PyExc_ValueError, "hs_compile: %s (expression %d)",
                     error && error->message ? error->message : "failed",
                     error ? error->expression : -1);
        if (error) hs.free_compile_error(error);
        goto done;
    }
    char *bytes = NULL;
    size_t length = 0;
    if (hs.serialize(db, &bytes, &length) != 0) {
        PyErr_SetString(PyExc_RuntimeError, "hs_serialize_database failed");
    } else {
        out = PyBytes_FromStringAndSize(bytes, (Py_ssize_t)length);
        free(bytes); /* (hs's default allocator is malloc) */
    }
    hs.free_database(db);
done:
    PyMem_Free(exprs);
    PyMem_Free(id_of);
    PyMem_Free(flag_of);
    return out;
}

/* A scratch space: one per database and thread (matcher._Database keeps them per thread). */
static const char *SCRATCH_CAPSULE = "interlock.dlp._native.hs_scratch";

static void scratch_free(PyObject *capsule) {
    hs_scratch_t *scratch = PyCapsule_GetPointer(capsule, SCRATCH_CAPSULE);
    if (scratch != NULL && hs.loaded == 1) hs.free_scratch(scratch);
}

typedef struct {
    PyObject_HEAD hs_database_t *db;
} HsDatabase;

static void hsdb_dealloc(HsDatabase *self) {
    if (self->db != NULL && hs.loaded == 1) hs.free_database(self->db);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

/* HsDatabase(blob): a database serialised by hs_compile. */
static int hsdb_init(HsDatabase *self, PyObject *args, PyObject *kwargs) {
    Py_buffer blob;
    if (!PyArg_ParseTuple(args, "y*", &blob)) return -1;
    if (!hs_ready()) {
        PyBuffer_Release(&blob);
        return -1;
    }
    hs_database_t *db = NULL;
    int err = hs.deserialize(blob.buf, (size_t)blob.len, &db);
    PyBuffer_Release(&blob);
    if (err != 0) {
        PyErr_Format(PyExc_ValueError, "hs_deserialize_database: error %d", err);
        return -1;
    }
    if (self->db != NULL) hs.free_database(self->db);
    self->db = db;
    return 0;
}

static PyObject *hsdb_scratch(HsDatabase *self, PyObject *unused) {
    if (self->db == NULL || !hs_ready()) return NULL;
    hs_scratch_t *scratch = NULL;
    if (hs.alloc_scratch(self->db, &scratch) != 0) {
        PyErr_SetString(PyExc_MemoryError, "hs_alloc_scratch failed");
        return NULL;
    }
    PyObject *capsule = PyCapsule_New(scratch, SCRATCH_CAPSULE, scratch_free);
    if (capsule == NULL) hs.free_scratch(scratch);
    return capsule;
}

typedef struct {
    Hits *hits;
    int out_of_memory;
} Collect;

/* Every match into the Hits buffer (raw allocator: the GIL may be released). */
static int hs_collect(unsigned int id, unsigned long long from, unsigned long long to,
                      unsigned int flags, void *context) {
    Collect *c = context;
    Hits *h = c->hits;
    if (h->n == h->cap) {
        Py_ssize_t cap = h->cap ? h->cap * 2 : 64;
        Hit *grown = PyMem_RawRealloc(h->hits, (size_t)cap * sizeof(Hit));
        if (grown == NULL) {
            c->out_of_memory = 1;
            return 1; /* stop scanning */
        }
        h->hits = grown;
        h->cap = cap;
    }
    h->hits[h->n].rule = id;
    h->hits[h->n].from = from;
    h->hits[h->n].to = to;
    h->n++;
    return 0;
}

/* Texts from this size on are scanned without the GIL (a worker thread's large request must not
 * hold up the event loop); below it, releasing and taking the GIL back costs more than the scan. */
#define HS_SCAN_NOGIL_BYTES (64 * 1024)

/* scan(data, scratch, hits): Hyperscan's matches appended to `hits`, in Hyperscan's order. */
static PyObject *hsdb_scan(HsDatabase *self, PyObject *const *args, Py_ssize_t nargs) {
    if (nargs != 3 || !PyBytes_Check(args[0]) || !PyObject_TypeCheck(args[2], &HitsType)) {
        PyErr_SetString(PyExc_TypeError, "scan(data: bytes, scratch, hits: Hits)");
        return NULL;
    }
    hs_scratch_t *scratch = PyCapsule_GetPointer(args[1], SCRATCH_CAPSULE);
    if (scratch == NULL || self->db == NULL || !hs_ready()) return NULL;
    Py_ssize_t length = PyBytes_GET_SIZE(args[0]);
    if (length > (Py_ssize_t)0xFFFFFFFFu) {
        PyErr_SetString(PyExc_ValueError, "scan: at most 4 GB");
        return NULL;
    }
    const char *data = PyBytes_AS_STRING(args[0]);
    Collect c = {(Hits *)args[2], 0};
    int err;
    if (length >= HS_SCAN_NOGIL_BYTES) {
        Py_BEGIN_ALLOW_THREADS;
        err = hs.scan(self->db, data, (unsigned int)length, 0, scratch, hs_collect, &c);
        Py_END_ALLOW_THREADS;
    } else {
        err = hs.scan(self->db, data, (unsigned int)length, 0, scratch, hs_collect, &c);
    }
    if (c.out_of_memory) return PyErr_NoMemory();
    if (err != 0 && err != HS_SCAN_TERMINATED) {
        PyErr_Format(PyExc_RuntimeError, "hs_scan: error %d", err);
        return NULL;
    }
    Py_RETURN_NONE;
}

static PyMethodDef hsdb_methods[] = {
    {"scratch", (PyCFunction)hsdb_scratch, METH_NOARGS, "a new scratch space for this database"},
    {"scan", (PyCFunction)(void (*)(void))hsdb_scan, METH_FASTCALL,
     "scan(data, scratch, hits): matches appended to hits"},
    {NULL, NULL, 0, NULL},
};

static PyTypeObject HsDatabaseType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "interlock.dlp._native.HsDatabase",
    .tp_basicsize = sizeof(HsDatabase),
    .tp_dealloc = (destructor)hsdb_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "A Hyperscan block-mode database scanned through libhs directly.",
    .tp_methods = hsdb_methods,
    .tp_init = (initproc)hsdb_init,
    .tp_new = PyType_GenericNew,
};

/* How a rule's hits become windows (matcher._RuleSet): */
enum { LOCATE_SOM = 0, LOCATE_BACK = 1, LOCATE_REACH = 2, LOCATE_LEAD = 3 };

typedef struct {
    unsigned int rule;
    Py_ssize_t start, end;
    Py_ssize_t from; /* where the window may begin: start, or later (matcher._alphabet) */
} Span;

static int span_order(const void *pa, const void *pb) {
    const Span *a = pa, *b = pb;
    if (a->rule != b->rule) return a->rule < b->rule ? -1 : 1;
    if (a->start != b->start) return a->start < b->start ? -1 : 1;
    if (a->end != b->end) return a->end < b->end ? -1 : 1;
    return 0;
}

static PyObject *pair(Py_ssize_t a, Py_ssize_t b) {
    PyObject *pa = PyLong_FromSsize_t(a), *pb = PyLong_FromSsize_t(b);
    PyObject *t = (pa && pb) ? PyTuple_Pack(2, pa, pb) : NULL;
    Py_XDECREF(pa);
    Py_XDECREF(pb);
    return t;
}

/* A word character of `re` (\w) among ASCII bytes: what \b reads. */
static int word_byte(unsigned char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

/* A kind's (code, a, b[, alphabet[, needed]]) extras: alphabet NULL when absent. For BACK,
 * `needed` reads the fifth field (whether its windows may be split). */
static int kind_alphabet(PyObject *kind, const unsigned char **alphabet, int *needed) {
    Py_ssize_t width = PyTuple_Check(kind) ? PyTuple_GET_SIZE(kind) : 0;
    if (width < 3 || width > 5) {
        PyErr_SetString(PyExc_TypeError, "kinds: (code, a, b[, alphabet[, needed]]) tuples");
        return -1;
    }
    *alphabet = NULL;
    if (needed != NULL) *needed = -1;
    if (width >= 4) {
        PyObject *table = PyTuple_GET_ITEM(kind, 3);
        if (!PyBytes_Check(table) || PyBytes_GET_SIZE(table) != 128) {
            PyErr_SetString(PyExc_TypeError, "kinds: an alphabet is 128 bytes");
            return -1;
        }
        *alphabet = (const unsigned char *)PyBytes_AS_STRING(table);
    }
    if (width == 5 && needed != NULL) {
        long c = PyLong_AsLong(PyTuple_GET_ITEM(kind, 4));
        if (c == -1 && PyErr_Occurred()) return -1;
        if (c < 0 || c > 127) {
            PyErr_SetString(PyExc_ValueError, "kinds: the needed character is ASCII");
            return -1;
        }
        *needed = (int)c;
    }
    return 0;
}

/* The window [*a, *b) of a REACH rule cut to the runs of `alphabet` around its first and last
 * `needed` character; 0 when it holds none (the window is dropped). */
static int cut_to_needed(const unsigned char *bytes, const unsigned char *alphabet, int needed,
                         Py_ssize_t *a, Py_ssize_t *b) {
    Py_ssize_t first = *a, last = *b - 1;
    while (first < *b && bytes[first] != needed) first++;
    if (first == *b) return 0;
    while (bytes[last] != needed) last--;
    while (first > *a && bytes[first - 1] < 128 && alphabet[bytes[first - 1]]) first--;
    last++;
    while (last < *b && bytes[last] < 128 && alphabet[bytes[last]]) last++;
    if (last < *b) last++; /* the character after the run: what \b reads there */
    *a = first;
    *b = last;
    return 1;
}

static int grow_spans(Span **buf, Py_ssize_t *cap) {
    Py_ssize_t more = *cap * 2;
    Span *grown = PyMem_Realloc(*buf, (size_t)more * sizeof(Span));
    if (grown == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    *buf = grown;
    *cap = more;
    return 0;
}

/* matcher._Literals.starts for one end of a rule's leading literal: each literal length n
 * (ascending) whose text[end - n:end] (lower-cased if caseless) is one of `words` adds a
 * start (a Span with start = end - n). Returns how many, or -1. */
static Py_ssize_t lead_starts(PyObject *kind, const unsigned char *bytes, Py_ssize_t end,
                              unsigned int rule, Span **buf, Py_ssize_t *count, Py_ssize_t *cap) {
    PyObject *words = PyTuple_GET_ITEM(kind, 3), *lengths = PyTuple_GET_ITEM(kind, 4);
    if (!PyAnySet_Check(words) || !PyTuple_Check(lengths)) {
        PyErr_SetString(PyExc_TypeError, "kinds: (LEAD, 0, 0, words, lengths, caseless)");
        return -1;
    }
    int caseless = PyObject_IsTrue(PyTuple_GET_ITEM(kind, 5));
    if (caseless < 0) return -1;
    Py_ssize_t added = 0;
    char small[64];
    for (Py_ssize_t k = 0; k < PyTuple_GET_SIZE(lengths); k++) {
        Py_ssize_t n = PyLong_AsSsize_t(PyTuple_GET_ITEM(lengths, k));
        if (n == -1 && PyErr_Occurred()) return -1;
        if (n > end) break;
        if (n < 0) continue;
        char *word = n <= (Py_ssize_t)sizeof(small) ? small : PyMem_Malloc((size_t)n);
        if (word == NULL) {
            PyErr_NoMemory();
            return -1;
        }
        for (Py_ssize_t c = 0; c < n; c++) {
            unsigned char ch = bytes[end - n + c];
            word[c] = (char)(caseless && ch >= 'A' && ch <= 'Z' ? ch + 32 : ch);
        }
        PyObject *str = PyUnicode_DecodeASCII(word, n, NULL);
        if (word != small) PyMem_Free(word);
        if (str == NULL) return -1;
        int found = PySet_Contains(words, str);
        Py_DECREF(str);
        if (found < 0) return -1;
        if (!found) continue;
        if (*count == *cap && grow_spans(buf, cap) < 0) return -1;
        Span *sp = &(*buf)[*count];
        sp->rule = rule;
        sp->start = sp->end = sp->from = end - n;
        (*count)++;
        added++;
    }
    return added;
}

/* spans(hits, kinds, size, data) -> (windows, lead_ends): what matcher._RuleSet.windows
 * makes of the hits on an ASCII text (`data`, its bytes). kinds[rule] is (LOCATE_*, a, b) or,
 * for BACK, (LOCATE_BACK, a, b, alphabet), for REACH (LOCATE_REACH, a, b, alphabet, needed):
 * BACK a = longest match; REACH a, b = reach before and after the anchor's end; alphabet: 128
 * bytes, non-zero for the characters a match can consume (matcher._alphabet); needed: a
 * character every match holds (matcher._required); for LEAD, (LOCATE_LEAD, 0, 0, words,
 * lengths, caseless): its windows are the places a match can begin, [(start, MATCH_AT)]
 * (matcher._Literals.starts), or without those three fields its ends go to lead_ends.
 * windows: {rule: merged [(start, end)]}, lead_ends: {rule: [end, ...]} in hit order. With an alphabet, the windows are merged as without
 * it, then each merged window begins at the least of its hits' narrowed starts (the start of
 * the run of alphabet characters ending at the hit, if later than end - longest): the first
 * hit's, as a narrowed start never decreases with the hit's end. A REACH window with an
 * alphabet is cut to the runs of it around its first and last `needed` character (the run
 * after, and one character more), or dropped without one. */
static PyObject *spans(PyObject *self, PyObject *args) {
    Hits *hits;
    PyObject *kinds, *data;
    Py_ssize_t size;
    if (!PyArg_ParseTuple(args, "O!O!nO!", &HitsType, &hits, &PyList_Type, &kinds, &size,
                          &PyBytes_Type, &data))
        return NULL;
    if (PyBytes_GET_SIZE(data) != size) {
        PyErr_SetString(PyExc_ValueError, "spans: data is not the ASCII text's bytes");
        return NULL;
    }
    const unsigned char *bytes = (const unsigned char *)PyBytes_AS_STRING(data);
    Py_ssize_t nkinds = PyList_GET_SIZE(kinds);
    Py_ssize_t cap = hits->n ? hits->n : 1;
    Span *buf = PyMem_Malloc((size_t)cap * sizeof(Span));
    if (buf == NULL) return PyErr_NoMemory();
    PyObject *windows = PyDict_New(), *lead_ends = PyDict_New();
    Py_ssize_t count = 0;
    if (windows == NULL || lead_ends == NULL) goto fail;
    for (Py_ssize_t i = 0; i < hits->n; i++) {
        const Hit *h = &hits->hits[i];
        if ((Py_ssize_t)h->rule >= nkinds) {
            PyErr_SetString(PyExc_IndexError, "a hit of a rule without a kind");
            goto fail;
        }
        PyObject *kind = PyList_GET_ITEM(kinds, h->rule);
        if (PyTuple_Check(kind) && PyTuple_GET_SIZE(kind) == 6) {
            /* (LOCATE_LEAD, 0, 0, words, lengths, caseless): where matches can begin */
            if ((Py_ssize_t)h->to > size) {
                PyErr_SetString(PyExc_ValueError, "spans: a hit past the end of the text");
                goto fail;
            }
            Py_ssize_t added = lead_starts(kind, bytes, (Py_ssize_t)h->to, h->rule, &buf, &count,
                                           &cap);
            if (added < 0) goto fail;
            continue;
        }
        const unsigned char *alphabet;
        if (kind_alphabet(kind, &alphabet, NULL) < 0) goto fail;
        long code = PyLong_AsLong(PyTuple_GET_ITEM(kind, 0));
        Py_ssize_t a = PyLong_AsSsize_t(PyTuple_GET_ITEM(kind, 1));
        Py_ssize_t b = PyLong_AsSsize_t(PyTuple_GET_ITEM(kind, 2));
        if (PyErr_Occurred()) goto fail;
        Py_ssize_t end = (Py_ssize_t)h->to, start;
        if (end > size) {
            PyErr_SetString(PyExc_ValueError, "spans: a hit past the end of the text");
            goto fail;
        }
        if (code == LOCATE_LEAD) {
            PyObject *key = PyLong_FromUnsignedLong(h->rule);
            PyObject *e = PyLong_FromSsize_t(end);
            PyObject *list = key ? PyDict_GetItemWithError(lead_ends, key) : NULL;
            int bad = key == NULL || e == NULL || PyErr_Occurred();
            if (!bad && list == NULL) {
                list = PyList_New(0);
                bad = list == NULL || PyDict_SetItem(lead_ends, key, list) < 0;
                Py_XDECREF(list); /* the dict holds it */
            }
            bad = bad || PyList_Append(list, e) < 0;
            Py_XDECREF(key);
            Py_XDECREF(e);
            if (bad) goto fail;
            continue;
        }
        if (code == LOCATE_BACK) {
            start = end > a ? end - a : 0;
        } else if (code == LOCATE_REACH) {
            start = end > a ? end - a : 0;
            end = end + b < size ? end + b : size;
        } else {
            start = (Py_ssize_t)h->from;
        }
        Py_ssize_t from = end;
        if (code == LOCATE_BACK && alphabet != NULL) {
            while (from > start && bytes[from - 1] < 128 && alphabet[bytes[from - 1]]) from--;
        } else {
            from = start;
        }
        if (count == cap && grow_spans(&buf, &cap) < 0) goto fail;
        buf[count].rule = h->rule;
        buf[count].start = start;
        buf[count].end = end;
        buf[count].from = from;
        count++;
    }
    qsort(buf, (size_t)count, sizeof(Span), span_order);
    /* matcher._merge, rule by rule */
    for (Py_ssize_t i = 0; i < count;) {
        unsigned int rule = buf[i].rule;
        PyObject *kind = PyList_GET_ITEM(kinds, rule);
        if (PyTuple_GET_SIZE(kind) == 6) { /* a LEAD rule's starts, each once, in order */
            PyObject *list = PyList_New(0);
            if (list == NULL) goto fail;
            Py_ssize_t j = i;
            for (; j < count && buf[j].rule == rule; j++) {
                if (j > i && buf[j].start == buf[j - 1].start) continue;
                PyObject *t = pair(buf[j].start, match_at_mark);
                if (t == NULL || PyList_Append(list, t) < 0) {
                    Py_XDECREF(t);
                    Py_DECREF(list);
                    goto fail;
                }
                Py_DECREF(t);
            }
            PyObject *key = PyLong_FromUnsignedLong(rule);
            int bad = key == NULL || PyDict_SetItem(windows, key, list) < 0;
            Py_XDECREF(key);
            Py_DECREF(list);
            if (bad) goto fail;
            i = j;
            continue;
        }
        const unsigned char *alphabet;
        int needed;
        if (kind_alphabet(kind, &alphabet, &needed) < 0) goto fail;
        long code = PyLong_AsLong(PyTuple_GET_ITEM(kind, 0));
        /* BACK's fifth field: whether a window may end before any non-word character */
        int split = code == LOCATE_BACK && alphabet != NULL && needed > 0;
        if (code != LOCATE_REACH) needed = -1;
        PyObject *list = PyList_New(0);
        if (list == NULL) goto fail;
        Py_ssize_t ms = buf[i].from, me = buf[i].end;
        Py_ssize_t j = i;
        for (;;) {
            j++;
            int same = j < count && buf[j].rule == rule;
            if (same && buf[j].start <= me &&
                !(split && buf[j].from > me && me < size && !word_byte(bytes[me]))) {
                if (buf[j].end > me) me = buf[j].end;
                continue; /* (its `from` is no less than the first's: both grow with end) */
            }
            /* [ms, me) is merged */
            Py_ssize_t a = ms, b = me;
            if (needed < 0 || alphabet == NULL || cut_to_needed(bytes, alphabet, needed, &a, &b)) {
                PyObject *t = pair(a, b);
                if (t == NULL || PyList_Append(list, t) < 0) {
                    Py_XDECREF(t);
                    Py_DECREF(list);
                    goto fail;
                }
                Py_DECREF(t);
            }
            if (!same) break;
            ms = buf[j].from;
            me = buf[j].end;
        }
        int bad = 0;
        if (PyList_GET_SIZE(list) > 0) {
            PyObject *key = PyLong_FromUnsignedLong(rule);
            bad = key == NULL || PyDict_SetItem(windows, key, list) < 0;
            Py_XDECREF(key);
        }
        Py_DECREF(list);
        if (bad) goto fail;
        i = j;
    }
    PyMem_Free(buf);
    PyObject *result = PyTuple_Pack(2, windows, lead_ends);
    Py_DECREF(windows);
    Py_DECREF(lead_ends);
    return result;
fail:
    PyMem_Free(buf);
    Py_XDECREF(windows);
    Py_XDECREF(lead_ends);
    return NULL;
}

/* ---- the name recogniser's capitalised-word scan: names.NameRecognizer._events ------------- */

/* [^\W\d_] of Python's `re` on str patterns: alphanumeric, not a decimal digit, not '_' */
static int name_letter(Py_UCS4 c) {
    if (c < 128) return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
    return Py_UNICODE_ISALNUM(c) && !Py_UNICODE_ISDECIMAL(c);
}

/* The same per Latin-1 character, for one-byte texts (the usual case): LETTER, and START
 * (a letter that can begin a match of names._UNICODE_CAP: not a-z). Filled at import. */
enum { NAME_LETTER = 1, NAME_START = 2 };
static unsigned char latin1_name[256];

static void fill_latin1_name(void) {
    for (Py_UCS4 c = 0; c < 256; c++) {
        int letter = name_letter(c);
        latin1_name[c] = (letter ? NAME_LETTER : 0) |
                         (letter && !(c >= 'a' && c <= 'z') ? NAME_START : 0);
    }
}

/* the next position from i where a match can begin */
static Py_ssize_t next_name_start(const Text *t, Py_ssize_t i) {
    if (t->kind == PyUnicode_1BYTE_KIND) {
        const Py_UCS1 *d = t->data;
        while (i < t->len && !(latin1_name[d[i]] & NAME_START)) i++;
        return i;
    }
    for (; i < t->len; i++) {
        Py_UCS4 c = CH(t, i);
        if (name_letter(c) && !(c >= 'a' && c <= 'z')) break;
    }
    return i;
}

/* the end of the letters from i */
static Py_ssize_t name_letters_end(const Text *t, Py_ssize_t i) {
    if (t->kind == PyUnicode_1BYTE_KIND) {
        const Py_UCS1 *d = t->data;
        while (i < t->len && (latin1_name[d[i]] & NAME_LETTER)) i++;
        return i;
    }
    while (i < t->len && name_letter(CH(t, i))) i++;
    return i;
}

static int name_space(Py_UCS4 c) { return c == ' ' || c == '\t'; }

/* names._JOINER.fullmatch(text, a, b) for b - a >= 2: one or two spaces or tabs, then any
 * number of (a particle, one or two spaces or tabs). 1 joined, 0 not, -1 error. */
static int joined_by(const Text *t, PyObject *text, Py_ssize_t a, Py_ssize_t b,
                     PyObject *particles) {
    Py_ssize_t i = a;
    for (;;) {
        Py_ssize_t w = i;
        while (i < b && name_space(CH(t, i))) i++;
        if (i - w < 1 || i - w > 2) return 0;
        if (i == b) return 1;
        Py_ssize_t p = i;
        while (i < b && !name_space(CH(t, i))) i++;
        if (i == b) return 0;
        PyObject *word = PyUnicode_Substring(text, p, i);
        if (word == NULL) return -1;
        int in = PySet_Contains(particles, word);
        Py_DECREF(word);
        if (in <= 0) return in;
    }
}

/* "'s" or "’s" at the end of a word */
static int possessive(PyObject *word) {
    Py_ssize_t n = PyUnicode_GET_LENGTH(word);
    if (n < 2 || PyUnicode_READ_CHAR(word, n - 1) != 's') return 0;
    Py_UCS4 q = PyUnicode_READ_CHAR(word, n - 2);
    return q == '\'' || q == 0x2019;
}

static int flag(PyObject *facts, Py_ssize_t i) { return PyObject_IsTrue(PyTuple_GET_ITEM(facts, i)); }

static PyObject *pack2(Py_ssize_t start, PyObject *b) {
    PyObject *a = PyLong_FromSsize_t(start), *tuple = a ? PyTuple_New(2) : NULL;
    if (tuple == NULL) {
        Py_XDECREF(a);
        return NULL;
    }
    PyTuple_SET_ITEM(tuple, 0, a);
    PyTuple_SET_ITEM(tuple, 1, Py_NewRef(b));
    return tuple;
}

/* name_events(text, facts, remember, particles) -> (events, and_sons): what
 * names.NameRecognizer._events returns, in the same order: a run of capitalised words as a
 * list of (start, facts), a capitalised word that starts no run but may matter as (start,
 * facts, adjacent); and_sons: whether a word's facts[10] was true. `facts` is the
 * recogniser's cache {raw word: facts tuple}; `remember(raw)` fills it on a miss. */
static PyObject *name_events(PyObject *self, PyObject *args) {
    PyObject *text, *cache, *remember, *particles;
    if (!PyArg_ParseTuple(args, "UO!OO!", &text, &PyDict_Type, &cache, &remember,
                          &PyFrozenSet_Type, &particles))
        return NULL;
    Text t = {PyUnicode_KIND(text), PyUnicode_DATA(text), PyUnicode_GET_LENGTH(text)};
    PyObject *events = PyList_New(0), *run = NULL, *facts = NULL, *item = NULL;
    if (events == NULL) return NULL;
    PyObject *last_key = NULL; /* the key of the run's last word (borrowed: the run holds it) */
    Py_ssize_t prev_end = -1, skipped_end = -2, i = 0;
    int prev_stop = 0, and_sons = 0;
    while ((i = next_name_start(&t, i)) < t.len) {
        Py_UCS4 c = CH(&t, i);
        /* _UNICODE_CAP: a letter, letters, an apostrophe and letters, a full stop */
        Py_ssize_t start = i, end = name_letters_end(&t, i + 1);
        if (end + 1 < t.len && (CH(&t, end) == '\'' || CH(&t, end) == 0x2019) &&
            name_letter(CH(&t, end + 1)))
            end = name_letters_end(&t, end + 2);
        if (end < t.len && CH(&t, end) == '.') end++;
        i = end;
        if (!Py_UNICODE_ISUPPER(c)) continue;
        int joined = 0;
        if (run != NULL && !prev_stop) {
            Py_ssize_t gap = start - prev_end;
            if (gap == 1) {
                Py_UCS4 g = CH(&t, prev_end);
                joined = g == ' ' || g == '-';
            } else if (gap >= 2 && gap <= 12) {
                joined = joined_by(&t, text, prev_end, start, particles);
                if (joined < 0) goto error;
            }
        }
        PyObject *raw = PyUnicode_Substring(text, start, end);
        if (raw == NULL) goto error;
        facts = PyDict_GetItemWithError(cache, raw);
        if (facts != NULL) {
            Py_INCREF(facts);
        } else if (!PyErr_Occurred()) {
            facts = PyObject_CallOneArg(remember, raw);
        }
        Py_DECREF(raw);
        if (facts == NULL) goto error;
        if (!PyTuple_Check(facts) || PyTuple_GET_SIZE(facts) < 11) {
            PyErr_SetString(PyExc_TypeError, "word facts: a tuple of eleven");
            goto error;
        }
        Py_ssize_t length = PyLong_AsSsize_t(PyTuple_GET_ITEM(facts, 1));
        if (length == -1 && PyErr_Occurred()) goto error;
        int cannot_start = flag(facts, 6), title = flag(facts, 2), stop = flag(facts, 7);
        int cue = flag(facts, 9), sons = flag(facts, 10);
        if (cannot_start < 0 || title < 0 || stop < 0 || cue < 0 || sons < 0) goto error;
        and_sons |= sons;
        if (!joined) {
            if (run != NULL) {
                if (PyList_Append(events, run) < 0) goto error;
                Py_CLEAR(run);
            }
            if (cannot_start) {
                int adjacent = start == skipped_end + 1;
                if (adjacent || cue) {
                    item = PyTuple_New(3);
                    if (item == NULL) goto error;
                    PyObject *at = PyLong_FromSsize_t(start);
                    if (at == NULL) goto error;
                    PyTuple_SET_ITEM(item, 0, at);
                    PyTuple_SET_ITEM(item, 1, Py_NewRef(facts));
                    PyTuple_SET_ITEM(item, 2, Py_NewRef(adjacent ? Py_True : Py_False));
                    if (PyList_Append(events, item) < 0) goto error;
                    Py_CLEAR(item);
                }
                skipped_end = start + length;
                Py_CLEAR(facts);
                continue;
            }
        }
        if (run != NULL && (title || possessive(last_key))) {
            if (PyList_Append(events, run) < 0) goto error;
            Py_CLEAR(run);
        }
        if (run == NULL && (run = PyList_New(0)) == NULL) goto error;
        item = pack2(start, facts);
        if (item == NULL || PyList_Append(run, item) < 0) goto error;
        Py_CLEAR(item);
        last_key = PyTuple_GET_ITEM(facts, 0);
        if (!PyUnicode_Check(last_key)) {
            PyErr_SetString(PyExc_TypeError, "word facts: the key first");
            goto error;
        }
        prev_stop = stop;
        prev_end = end;
        Py_CLEAR(facts);
    }
    if (run != NULL && PyList_Append(events, run) < 0) goto error;
    Py_XDECREF(run);
    PyObject *both = PyTuple_New(2);
    if (both == NULL) {
        Py_DECREF(events);
        return NULL;
    }
    PyTuple_SET_ITEM(both, 0, events);
    PyTuple_SET_ITEM(both, 1, Py_NewRef(and_sons ? Py_True : Py_False));
    return both;
error:
    Py_XDECREF(item);
    Py_XDECREF(facts);
    Py_XDECREF(run);
    Py_DECREF(events);
    return NULL;
}

/* names._NOT_WORD's complement after str.lower: [a-z0-9_'] */
static int before_word_char(Py_UCS4 c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '_' || c == '\'';
}
static int before_letter(Py_UCS4 c) { /* names._LETTERS: [a-z'] after str.lower */
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '\'';
}

static PyObject *lower_ascii_str(const Text *t, Py_ssize_t a, Py_ssize_t b) {
    PyObject *s = PyUnicode_New(b - a, 127);
    if (s == NULL) return NULL;
    Py_UCS1 *out = PyUnicode_1BYTE_DATA(s);
    for (Py_ssize_t i = a; i < b; i++) out[i - a] = (Py_UCS1)lower_ascii(CH(t, i));
    return s;
}

/* context_before(text, start) -> (word, phrase) | None: names._context_before for an ASCII
 * window (the 30 characters before `start`); None where the window holds other characters
 * (their str.lower is Unicode's: the caller runs the Python function). */
static PyObject *context_before(PyObject *self, PyObject *args) {
    PyObject *text;
    Py_ssize_t start;
    if (!PyArg_ParseTuple(args, "Un", &text, &start)) return NULL;
    Text t = {PyUnicode_KIND(text), PyUnicode_DATA(text), PyUnicode_GET_LENGTH(text)};
    if (start < 0 || start > t.len) {
        PyErr_SetString(PyExc_ValueError, "start out of the text");
        return NULL;
    }
    Py_ssize_t lo = start - 30 > 0 ? start - 30 : 0;
    if (!all_ascii(&t, lo, start)) Py_RETURN_NONE;
    /* the last piece of the split, after dropping one empty piece at the end */
    Py_ssize_t e1 = start;
    while (e1 > lo && !before_word_char(CH(&t, e1 - 1))) e1--;
    Py_ssize_t s1 = e1;
    while (s1 > lo && before_word_char(CH(&t, s1 - 1))) s1--;
    for (Py_ssize_t i = s1; i < e1; i++)
        if (!before_letter(CH(&t, i))) s1 = e1; /* a number or an identifier: nothing */
    if (s1 == e1) return Py_BuildValue("(ss)", "", "");
    PyObject *word = lower_ascii_str(&t, s1, e1);
    if (word == NULL) return NULL;
    Py_ssize_t e2 = s1;
    while (e2 > lo && !before_word_char(CH(&t, e2 - 1))) e2--;
    Py_ssize_t s2 = e2;
    while (s2 > lo && before_word_char(CH(&t, s2 - 1))) s2--;
    int ok = s2 < e2;
    for (Py_ssize_t i = s2; i < e2 && ok; i++)
        if (!before_letter(CH(&t, i))) ok = 0;
    PyObject *phrase;
    if (!ok) {
        phrase = PyUnicode_New(0, 127);
    } else {
        /* "<word before> <word>" */
        Py_ssize_t n2 = e2 - s2, n1 = e1 - s1;
        phrase = PyUnicode_New(n2 + 1 + n1, 127);
        if (phrase != NULL) {
            Py_UCS1 *out = PyUnicode_1BYTE_DATA(phrase);
            for (Py_ssize_t i = 0; i < n2; i++) out[i] = (Py_UCS1)lower_ascii(CH(&t, s2 + i));
            out[n2] = ' ';
            memcpy(out + n2 + 1, PyUnicode_1BYTE_DATA(word), n1);
        }
    }
    if (phrase == NULL) {
        Py_DECREF(word);
        return NULL;
    }
    PyObject *pair_ = PyTuple_Pack(2, word, phrase);
    Py_DECREF(word);
    Py_DECREF(phrase);
    return pair_;
}

/* configure(finding_cls, fields, context_words, adjacent_words, round_score, rounded,
 *           match_at, whole_text, boost, penalty): `fields`, the Finding's six slot names if
 * it may be built slot by slot, else None (its __init__ is called). */
static PyObject *configure(PyObject *self, PyObject *args) {
    PyObject *cls, *fields, *cw, *aw, *rs, *rd;
    long ma, wt;
    double boost, penalty;
    if (!PyArg_ParseTuple(args, "O!OOOOO!lldd", &PyType_Type, &cls, &fields, &cw, &aw, &rs,
                          &PyDict_Type, &rd, &ma, &wt, &boost, &penalty))
        return NULL;
    finding_direct = 0;
    if (fields != Py_None) {
        if (!PyTuple_Check(fields) || PyTuple_GET_SIZE(fields) != 6) {
            PyErr_SetString(PyExc_TypeError, "fields: six names or None");
            return NULL;
        }
        for (int i = 0; i < 6; i++) {
            PyObject *name = PyTuple_GET_ITEM(fields, i);
            if (!PyUnicode_Check(name)) {
                PyErr_SetString(PyExc_TypeError, "fields: six names or None");
                return NULL;
            }
            Py_XSETREF(finding_fields[i], Py_NewRef(name));
        }
        finding_direct = 1;
    }
    Py_XSETREF(finding_cls, Py_NewRef(cls));
    Py_XSETREF(py_context_words, Py_NewRef(cw));
    Py_XSETREF(py_adjacent_words, Py_NewRef(aw));
    Py_XSETREF(py_round_score, Py_NewRef(rs));
    Py_XSETREF(rounded_cache, Py_NewRef(rd));
    match_at_mark = ma;
    whole_text_mark = wt;
    context_boost = boost;
    negative_penalty = penalty;
    Py_RETURN_NONE;
}

/* entropy(value): validators.shannon_entropy of an ASCII value, None otherwise. The same
 * operations in the same order as the Python original (Counter's order: first occurrences;
 * math.log2 is libm's log2; sum() adds left to right), so the same float. */
static PyObject *entropy(PyObject *self, PyObject *value) {
    if (!PyUnicode_Check(value)) {
        PyErr_SetString(PyExc_TypeError, "entropy(str)");
        return NULL;
    }
    if (!PyUnicode_IS_ASCII(value)) Py_RETURN_NONE;
    Py_ssize_t n = PyUnicode_GET_LENGTH(value);
    if (n == 0) return PyFloat_FromDouble(0.0);
    const unsigned char *s = PyUnicode_1BYTE_DATA(value);
    Py_ssize_t counts[128] = {0};
    unsigned char order[128];
    int distinct = 0;
    for (Py_ssize_t i = 0; i < n; i++)
        if (counts[s[i]]++ == 0) order[distinct++] = s[i];
    double total = 0.0;
    for (int k = 0; k < distinct; k++) {
        double p = (double)counts[order[k]] / (double)n;
        double term = p * log2(p);
        total += term; /* (sum() starts from 0: 0.0 + the first term) */
    }
    return PyFloat_FromDouble(-total);
}

/* set_tables(iban_lengths, card_ranges): the validators' tables, from validators.py.
 * iban_lengths: {country code: length}; card_ranges: ((low, high, lengths), ...), each range's
 * bounds of one width. */
static PyObject *set_tables(PyObject *self, PyObject *args) {
    PyObject *lengths, *ranges;
    if (!PyArg_ParseTuple(args, "O!O!", &PyDict_Type, &lengths, &PyTuple_Type, &ranges))
        return NULL;
    unsigned char table[26 * 26] = {0};
    PyObject *key, *value;
    Py_ssize_t pos = 0;
    while (PyDict_Next(lengths, &pos, &key, &value)) {
        long n = PyLong_AsLong(value);
        if (n == -1 && PyErr_Occurred()) return NULL;
        const char *code = PyUnicode_Check(key) ? PyUnicode_AsUTF8(key) : NULL;
        if (code == NULL || strlen(code) != 2 || code[0] < 'A' || code[0] > 'Z' ||
            code[1] < 'A' || code[1] > 'Z' || n < 1 || n > 64) {
            PyErr_SetString(PyExc_ValueError, "iban_lengths: {'AA': 1..64}");
            return NULL;
        }
        table[(code[0] - 'A') * 26 + (code[1] - 'A')] = (unsigned char)n;
    }
    Py_ssize_t count = PyTuple_GET_SIZE(ranges);
    if (count > 64) {
        PyErr_SetString(PyExc_ValueError, "card_ranges: at most 64");
        return NULL;
    }
    CardRange parsed[64];
    for (Py_ssize_t k = 0; k < count; k++) {
        PyObject *lengths_of;
        CardRange *r = &parsed[k];
        if (!PyArg_ParseTuple(PyTuple_GET_ITEM(ranges, k), "llO!", &r->low, &r->high,
                              &PyTuple_Type, &lengths_of))
            return NULL;
        char low[32], high[32];
        snprintf(low, sizeof low, "%ld", r->low);
        snprintf(high, sizeof high, "%ld", r->high);
        if (r->low < 1 || r->high < r->low || strlen(low) != strlen(high)) {
            PyErr_SetString(PyExc_ValueError, "card_ranges: bounds of one width");
            return NULL;
        }
        r->width = (int)strlen(low);
        r->lengths = 0;
        for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(lengths_of); i++) {
            long n = PyLong_AsLong(PyTuple_GET_ITEM(lengths_of, i));
            if (n < 1 || n > 31) {
                if (!PyErr_Occurred()) PyErr_SetString(PyExc_ValueError, "card lengths: 1..31");
                return NULL;
            }
            r->lengths |= 1u << n;
        }
    }
    memcpy(iban_lengths, table, sizeof table);
    iban_lengths_set = 1;
    memcpy(card_ranges, parsed, sizeof parsed);
    card_range_n = (int)count;
    Py_RETURN_NONE;
}

/* The C validators alone, for the tests that compare them with the Python ones. */
static PyObject *check(PyObject *self, PyObject *args) {
    long code;
    PyObject *value;
    if (!PyArg_ParseTuple(args, "lU", &code, &value)) return NULL;
    Text t = {PyUnicode_KIND(value), PyUnicode_DATA(value), PyUnicode_GET_LENGTH(value)};
    if (!all_ascii(&t, 0, t.len)) return PyLong_FromLong(-1);
    int got;
    switch (code) {
    case V_CARD: got = check_card(&t, 0, t.len); break;
    case V_SSN: got = check_ssn(&t, 0, t.len); break;
    case V_IPV4: got = check_ipv4(&t, 0, t.len); break;
    case V_PHONE: got = check_phone(&t, 0, t.len); break;
    case V_IBAN: got = check_iban(&t, 0, t.len); break;
    case V_AADHAAR: got = check_aadhaar(&t, 0, t.len); break;
    case V_CA_SIN: got = check_ca_sin(&t, 0, t.len); break;
    case V_AU_TFN: got = check_au_tfn(&t, 0, t.len); break;
    case V_AU_ABN: got = check_au_abn(&t, 0, t.len); break;
    case V_FR_NIR: got = check_fr_nir(&t, 0, t.len); break;
    case V_IPV6: got = check_ipv6(&t, 0, t.len); break;
    case V_NOT_EXAMPLE: got = check_not_example(&t, 0, t.len); break;
    case R_STRONG_PHONE: got = strong_phone(&t, 0, t.len); break;
    case R_CARD_ISSUER: got = card_issuer(&t, 0, t.len); break;
    default: got = -1;
    }
    return PyLong_FromLong(got);
}

/* words(text, start, end, adjacent): context_words / adjacent_words, for the tests. */
static PyObject *words(PyObject *self, PyObject *args) {
    PyObject *text;
    Py_ssize_t start, end;
    int adjacent;
    if (!PyArg_ParseTuple(args, "Unnp", &text, &start, &end, &adjacent)) return NULL;
    if (py_context_words == NULL) {
        PyErr_SetString(PyExc_RuntimeError, "configure() first");
        return NULL;
    }
    Text t = {PyUnicode_KIND(text), PyUnicode_DATA(text), PyUnicode_GET_LENGTH(text)};
    if (start < 0 || end < start || end > t.len) {
        PyErr_SetString(PyExc_ValueError, "span out of the text");
        return NULL;
    }
    return words_near(&t, text, start, end, adjacent, 0);
}

/* ---- overlapping findings: engine.resolve_overlaps ------------------------------------------ */

typedef struct {
    double score;
    Py_ssize_t start, end, index;
} Ranked;

/* engine.resolve_overlaps' order: (-score, start - end, start), stable (then the index) */
static int ranked_order(const void *pa, const void *pb) {
    const Ranked *a = pa, *b = pb;
    if (a->score != b->score) return a->score > b->score ? -1 : 1;
    if (a->start - a->end != b->start - b->end) return a->start - a->end < b->start - b->end ? -1 : 1;
    if (a->start != b->start) return a->start < b->start ? -1 : 1;
    return a->index < b->index ? -1 : (a->index > b->index);
}

static PyObject *str_score = NULL, *str_start = NULL;

static int read_ranked(PyObject *f, Py_ssize_t index, Ranked *r) {
    PyObject *score = PyObject_GetAttr(f, str_score);
    if (score == NULL) return -1;
    r->score = PyFloat_AsDouble(score);
    Py_DECREF(score);
    if (r->score == -1.0 && PyErr_Occurred()) return -1;
    PyObject *start = PyObject_GetAttr(f, str_start);
    if (start == NULL) return -1;
    r->start = PyLong_AsSsize_t(start);
    Py_DECREF(start);
    if (r->start == -1 && PyErr_Occurred()) return -1;
    PyObject *end = PyObject_GetAttr(f, str_end);
    if (end == NULL) return -1;
    r->end = PyLong_AsSsize_t(end);
    Py_DECREF(end);
    if (r->end == -1 && PyErr_Occurred()) return -1;
    r->index = index;
    return 0;
}

/* resolve(found) -> the findings kept: what engine.resolve_overlaps returns (the most
 * confident of overlapping findings, then the longest, then the first; in text order). */
static PyObject *resolve(PyObject *self, PyObject *found) {
    if (!PyList_Check(found)) {
        PyErr_SetString(PyExc_TypeError, "resolve(list of findings)");
        return NULL;
    }
    Py_ssize_t n = PyList_GET_SIZE(found);
    if (n == 1) return Py_NewRef(found);
    Ranked *ranked = PyMem_Malloc((size_t)(n ? n : 1) * sizeof(Ranked));
    Ranked *kept = PyMem_Malloc((size_t)(n ? n : 1) * sizeof(Ranked)); /* sorted by start */
    if (ranked == NULL || kept == NULL) {
        PyMem_Free(ranked);
        PyMem_Free(kept);
        return PyErr_NoMemory();
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        if (read_ranked(PyList_GET_ITEM(found, i), i, &ranked[i]) < 0) {
            PyMem_Free(ranked);
            PyMem_Free(kept);
            return NULL;
        }
    }
    qsort(ranked, (size_t)n, sizeof(Ranked), ranked_order);
    Py_ssize_t count = 0;
    for (Py_ssize_t r = 0; r < n; r++) {
        const Ranked *f = &ranked[r];
        Py_ssize_t lo = 0, hi = count; /* bisect_left over the kept starts */
        while (lo < hi) {
            Py_ssize_t mid = (lo + hi) / 2;
            if (kept[mid].start < f->start) lo = mid + 1;
            else hi = mid;
        }
        if (lo > 0 && kept[lo - 1].end > f->start) continue;
        if (lo < count && kept[lo].start < f->end) continue;
        memmove(&kept[lo + 1], &kept[lo], (size_t)(count - lo) * sizeof(Ranked));
        kept[lo] = *f;
        count++;
    }
    PyObject *out = PyList_New(count);
    if (out != NULL) {
        for (Py_ssize_t i = 0; i < count; i++)
            PyList_SET_ITEM(out, i, Py_NewRef(PyList_GET_ITEM(found, kept[i].index)));
    }
    PyMem_Free(ranked);
    PyMem_Free(kept);
    return out;
}

static PyMethodDef methods[] = {
    {"confirm", (PyCFunction)(void (*)(void))confirm, METH_FASTCALL,
     "confirm(spec, windows, text, ctx_cache, adj_cache, min_score, out)"},
    {"confirm_all", (PyCFunction)(void (*)(void))confirm_all, METH_FASTCALL,
     "confirm_all(specs, hits, text, min_score, out): Engine.confirmed"},
    {"configure", configure, METH_VARARGS, "register the engine's helpers"},
    {"check", check, METH_VARARGS, "check(code, value): a C validator (-1: ask Python)"},
    {"set_tables", set_tables, METH_VARARGS, "set_tables(iban_lengths, card_ranges)"},
    {"entropy", entropy, METH_O, "entropy(value): validators.shannon_entropy, None if not ASCII"},
    {"program_spans", program_spans, METH_VARARGS,
     "program_spans(program, text, a, b): what re.finditer(text, a, b) spans"},
    {"words", words, METH_VARARGS, "words(text, start, end, adjacent)"},
    {"spans", spans, METH_VARARGS, "spans(hits, kinds, size, data) -> (windows, lead_ends)"},
    {"resolve", resolve, METH_O, "resolve(found): engine.resolve_overlaps"},
    {"hs_load", hs_load, METH_O, "hs_load(names): libhs's version once loaded, else None"},
    {"register_words", register_words, METH_O, "register_words(words): a rule's context words"},
    {"hs_compile", hs_compile, METH_VARARGS, "hs_compile(expressions, ids, flags) -> blob"},
    {"context_before", context_before, METH_VARARGS,
     "context_before(text, start): the words before a name, or None (not ASCII)"},
    {"name_events", name_events, METH_VARARGS,
     "name_events(text, facts, remember, particles): the name recogniser's runs"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_native", "Compiled confirmation of DLP pattern hits.", -1, methods,
    NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit__native(void) {
    str_span = PyUnicode_InternFromString("span");
    str_end = PyUnicode_InternFromString("end");
    str_finditer = PyUnicode_InternFromString("finditer");
    str_match = PyUnicode_InternFromString("match");
    str_score = PyUnicode_InternFromString("score");
    str_start = PyUnicode_InternFromString("start");
    if (!str_span || !str_end || !str_finditer || !str_match || !str_score || !str_start)
        return NULL;
    if (PyType_Ready(&HitsType) < 0 || PyType_Ready(&HsDatabaseType) < 0) return NULL;
    fill_latin1_name();
    PyObject *m = PyModule_Create(&module);
    if (m == NULL) return NULL;
    Py_INCREF(&HitsType);
    if (PyModule_AddObject(m, "Hits", (PyObject *)&HitsType) < 0) {
        Py_DECREF(&HitsType);
        Py_DECREF(m);
        return NULL;
    }
    Py_INCREF(&HsDatabaseType);
    if (PyModule_AddObject(m, "HsDatabase", (PyObject *)&HsDatabaseType) < 0) {
        Py_DECREF(&HsDatabaseType);
        Py_DECREF(m);
        return NULL;
    }
    if (PyModule_AddIntConstant(m, "API", NATIVE_API) < 0 ||
        PyModule_AddIntConstant(m, "V_CARD", V_CARD) < 0 ||
        PyModule_AddIntConstant(m, "V_SSN", V_SSN) < 0 ||
        PyModule_AddIntConstant(m, "V_IPV4", V_IPV4) < 0 ||
        PyModule_AddIntConstant(m, "V_PHONE", V_PHONE) < 0 ||
        PyModule_AddIntConstant(m, "V_IBAN", V_IBAN) < 0 ||
        PyModule_AddIntConstant(m, "V_AADHAAR", V_AADHAAR) < 0 ||
        PyModule_AddIntConstant(m, "V_CA_SIN", V_CA_SIN) < 0 ||
        PyModule_AddIntConstant(m, "V_AU_TFN", V_AU_TFN) < 0 ||
        PyModule_AddIntConstant(m, "V_AU_ABN", V_AU_ABN) < 0 ||
        PyModule_AddIntConstant(m, "V_FR_NIR", V_FR_NIR) < 0 ||
        PyModule_AddIntConstant(m, "V_IPV6", V_IPV6) < 0 ||
        PyModule_AddIntConstant(m, "V_NOT_EXAMPLE", V_NOT_EXAMPLE) < 0 ||
        PyModule_AddIntConstant(m, "R_STRONG_PHONE", R_STRONG_PHONE) < 0 ||
        PyModule_AddIntConstant(m, "R_CARD_ISSUER", R_CARD_ISSUER) < 0 ||
        PyModule_AddIntConstant(m, "LOCATE_SOM", LOCATE_SOM) < 0 ||
        PyModule_AddIntConstant(m, "LOCATE_BACK", LOCATE_BACK) < 0 ||
        PyModule_AddIntConstant(m, "LOCATE_REACH", LOCATE_REACH) < 0 ||
        PyModule_AddIntConstant(m, "LOCATE_LEAD", LOCATE_LEAD) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
