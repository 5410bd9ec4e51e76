#!/usr/bin/env python3
"""Fills a maildir (its new/ folder) with COUNT distinct messages for bench/email.sh: plain
UTF-8, GB2312-labelled base64, and multipart with a small attachment, built with Python's
email package."""
import argparse
import os
from email.message import EmailMessage

parser = argparse.ArgumentParser()
parser.add_argument("--count", type=int, required=True)
parser.add_argument("--maildir", required=True)
args = parser.parse_args()

for folder in ("new", "cur", "tmp"):
    os.makedirs(os.path.join(args.maildir, folder), exist_ok=True)
for n in range(1, args.count + 1):
    message = EmailMessage()
    message["From"] = f"企业联系人{n} <contact{n}@example.cn>"
    message["To"] = "qiye-fuwu@zone.gov.cn"
    message["Subject"] = f"关于厂房用地规划许可的咨询（{n}）"
    message["Date"] = "Thu, 26 Feb 2026 09:13:05 +0800"
    message["Message-ID"] = f"<bench-{n}@example.cn>"
    body = f"您好，我司厂房用地规划许可已提交两个月，请问目前进度如何？联系电话 138 1234 {n % 10000:04d}。\n统一社会信用代码 91120116MA07K3RD93\n"
    if n % 3 == 1:
        message.set_content(body.encode("gb2312"), maintype="text", subtype="plain", cte="base64", params={"charset": "gb2312"})
    else:
        message.set_content(body)
    if n % 5 == 0:
        message.add_attachment(b"%PDF-1.4 bench attachment " + str(n).encode(), maintype="application", subtype="pdf",
                               filename="申请表.pdf")
    name = f"{1700000000 + n}.M{n:09d}P1.bench"
    with open(os.path.join(args.maildir, "new", name), "wb") as out:
        out.write(bytes(message))
