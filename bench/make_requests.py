#!/usr/bin/env python3
"""Generate a loadgen requests file of distinct, signed intake webhook calls.

Each request is `POST /v1/requests` with a UTF-8 JSON body like a real day's (its own
enterprise and text, ~470 bytes; one in 25 a reworded re-send), or with --worst-case a
~1 KiB near-identical body, its own `Idempotency-Key: bench-<run-id>-<i>` and body
`ref`, and `X-Intake-Signature: t=<unix>,v1=<hex>` where hex is the lowercase
HMAC-SHA256, keyed with the secret, of the bytes `<t>.<raw body>`.

Output format (see bench/loadgen.c): per request a line `@@ <byte-length>\\n`,
then exactly that many bytes of raw HTTP/1.1 request, then one `\\n`.

The signature timestamp is taken when the file is generated (or --timestamp),
so replay the file within the server's signature tolerance window.

Example:
  python3 bench/make_requests.py --count 200000 --secret-file secret.txt \\
      --out /tmp/intake.req --port 8080
  bench/loadgen -f /tmp/intake.req -p 8080 -c 64
"""
import argparse
import hashlib
import hmac
import json
import random
import sys
import time
from datetime import datetime, timedelta, timezone

CST = timezone(timedelta(hours=8))
BODY_TARGET = 1024  # bytes of UTF-8 JSON per body, approximately (never more)

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = ["伟", "芳", "娜", "秀英", "敏", "静", "丽", "强", "磊", "军", "洋", "勇",
         "艳", "杰", "娟", "涛", "明", "超", "秀兰", "霞", "平", "刚", "桂英", "建华"]
PINYIN = ["wang", "li", "zhang", "liu", "chen", "yang", "zhao", "huang", "zhou", "wu"]
REGIONS = [("120116", "天津滨海新区"), ("110108", "北京海淀区"), ("310115", "上海浦东新区"),
           ("440305", "深圳南山区"), ("330106", "杭州西湖区"), ("510107", "成都武侯区"),
           ("320505", "苏州高新区"), ("420111", "武汉洪山区")]
TRADES = ["智能装备", "新材料", "生物医药", "物流", "食品加工", "电子科技", "环保工程",
          "精密机械", "新能源", "建材"]
SUFFIXES = ["有限公司", "股份有限公司", "科技有限公司", "制造有限公司"]
MOBILE_PREFIXES = ["138", "139", "137", "135", "150", "186", "188", "177", "199"]
SUBJECTS = [
    "关于厂区扩建用地规划许可办理进度的咨询",
    "申请协调工业用地土地使用权续期事宜",
    "反映园区地块出让合同约定的交地时间延误问题",
    "关于租赁集体建设用地手续合规性的咨询",
    "请求核查厂房不动产权证登记面积与实测不符",
    "关于闲置土地认定及处置程序的问询",
    "申请调整项目用地容积率的前置审批流程咨询",
    "反映临时用地到期后复垦验收标准不明确",
]
# Sentences the description is padded with, so the UTF-8 body reaches ~1 KiB.
FILLER = [
    "我司于二〇二一年通过招拍挂方式取得该宗工业用地，现已按合同约定缴清全部土地出让金及相关税费。",
    "因生产线扩建需要，拟在现有厂区东侧新增一栋约八千平方米的标准厂房，项目已完成立项备案。",
    "目前规划许可申请材料已于上月提交至区规划和自然资源局窗口，但至今未收到受理或补正通知。",
    "项目设备已签订采购合同，预计下季度到货，若用地手续不能及时办结将影响投产计划和用工安排。",
    "恳请相关部门协助查询办理进度，并告知是否需要补充提供地质勘察报告或环评批复等材料。",
    "如需现场踏勘，我司可随时安排专人配合，联系人及电话见本次提交的申请人信息。",
    "另外，园区管委会此前口头答复可按原有容积率指标执行，希望能得到书面确认。",
    "感谢各位工作人员的辛勤付出，期待早日得到答复。",
]
USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # GB 32100-2015: no I, O, S, V, Z
USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
ORG_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2]


