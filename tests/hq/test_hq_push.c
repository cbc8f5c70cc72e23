/* test_hq_push.c - the push-body parser's record texts (hq_push.c): each
 * record is logged as the kiosk sent it, cut from the body, and the cut is
 * right whatever the body holds around and inside it (strings holding
 * brackets, quotes and backslashes, nested objects with a "record" of their
 * own, repeated keys, whitespace of every allowed kind). A body that is not
 * strict JSON (cJSON's leniencies, an escaped key, a number no jsonb takes)
 * falls back to the text printed from the tree; either way every stored
 * text is strict JSON that parses to the very record head office checked,
 * and a body refused before stays refused. */
#include "check.h"
#include "hq_push.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

/* Strict JSON per RFC 8259, as PostgreSQL's json input wants it: no raw
 * control byte anywhere, whitespace only space/tab/LF/CR, no leading zero,
 * no "1." - a small checker of the few things cJSON lets through. */
static int strict(const char *s)
{
    int in_str = 0;
    for (const char *p = s; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (in_str) {
            if (c < 0x20)
                return 0;
            if (c == '\\')
                p++;
            else if (c == '"')
                in_str = 0;
            continue;
        }
        if (c == '"')
            in_str = 1;
        else if (c < 0x20 && c != ' ' && c != '\t' && c != '\n' && c != '\r')
            return 0;
        else if ((c == '-' || c == ':' || c == '[' || c == ',') && p[1] == '0' &&
                 p[2] >= '0' && p[2] <= '9')
            return 0;
        else if (c == '.' && !(p[1] >= '0' && p[1] <= '9'))
            return 0;
        else if ((c == '+' && p[-1] != 'e' && p[-1] != 'E') || c >= 0x80)
            return 0;
    }
    return !in_str;
}

/* Parses body; returns 0 and checks that every record's text parses to
 * the tree's record (so nothing was cut wrong; same_tree 0: a number cJSON
 * holds as infinity is printed null, as before). */
static int parse_as(const char *body, struct hq_push_msg *m, int same_tree)
{
    char err[256];
    if (hq_push_parse(body, strlen(body), 500, m, err, sizeof err) != 0)
        return -1;
    const cJSON *records = cJSON_GetObjectItemCaseSensitive(m->root, "records"), *it;
    size_t i = 0;
    cJSON_ArrayForEach(it, records) {
        const cJSON *rec = cJSON_GetObjectItemCaseSensitive(it, "record");
        const struct hq_record *r = &m->batch.recs[i++];
        if (!rec)
            continue;
        cJSON *back = cJSON_Parse(r->json);
        CHECK_MSG(back && (!same_tree || cJSON_Compare(back, rec, 1)), "record %zu: %s", i,
                  r->json);
        if (!r->quarantine)
            CHECK_MSG(strict(r->json), "record %zu not strict: %s", i, r->json);
        cJSON_Delete(back);
    }
    return 0;
}

static int parse(const char *body, struct hq_push_msg *m)
{
    return parse_as(body, m, 1);
}

#define AUDIT(seq, rec) "{\"seq\":" #seq ",\"type\":\"audit\",\"v\":1,\"record\":" rec "}"
#define BODY(recs) "{\"device_id\":\"d1\",\"epoch\":1,\"records\":[" recs "]}"

