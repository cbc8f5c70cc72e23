/* hq_notify.h - telling a host their visitor is here (issue 14). Head office
 * keeps each host's notification target (a WeCom, DingTalk or Feishu group
 * robot's webhook, or a mail address) beside the host directory, never in
 * what kiosks pull; a trigger queues one row per arrival in the push's
 * transaction (schema/.../0006_notify.sql); a sender thread in `serve`
 * claims due rows with a lease, sends through libcurl (HTTP or SMTP), and
 * marks them sent, or retries with backoff and gives up after a day. The
 * outcome goes down to the kiosk as a pull change of kind "notice". */
#ifndef HQ_NOTIFY_H
#define HQ_NOTIFY_H
#include <stddef.h>

#include "hq_store.h"

#define HQ_NOTIFY_TARGET_MAX 512   /* bytes of a webhook URL or mailto: target */
#define HQ_NOTIFY_GIVE_UP_S 86400  /* a message not sent a day after arrival is failed */

struct cJSON;

/* Checks a target: "mailto:ADDR" (ADDR a plain mail address), or an http(s)
 * URL of a WeCom (qyapi.weixin.qq.com/cgi-bin/webhook/send), DingTalk
 * (oapi.dingtalk.com/robot/send) or Feishu (open.feishu.cn/open-apis/bot/v2/
 * hook/...) robot, or any http://127.0.0.1 URL when kind names the robot
 * (tests). kind (may be NULL or "") must agree with the URL. Returns 0 with
 * the kind ("wecom", "dingtalk", "feishu", "email") in kind_out and the
 * target to store (the address alone for mail) in out, or -1 with why. */
int hq_notify_target_check(const char *target, const char *kind, char kind_out[16],
                           char out[HQ_NOTIFY_TARGET_MAX + 1], char *why, size_t len);

/* Sets (target non-empty) or clears (NULL or "") the target of host
 * host_id of the hosts list of branch ("" = every branch's). The target
 * must have passed hq_notify_target_check. In the caller's transaction or
 * alone. HQ_OK or a store error. */
int hq_notify_target_put(struct hq_store *s, const char *branch, long long host_id,
                         const char *kind, const char *target, long long now);

/* Adds "notify" (the target as typed back: "mailto:ADDR", the URL, or "")
 * and "notify_kind" to each entry of hosts (a hosts list of branch). */
int hq_notify_targets_add(struct hq_store *s, const char *branch, struct cJSON *hosts);

/* frontdesk-hq host add|set|list and notify list (argv-style words after
 * the command's name, pos[0] = "host" or "notify"). Options: branch ("" or
 * NULL = every branch's list), department, notify (target, "none" clears),
 * notify_kind, failed (notify list: failed rows only), json. Returns the
 * exit status (0 ok, 1 store error, 2 usage or refused input). */
struct hq_notify_opts {
    const char *branch, *department, *notify, *notify_kind;
    int failed, json;
    long long limit;
};
int hq_notify_cmd(struct hq_store *s, int npos, const char *const *pos,
                  const struct hq_notify_opts *o);

/* setting get|set for the sender's settings (smtp_url, smtp_from,
 * notify_lease_s) and the queue's notify_keep_days. Returns the exit status, or -1 when key is not one of
 * them (the caller goes on with its own). */
int hq_notify_setting(struct hq_store *s, int npos, const char *const *pos);

/* Failed (or, with all, every) notifications as a JSON array, newest first,
 * at most limit (the console's fleet API). NULL when the store failed. */
struct cJSON *hq_notify_list_json(struct hq_store *s, int failed_only, int limit);

/* Pruning (run by the retention sweep, hq_person.c): a row that ended
 * ('sent', 'none': no target, 'failed': listed by `notify list --failed`
 * and the console meanwhile) is deleted notify_keep_days after it ended
 * (done_at); 'pending' rows never. The setting (`setting set
 * notify_keep_days N`) is checked by hq_notify_setting: 2..3650 days, at
 * least 2 so that no rebuild or late push can queue an arrival again
 * (the queue's trigger takes only visits of the last day). */
#define HQ_NOTIFY_KEEP_DAYS 30      /* notify_keep_days when unset or bad */
#define HQ_NOTIFY_KEEP_MIN 2
#define HQ_NOTIFY_KEEP_MAX 3650
#define HQ_NOTIFY_PRUNE_BATCH 500   /* rows per delete (each its own transaction) */

/* notify_keep_days from the store's settings (the default when unset or bad). */
int hq_notify_keep_days(struct hq_store *s);

/* Deletes the rows ended more than notify_keep_days before now, in
 * statements of at most HQ_NOTIFY_PRUNE_BATCH rows, each committed alone
 * (never inside the caller's transaction: call it with none open), at most
 * max_batches of them (0 = until done). Adds the rows deleted to *n.
 * HQ_OK or a store error (what earlier batches deleted stays deleted). */
int hq_notify_prune(struct hq_store *s, long long now, int max_batches, long long *n);

/* The sender thread of `serve`: its own store handle on db. start returns
 * NULL with err when the thread cannot start; stop wakes it, waits for the
 * message in flight (at most its timeout) and frees it (NULL is fine). */
struct hq_notifier;
struct hq_notifier *hq_notify_start(const char *db, char *err, size_t errlen);
void hq_notify_stop(struct hq_notifier *n);

#endif
