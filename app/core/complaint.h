/* complaint.h - complaints and their closed-loop workflow (受理 → 判断 →
 * 调查 → 处理方案 → 实施 → 回访). A complaint gets a reference a person can
 * read aloud and type on a keypad: 13 digits YYMMDD + terminal (3) + sequence
 * of the day (3) + a Damm check digit, shown as 261123-001-007-4. It is issued
 * offline and unique across branches because terminal numbers are. Feedback
 * is due 24 hours after it was received. */
#ifndef FD_COMPLAINT_H
#define FD_COMPLAINT_H
#include <stdint.h>

#include "fderr.h"
#include "store.h"

#define COMPLAINT_DESC_MAX 1000  /* characters */
#define COMPLAINT_NAME_MAX 40
#define COMPLAINT_NOTE_MAX 500
#define COMPLAINT_REF_LEN 13     /* digits */
#define COMPLAINT_FEEDBACK_S (24 * 3600)

struct complaint_in {
    const char *category;      /* a slug from complaint_category() */
    const char *description;   /* required */
    const char *contact_name;  /* optional: the visitor may stay anonymous */
    const char *contact_phone; /* optional */
    int consent;               /* required when a contact is given */
    int64_t ticket_id;         /* the ticket it is about, 0 = none */
};

struct complaint {
    int64_t id;
    char ref[COMPLAINT_REF_LEN + 1];
    char category[24];
    char description[COMPLAINT_DESC_MAX * 4 + 1];
    char contact_name[COMPLAINT_NAME_MAX * 4 + 1];
    char contact_phone[24];
    int consent;
    int64_t ticket_id;
    int64_t received_at, feedback_due, updated_at;
    char severity[12];         /* "", ordinary, serious */
    int valid;                 /* -1 not assessed, 0 invalid, 1 valid */
    char state[16];
    char department[COMPLAINT_NAME_MAX * 4 + 1];
    char resolution[COMPLAINT_NOTE_MAX * 4 + 1];
    char close_reason[COMPLAINT_NOTE_MAX * 4 + 1];
    char stat_category[24];
};

/* A workflow step and what it carries; unused fields NULL/0. */
struct complaint_step {
    const char *to;            /* assessed investigating proposed resolved closed */
    const char *actor;         /* who, required */
    const char *severity;      /* for assessed: ordinary | serious */
    int invalid;               /* for closed from received: not a valid complaint */
    const char *department;    /* for investigating */
    const char *resolution;    /* for proposed */
    const char *close_reason;  /* for an invalid complaint */
    const char *stat_category; /* for closed: category for the statistics */
    const char *note;          /* optional, kept with the transition */
};

/* The complaint categories a visitor can pick: i-th slug, NULL past the end. */
const char *complaint_category(int i);

/* Files a complaint; fills *out (may be NULL). Returns 0, FD_EINVAL (field
 * named), FD_ENOTFOUND (ticket), FD_EFULL (999 complaints on this terminal
 * today) or FD_EDB. */
int complaint_file(struct fd_store *st, const struct complaint_in *in,
                   int64_t now, struct complaint *out, struct fd_err *err);

/* Moves a complaint along the workflow. Allowed: received → assessed (needs
 * severity) | closed (invalid, needs close_reason); assessed → investigating
 * (needs department); investigating → proposed (needs resolution); proposed →
 * resolved (customer confirmed) | investigating (customer declined); resolved
 * → closed (needs stat_category, after the follow-up). A serious assessment
 * writes an escalation to the audit log at once. Returns 0, FD_EINVAL,
 * FD_ENOTFOUND, FD_ESTATE or FD_EDB. */
int complaint_advance(struct fd_store *st, const char *ref,
                      const struct complaint_step *step, int64_t now,
                      struct complaint *out, struct fd_err *err);

/* Reads a complaint by reference (dashes and spaces ignored; the check digit
 * is verified first: FD_EINVAL when it does not match). */
int complaint_get(struct fd_store *st, const char *ref, struct complaint *out,
                  struct fd_err *err);

/* Reads complaint `id` (the store's row id). 0, FD_ENOTFOUND or FD_EDB. */
int complaint_get_id(struct fd_store *st, int64_t id, struct complaint *out,
                     struct fd_err *err);

/* Lists complaints received on business day `day` (NULL: all open ones).
 * *out malloc'd, free() it. */
int complaint_list(struct fd_store *st, const char *day, int64_t now,
                   struct complaint **out, int *n, struct fd_err *err);

/* Normalises `in` to 13 digits in `out` and checks the check digit.
 * Returns 0 or FD_EINVAL. */
int complaint_ref_parse(const char *in, char out[COMPLAINT_REF_LEN + 1]);

/* Formats 13 digits as "YYMMDD-TTT-SSS-C" (17 bytes with the NUL). */
void complaint_ref_format(const char *ref, char out[18]);

/* The Damm check digit of a string of digits. */
int complaint_damm(const char *digits);


/* The workflow fields head office owns once the kiosk is enrolled, as one
 * pulled change carries them. NULL text: state keeps the current one,
 * severity none, the others "". */
struct complaint_hq {
    const char *state;         /* one of the six states */
    const char *severity;      /* ordinary, serious, "" or NULL */
    int valid;                 /* 0, 1, or -1 for not set */
    const char *department;
    const char *resolution;
    const char *close_reason;
    const char *stat_category; /* "" or a complaint_category() slug */
    const char *note;          /* kept with the complaint_event */
    int64_t updated_at;        /* head office's time of the change, 0 = now */
};

/* Stores head office's status of complaint `ref` (13 digits) and adds a
 * complaint_event with actor "hq". Head office runs the workflow, so the
 * order of states is its own; each field is checked against core's rules
 * (known state, severity and category; text as typed text). Atomic (a
 * savepoint inside the caller's transaction when there is one). Returns 0,
 * FD_ENOTFOUND (not a complaint of this kiosk), FD_EINVAL (field named) or
 * FD_EDB. */
int complaint_set_hq(struct fd_store *st, const char *ref, const struct complaint_hq *h,
                     int64_t now, struct fd_err *err);

/* What complaint_set_hq checks of each field, without a store: head office
 * asks it before it takes a step, so that what it sends is what every
 * kiosk takes (a department of 41 characters would be refused at the
 * branch's pull, and the branch would never see the step). 0 or FD_EINVAL
 * (field named; err->limit set when a text is too long). */
int complaint_hq_check(const struct complaint_hq *h, struct fd_err *err);

#endif
