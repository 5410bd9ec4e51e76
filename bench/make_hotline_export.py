#!/usr/bin/env python3
"""Writes a hotline export of N rows for bench/hotline.sh: the shipped mapping's headers,
distinct work-order numbers, Chinese text, in UTF-8 (for sqlite3 .import) or GB18030 (what
the daemon is measured on). Streams, so a million rows cost no memory."""
import argparse
import sys

parser = argparse.ArgumentParser()
parser.add_argument("--rows", type=int, required=True)
parser.add_argument("--encoding", default="utf-8")
parser.add_argument("--out", required=True)
args = parser.parse_args()

header = "工单编号,来电时间,来电号码,诉求人,企业名称,统一社会信用代码,诉求类型,诉求标题,诉求内容,所属区域,紧急程度\r\n"
topics = [("土地", "厂房用地规划许可进度咨询", "我司厂房用地规划许可已提交两个月，请问目前进度如何？"),
          ("人才", "人才公寓申请", "新引进的三名研发人员申请人才公寓，材料已交齐，想了解审核时间。"),
          ("资金", "技改补贴拨付", "去年的技术改造补贴至今未拨付，请协调财政部门尽快处理。")]
districts = ["泰达街道", "新城街道", "古林街道"]
with open(args.out, "w", encoding=args.encoding, newline="") as out:
    out.write(header)
    chunk = []
    for n in range(1, args.rows + 1):
        category, subject, text = topics[n % 3]
        chunk.append(f"BN{n:08d},2026/2/{n % 28 + 1} {n % 24}:{n % 60:02d},1381234{n % 10000:04d},张先生,"
                     f"天津某某科技有限公司{n % 977},91120116MA07K3RD93,{category},{subject},{text}（{n}）,"
                     f"{districts[n % 3]},{'特急' if n % 50 == 0 else '一般'}\r\n")
        if len(chunk) == 10000:
            out.write("".join(chunk))
            chunk = []
    out.write("".join(chunk))
