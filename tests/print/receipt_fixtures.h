/* receipt_fixtures.h - the sample receipts the print tests and the
 * benchmark share: fixed times (Asia/Shanghai) and a Chinese branch, so
 * golden bytes and PNGs never change by themselves. */
#ifndef FD_RECEIPT_FIXTURES_H
#define FD_RECEIPT_FIXTURES_H
#include "receipt.h"

#define FIXTURE_TZ "Asia/Shanghai"

static const struct receipt_ticket fixture_ticket = {
    .branch_zh = "城东支行", .branch_en = "East City Branch",
    .service_zh = "个人业务", .service_en = "Personal Banking",
    .label = "A023", .people_ahead = 5, .issued_at = 1795414500, /* 2026-11-23 14:15 */
    .qr = "https://q.example.cn/t/2026-11-23/A023",
};

static const struct receipt_visitor fixture_visitor = {
    .branch_zh = "城东支行", .branch_en = "East City Branch",
    .name = "张伟", .phone = "13812341234", .company = "华信科技有限公司",
    .host = "李娜（行政部）", .badge = "V0007", .signed_in_at = 1795416120,
};

static const struct receipt_complaint fixture_complaint = {
    .branch_zh = "城东支行", .branch_en = "East City Branch",
    .ref = "20261123000042", .category = "服务态度 / Attitude",
    .received_at = 1795417200, .feedback_due = 1795417200 + 86400,
    .qr_prefix = "https://q.example.cn/c/",
};

#endif