def org_code(rng):
    """9-char organisation code (GB 11714) with a valid check character."""
    alnum = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    body = "MA" + "".join(rng.choice(alnum) for _ in range(6))
    total = sum(int(ch, 36) * w for ch, w in zip(body, ORG_WEIGHTS))
    check = 11 - total % 11
    return body + {10: "X", 11: "0"}.get(check, str(check))


def uscc(region, rng):
    """Unified Social Credit Code with valid check characters, e.g. 91120116MA07K3RD93."""
    base = "91" + region + org_code(rng)
    total = sum(USCC_CHARS.index(ch) * w for ch, w in zip(base, USCC_WEIGHTS))
    return base + USCC_CHARS[(31 - total % 31) % 31]


OBJECTS = ["厂房扩建", "用地指标", "规划许可", "施工许可", "环评批复", "排污许可", "人才公寓", "落户手续", "技改补贴",
           "研发费用加计扣除", "社保缴费基数", "稳岗补贴", "供电线路改造", "燃气接入", "商标注册", "专利质押融资", "出口退税",
           "高新企业认定", "消防验收", "道路施工"]
STATES = ["已提交两个月", "上周已递交材料", "至今没有答复", "窗口说还需补充材料", "线上系统一直显示审核中", "去年就已经申请",
          "多次电话询问未果", "现场办理时被告知政策调整", "按通知要求准备齐全", "第三方机构已出具报告"]
ASKS = ["请问目前进度如何", "希望尽快协调办理", "想了解需要补充哪些材料", "请告知具体办理时限", "请协调相关部门现场指导",
        "希望明确适用的政策条款", "能否开通绿色通道", "请答复是否符合申报条件"]
PLACES = ["位于泰达街道的", "在新城街道的", "古林街道", "滨海高新区的", "临港片区的", "中心商务区的"]
CATEGORIES = ["土地", "规划", "人才", "资金", "税务", "社保", "环保", "供电", "专利", "政策"]


