#!/usr/bin/env python3
"""Writes a hotline export of N rows for bench/hotline.sh: the shipped mapping's headers,
distinct work-order numbers, Chinese text, in UTF-8 (for sqlite3 .import) or GB18030 (what
the daemon is measured on). Streams, so a million rows cost no memory.

Like a real export: each row a different enterprise (a valid USCC, its own phone), the
request text put together from operators' phrases (topic, place, what was done, what is
asked), and one row in 20 the same enterprise raising an earlier row's demand again in
other words (what deduplication exists for). `--template` writes the old worst case
instead: every row the same USCC and one of three texts, so nearly every row is a
duplicate and every lookup finds the maximum of candidates."""
import argparse
import random

parser = argparse.ArgumentParser()
parser.add_argument("--rows", type=int, required=True)
parser.add_argument("--encoding", default="utf-8")
parser.add_argument("--out", required=True)
parser.add_argument("--template", action="store_true", help="the duplicate-heavy worst case")
args = parser.parse_args()

CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]


def uscc(n):
    """A unified social credit code with a valid check digit (GB 32100-2015), one per n."""
    stem = f"91120116{n:09d}"
    total = sum(CHARSET.index(c) * w for c, w in zip(stem, WEIGHTS))
    return stem + CHARSET[(31 - total % 31) % 31]


header = "工单编号,来电时间,来电号码,诉求人,企业名称,统一社会信用代码,诉求类型,诉求标题,诉求内容,所属区域,紧急程度\r\n"
topics = [("土地", "厂房用地规划许可进度咨询", "我司厂房用地规划许可已提交两个月，请问目前进度如何？"),
          ("人才", "人才公寓申请", "新引进的三名研发人员申请人才公寓，材料已交齐，想了解审核时间。"),
          ("资金", "技改补贴拨付", "去年的技术改造补贴至今未拨付，请协调财政部门尽快处理。")]
categories = ["土地", "规划", "人才", "资金", "税务", "社保", "环保", "供电", "专利", "政策"]
objects = ["厂房扩建", "用地指标", "规划许可", "施工许可", "环评批复", "排污许可", "人才公寓", "落户手续", "技改补贴", "研发费用加计扣除",
           "社保缴费基数", "稳岗补贴", "供电线路改造", "燃气接入", "商标注册", "专利质押融资", "出口退税", "高新企业认定", "消防验收", "道路施工"]
states = ["已提交两个月", "上周已递交材料", "至今没有答复", "窗口说还需补充材料", "线上系统一直显示审核中", "去年就已经申请",
          "多次电话询问未果", "现场办理时被告知政策调整", "按通知要求准备齐全", "第三方机构已出具报告"]
asks = ["请问目前进度如何", "希望尽快协调办理", "想了解需要补充哪些材料", "请告知具体办理时限", "请协调相关部门现场指导",
        "希望明确适用的政策条款", "能否开通绿色通道", "请答复是否符合申报条件"]
places = ["位于泰达街道的", "在新城街道的", "古林街道", "滨海高新区的", "临港片区的", "中心商务区的"]
districts = ["泰达街道", "新城街道", "古林街道"]


def request(rng):
    obj = rng.choice(objects)
    return obj, f"我司{rng.choice(places)}{obj}事项{rng.choice(states)}，{rng.choice(states)}，{rng.choice(asks)}？{rng.choice(asks)}。"


rng = random.Random(7)
earlier = []
with open(args.out, "w", encoding=args.encoding, newline="") as out:
    out.write(header)
    chunk = []
    for n in range(1, args.rows + 1):
        when = f"2026/2/{n % 28 + 1} {n % 24}:{n % 60:02d}"
        if args.template:
            category, subject, text = topics[n % 3]
            chunk.append(f"BN{n:08d},{when},1381234{n % 10000:04d},张先生,天津某某科技有限公司{n % 977},91120116MA07K3RD93,"
                         f"{category},{subject},{text}（{n}）,{districts[n % 3]},{'特急' if n % 50 == 0 else '一般'}\r\n")
        else:
            if n % 20 == 0 and earlier:
                enterprise, category, subject, text = rng.choice(earlier)
                text = "您好，" + text.replace("，", "，再次反映，", 1) + "谢谢"
            else:
                enterprise = n
                category = rng.choice(categories)
                subject, text = request(rng)
                earlier.append((enterprise, category, subject, text))
                if len(earlier) > 2000:
                    earlier.pop(0)
            chunk.append(f"BN{n:08d},{when},139{enterprise % 100000000:08d},张先生,天津某某科技有限公司{enterprise},{uscc(enterprise)},"
                         f"{category},{subject},{text},{districts[n % 3]},{'特急' if n % 50 == 0 else '一般'}\r\n")
        if len(chunk) == 10000:
            out.write("".join(chunk))
            chunk = []
    out.write("".join(chunk))