/* The texts come back byte for byte as they were in the body. */
static void test_as_received(void)
{
    static const char *const recs[] = {
        "{\"id\":1,\"at\":5,\"actor\":\"a\",\"action\":\"x\"}",
        /* whitespace of every kind the RFC allows, inside and around */
        "{ \"id\" :\t2 ,\r\n \"at\": 5,\"actor\":\"a\" , \"action\":\"x\"\n}",
        /* strings holding brackets, quotes, backslashes and escapes */
        "{\"id\":3,\"at\":5,\"actor\":\"}]\\\"{[\",\"action\":\"\\\\\\\"\\/\\b\\f\\n\\r\\t\","
        "\"subject\":\"\\u00e9\\ud83d\\ude00 \xe4\xb8\xad\"}",
        /* nested objects and arrays, one with a "record" key of its own */
        "{\"id\":4,\"at\":5,\"actor\":\"a\",\"action\":\"x\",\"extra\":{\"record\":[1,{\"a\":[]}],"
        "\"b\":{}},\"n\":[-0.5e+10,0,-1,1E3,true,false,null]}",
    };
    char full[4096];
    snprintf(full, sizeof full,
             BODY("{\"seq\":1,\"type\":\"audit\",\"v\":1,\"record\":%s},\n"
                  " {\"record\" : %s , \"seq\":2,\"type\":\"audit\",\"v\":1},"
                  "{\"seq\":3,\"type\":\"audit\",\"v\":1,\"record\":%s}  ,"
                  "{\"meta\":{\"record\":{\"id\":9}},\"seq\":4,\"type\":\"audit\",\"v\":1,"
                  "\"record\":%s}"),
             recs[0], recs[1], recs[2], recs[3]);
    struct hq_push_msg m;
    CHECK_INT(parse(full, &m), 0);
    CHECK_INT(m.batch.n, 4);
    for (size_t i = 0; i < m.batch.n && i < 4; i++) {
        CHECK_STR(m.batch.recs[i].json, recs[i]);
        CHECK(m.batch.recs[i].quarantine == NULL);
    }
    hq_push_free(&m);
}

/* Repeated keys: cJSON's lookups take the first, and so does the cut. */
static void test_first_key_wins(void)
{
    struct hq_push_msg m;
    const char *body =
        "{\"device_id\":\"d1\",\"epoch\":1,\"health\":{\"records\":[]},\"records\":["
        "{\"seq\":1,\"type\":\"audit\",\"v\":1,"
        "\"record\":{\"id\":1,\"at\":5,\"actor\":\"first\",\"action\":\"x\"},"
        "\"record\":{\"id\":1,\"at\":5,\"actor\":\"second\",\"action\":\"x\"}}],"
        "\"records\":[{\"seq\":7,\"type\":\"audit\",\"v\":1,\"record\":{\"id\":2}}]}";
    CHECK_INT(parse(body, &m), 0);
    CHECK_INT(m.batch.n, 1);
    CHECK_INT(m.batch.recs[0].seq, 1);
    CHECK(strstr(m.batch.recs[0].json, "\"first\"") != NULL);
    CHECK(strstr(m.batch.recs[0].json, "second") == NULL);
    hq_push_free(&m);
}

/* What cJSON takes but strict JSON does not: the texts are printed from the
 * tree (compact), strict, and mean the same record. */