def make_realistic_body(i, ref, now, rng, earlier):
    """A request like a real day's: its own enterprise (valid USCC, phone, mail) and its own
    text made from operators' phrases; one in 25 the same enterprise re-sending an earlier
    demand in other words (what deduplication exists for)."""
    if i % 25 == 24 and earlier:
        enterprise, text = rng.choice(earlier)
        text = "您好，" + text.replace("，", "，再次反映，", 1) + "谢谢"
    else:
        region_code, region_name = rng.choice(REGIONS)
        surname = rng.randrange(len(SURNAMES))
        enterprise = {
            "requester": {
                "name": SURNAMES[surname] + rng.choice(GIVEN),
                "phone": "%s %04d %04d" % (rng.choice(MOBILE_PREFIXES), rng.randrange(10000), rng.randrange(10000)),
                "email": "%s.%d@example.cn" % (PINYIN[surname % len(PINYIN)], i),
            },
            "enterprise": {"name": "%s%s%s%d号%s" % (region_name, rng.choice(TRADES), rng.choice(["一", "二", "三"]), i, rng.choice(SUFFIXES)),
                           "uscc": uscc(region_code, rng)},
            "category": rng.choice(CATEGORIES),
        }
        obj = rng.choice(OBJECTS)
        text = "我司%s%s事项%s，%s，%s？%s。" % (rng.choice(PLACES), obj, rng.choice(STATES), rng.choice(STATES), rng.choice(ASKS), rng.choice(ASKS))
        earlier.append((enterprise, text))
        if len(earlier) > 2000:
            earlier.pop(0)
    doc = {"ref": ref, "reported_at": (now - timedelta(seconds=rng.randrange(86400))).isoformat(timespec="seconds"),
           "subject": text[:12], "description": text}
    doc.update(enterprise)
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def make_body(i, ref, now, rng):
    """The duplicate-heavy worst case: names from a small set, texts from eight rotated
    sentences, ~1 KiB."""
    region_code, region_name = rng.choice(REGIONS)
    surname = rng.randrange(len(SURNAMES))
    doc = {
        "ref": ref,
        "reported_at": (now - timedelta(seconds=rng.randrange(86400))).isoformat(timespec="seconds"),
        "requester": {
            "name": SURNAMES[surname] + rng.choice(GIVEN),
            "phone": "%s %04d %04d" % (rng.choice(MOBILE_PREFIXES), rng.randrange(10000), rng.randrange(10000)),
            "email": "%s.%d@example.cn" % (PINYIN[surname % len(PINYIN)], i),
        },
        "enterprise": {
            "name": region_name + rng.choice(TRADES) + rng.choice(SUFFIXES),
            "uscc": uscc(region_code, rng),
        },
        "subject": rng.choice(SUBJECTS),
        "description": "",
        "category": "土地",
    }

    def encode():
        return json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode("utf-8")

    room = BODY_TARGET - len(encode())
    desc = ""
    k = rng.randrange(len(FILLER))
    while room > 0:
        sentence = FILLER[k % len(FILLER)]
        k += 1
        take = min(len(sentence), room // 3)  # all filler characters are 3 bytes in UTF-8
        if take == 0:
            break
        desc += sentence[:take]
        room -= take * 3
    doc["description"] = desc
    return encode()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--count", type=int, default=10000, help="number of requests (default 10000)")
    ap.add_argument("--secret-file", required=True, help="HMAC secret; one trailing newline is stripped")
    ap.add_argument("--out", required=True, help="output file ('-' for stdout)")
    ap.add_argument("--host", default="127.0.0.1", help="value for the Host header (default 127.0.0.1)")
    ap.add_argument("--port", type=int, default=8080, help="port for the Host header (default 8080)")
    ap.add_argument("--run-id", default=None, help="unique run tag (default: current unix time)")
    ap.add_argument("--timestamp", type=int, default=None, help="signature t= value (default: now)")
    ap.add_argument("--worst-case", action="store_true",
                    help="near-identical ~1 KiB bodies with names from a small set (deduplication's worst case)")
    args = ap.parse_args()

    with open(args.secret_file, "rb") as f:
        secret = f.read()
    if secret.endswith(b"\n"):
        secret = secret[:-1]
    if not secret:
        sys.exit("make_requests: secret file is empty")

    run_id = args.run_id or str(int(time.time()))
    ts = str(args.timestamp if args.timestamp is not None else int(time.time()))
    host = args.host if args.port == 80 else "%s:%d" % (args.host, args.port)
    now = datetime.now(CST).replace(microsecond=0)
    rng = random.Random(run_id)  # reproducible for a given run id

    out = sys.stdout.buffer if args.out == "-" else open(args.out, "wb")
    total_body = 0
    earlier = []
    for i in range(args.count):
        ref = "bench-%s-%d" % (run_id, i)
        body = make_body(i, ref, now, rng) if args.worst_case else make_realistic_body(i, ref, now, rng, earlier)
        sig = hmac.new(secret, ts.encode() + b"." + body, hashlib.sha256).hexdigest()
        head = ("POST /v1/requests HTTP/1.1\r\n"
                "Host: %s\r\n"
                "Content-Type: application/json\r\n"
                "Content-Length: %d\r\n"
                "Idempotency-Key: %s\r\n"
                "X-Intake-Signature: t=%s,v1=%s\r\n"
                "\r\n" % (host, len(body), ref, ts, sig)).encode("ascii")
        raw = head + body
        out.write(b"@@ %d\n" % len(raw))
        out.write(raw)
        out.write(b"\n")
        total_body += len(body)
    if out is not sys.stdout.buffer:
        out.close()
    print("make_requests: %d requests, run-id %s, t=%s, mean body %d bytes -> %s"
          % (args.count, run_id, ts, total_body // max(args.count, 1), args.out), file=sys.stderr)


if __name__ == "__main__":
    main()
