/* hq_invite.h - invitations at head office (issue 14): `frontdesk-hq invite
 * add|list|cancel`, the admin JSON (GET /v1/admin/invitations), the
 * "invitation" change each one sends down the pull to its branch, and the
 * marking of an invitation used when a kiosk's visitor record names it. The
 * code and every field follow core's rules (app/core/invite.h). This module
 * owns the `invitation` table (hq/schema/{sqlite,pg}/0007_invite.sql) and
 * reaches it only through the store's generic statement (sql) and
 * change_put, so one text serves both backends. */
#ifndef HQ_INVITE_H
#define HQ_INVITE_H
#include <cjson/cJSON.h>
#include <stddef.h>

#include "hq_store.h"

/* A new invitation: the fields core checks (invite_in) and the branch. */
struct hq_invite_new {
    const char *branch;       /* required, at most HQ_BRANCH_MAX bytes */
    const char *day, *name, *phone, *company, *purpose, *host;
    const char *by;           /* who invited ("" = head office) */
};

/* Stores an invitation with a fresh unique code, logs its change for the
 * branch's pull and audits it (invitation_add by `by`, else "hq"; the code,
 * branch and day, no name or phone), in one transaction. code gets the 10
 * digits. Returns HQ_OK, HQ_E_INVALID (msg: "field: why"; why, if not NULL,
 * core's report: the field, and the limit of a text too long) or a store
 * error. */
struct fd_err;
int hq_invite_add(struct hq_store *s, const struct hq_invite_new *in, long long now,
                  char code[16], char *msg, size_t msglen, struct fd_err *why);

/* Cancels an invitation not used yet and tells its branch. HQ_OK,
 * HQ_E_NOTFOUND (no such code), HQ_E_INVALID (already used or cancelled:
 * msg says) or a store error. */
int hq_invite_cancel(struct hq_store *s, const char *code, const char *by, long long now,
                     char *msg, size_t msglen);

/* Invitations (branch, day: NULL = all) as a JSON array, by day then name:
 * each {"code","shown","qr","branch","day","name","phone","company",
 * "purpose","host","state":"open|cancelled|used","created_at","used_at",
 * "used_device","uses","visitors":[{"device_id","id","badge",
 * "signed_in_at"}]}; uses > 1 is a code used at two kiosks (both visitors
 * kept). *out owned by the caller (cJSON_Delete). HQ_OK or a store error. */
int hq_invite_list(struct hq_store *s, const char *branch, const char *day, cJSON **out);

/* Marks used every invitation that a visitor record names and that is not
 * marked yet (the first visitor's kiosk), and tells the branch's kiosks
 * ("state":"used"), in one transaction. Called after a push that carried
 * such a visitor and by the server's upkeep (a crash between the two
 * leaves nothing lost: the visitor rows are the truth). Returns how many
 * were marked, or a negative store error. */
int hq_invite_mark_used(struct hq_store *s, long long now);

/* Personal data (issue 10's rules, called by hq_person.c): erases whole
 * invitations, their row and every earlier change of theirs in the pull log
 * (each copies the guest's name and phone), then logs one change
 * {"state":"erased"} per invitation so the branch's kiosks drop their copy.
 * Which: with phone set, every invitation of that guest (the phone as typed
 * or normalised as stored); with phone NULL, at most limit (>= 1) whose day
 * is before before_day (YYYY-MM-DD), oldest first. Only inside the
 * caller's transaction (begin .. commit: the deletes and the new changes
 * land together). *n = invitations erased. HQ_OK, HQ_E_INVALID or a store
 * error. */
int hq_invite_erase(struct hq_store *s, const char *phone, const char *before_day, int limit,
                    long long now, long long *n);

/* Every invitation of the guest with that phone (where "invitation", the
 * row as JSON) and every change in the pull log that copies one (where
 * "change", its JSON), to fn; a non-zero return stops and is returned.
 * HQ_OK or a store error. */
int hq_invite_pii_find(struct hq_store *s, const char *phone, hq_pii_fn fn, void *ctx);

/* Writes the QR code of `code` (the code alone, its only content) as a PNG
 * file (libqrencode, libpng). 0, or -1 with msg filled. */
int hq_invite_qr_png(const char *code, const char *path, char *msg, size_t msglen);

/* The same PNG in memory: *out (malloc'd, caller frees) of *len bytes.
 * 0, or -1 with msg filled. */
int hq_invite_qr_png_mem(const char *code, unsigned char **out, size_t *len, char *msg,
                         size_t msglen);

/* The branch of invitation `code` (typed or stored form) into branch.
 * HQ_OK, HQ_E_NOTFOUND (no such code) or a store error. */
int hq_invite_branch(struct hq_store *s, const char *code, char branch[HQ_BRANCH_MAX + 1]);

/* `frontdesk-hq [--db DB] invite add|list|cancel ...`: when argv's command
 * is "invite", runs it and returns the exit status (0 done, 1 refused or
 * failed, 2 usage); otherwise returns -1 and does nothing. */
int hq_invite_main(int argc, char **argv);

#endif