static void test_fallback(void)
{
    static const struct {
        const char *body, *want; /* want: the first record's text */
    } cases[] = {
        /* an escaped key: cJSON decodes it to "record" */
        {BODY("{\"seq\":1,\"type\":\"audit\",\"v\":1,\"rec\\u006frd\":{\"id\":1, \"at\":5,"
              "\"actor\":\"a\",\"action\":\"x\"}}"),
         "{\"id\":1,\"at\":5,\"actor\":\"a\",\"action\":\"x\"}"},
        /* leading zeros and "1." */
        {BODY(AUDIT(1, "{\"id\":01,\"at\":5.,\"actor\":\"a\",\"action\":\"x\"}")),
         "{\"id\":1,\"at\":5,\"actor\":\"a\",\"action\":\"x\"}"},
        /* a raw tab inside a string */
        {BODY(AUDIT(1, "{\"id\":1,\"at\":5,\"actor\":\"a\tb\",\"action\":\"x\"}")),
         "{\"id\":1,\"at\":5,\"actor\":\"a\\tb\",\"action\":\"x\"}"},
        /* a number no jsonb takes (cJSON: infinity, printed null) */
        {BODY(AUDIT(1, "{\"id\":1,\"at\":5,\"actor\":\"a\",\"action\":\"x\",\"k\":1e99999}")),
         "{\"id\":1,\"at\":5,\"actor\":\"a\",\"action\":\"x\",\"k\":null}"},
        /* a control byte cJSON skips as whitespace, in another record */
        {BODY(AUDIT(1, "{\"id\":1,\"at\":5,\"actor\":\"a\",\"action\":\"x\"}") ","
              AUDIT(2, "{\"id\":2,\x01\"at\":5,\"actor\":\"a\",\"action\":\"x\"}")),
         "{\"id\":1,\"at\":5,\"actor\":\"a\",\"action\":\"x\"}"},
        /* a byte-order mark before the body */
        {"\xef\xbb\xbf" BODY(AUDIT(1, "{\"id\":1, \"at\":5,\"actor\":\"a\",\"action\":\"x\"}")),
         "{\"id\":1,\"at\":5,\"actor\":\"a\",\"action\":\"x\"}"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct hq_push_msg m;
        int rc = parse_as(cases[i].body, &m, strstr(cases[i].body, "e99999") == NULL);
        CHECK_MSG(rc == 0, "case %zu refused", i);
        if (rc != 0)
            continue;
        CHECK_MSG(m.batch.n >= 1 && strcmp(m.batch.recs[0].json, cases[i].want) == 0,
                  "case %zu: %s", i, m.batch.n ? m.batch.recs[0].json : "(none)");
        for (size_t k = 0; k < m.batch.n; k++)
            CHECK_MSG(strict(m.batch.recs[k].json), "case %zu record %zu", i, k);
        hq_push_free(&m);
    }
}

/* Quarantined records keep their printed text (a NUL made visible); an
 * element without "record" is logged as null; bodies refused before are
 * refused still. */
static void test_quarantine_and_refusals(void)
{
    struct hq_push_msg m;
    const char *body = BODY(AUDIT(1, "{\"id\":1,\"at\":5,\"actor\":\"a\\u0000b\",\"action\":\"x\"}")
                            ",{\"seq\":2,\"type\":\"audit\",\"v\":1}"
                            "," AUDIT(3, "{\"id\":3,\"at\":-5,\"actor\":\"a\",\"action\":\"x\"}"));
    CHECK_INT(parse(body, &m), 0);
    CHECK_INT(m.batch.n, 3);
    CHECK(m.batch.recs[0].quarantine != NULL);
    CHECK(strstr(m.batch.recs[0].json, "a\xef\xb7\x90" "b") != NULL);
    CHECK(m.batch.recs[1].quarantine != NULL);
    CHECK_STR(m.batch.recs[1].json, "null");
    /* refused by the state table (a time before 1970): the text as received */
    CHECK(m.batch.recs[2].quarantine != NULL);
    CHECK_STR(m.batch.recs[2].json, "{\"id\":3,\"at\":-5,\"actor\":\"a\",\"action\":\"x\"}");
    hq_push_free(&m);

    static const char *const refused[] = {
        "",
        "[]",
        "{\"device_id\":\"d1\",\"epoch\":1,\"records\":{}}",
        BODY("{\"seq\":2,\"type\":\"audit\",\"record\":{}},{\"seq\":1,\"type\":\"audit\","
             "\"record\":{}}"),
        BODY("[1]"),
        BODY(AUDIT(1, "{\"id\":1,\"actor\":\"\\ud800\"}")),
        BODY(AUDIT(1, "{\"id\":1,\"actor\":\"\\x\"}")),
        BODY(AUDIT(1, "{\"id\":1,\"actor\":\"unterminated}]}")),
        "{\"device_id\":\"d1\",\"epoch\":1,\"records\":[{\"seq\":1,\"record\":{\"a\":[}}]}",
    };
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        char err[256];
        int rc = hq_push_parse(refused[i], strlen(refused[i]), 500, &m, err, sizeof err);
        CHECK_MSG(rc == -1, "refused case %zu was taken", i);
        if (rc == 0)
            hq_push_free(&m);
    }
    /* a body cut anywhere is refused or parsed right, never read past its end */
    const char *whole = BODY(AUDIT(1, "{\"id\":1,\"at\":5,\"actor\":\"}\\\"\",\"action\":\"x\"}"));
    for (size_t n = 0; n < strlen(whole); n++) {
        char *cut = malloc(n ? n : 1);
        char err[256];
        memcpy(cut, whole, n);
        if (hq_push_parse(cut, n, 500, &m, err, sizeof err) == 0)
            hq_push_free(&m);
        free(cut);
    }
}

int main(void)
{
    test_as_received();
    test_first_key_wins();
    test_fallback();
    test_quarantine_and_refusals();
    return check_summary();
}
