#!/usr/bin/env python3
"""Builds the email fixtures for MIMEParserTests and EmailTriageTests.

Run from this directory: `python3 make_fixtures.py`. The output is deterministic (fixed
dates, ids and boundaries), so re-running it changes nothing unless this script changes.
Some fixtures are written byte by byte, because Python's `email` package will not produce
what real Chinese mail clients send (GBK bytes under a gb2312 label, split encoded words).
The hand-written broken_*.eml files are not made here.
"""
import base64
import email.policy
from email.message import EmailMessage
from email.mime.application import MIMEApplication
from email.mime.image import MIMEImage
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.header import Header
from email.utils import formataddr

# CRLF line ends, as IMAP delivers them. The legacy MIME classes get compat32, which leaves
# headers that are already encoded alone; EmailMessage gets the modern SMTP policy.
POLICY = email.policy.SMTP
LEGACY = email.policy.compat32.clone(linesep="\r\n")
DATE = "Thu, 26 Feb 2026 09:13:05 +0800"


def write(name, message):
    if isinstance(message, bytes):
        data = message
    elif isinstance(message, EmailMessage):
        data = message.as_bytes(policy=POLICY)
    else:
        data = message.as_bytes(policy=LEGACY)
    with open(name + ".eml", "wb") as f:
        f.write(data)


def crlf(text):
    return text.replace("\r\n", "\n").replace("\n", "\r\n").encode("ascii")


def h(text, charset="utf-8"):
    return Header(text, charset).encode()


def addr(name, address):
    return formataddr((name, address), charset="utf-8")


def b_word(charset, data):
    return "=?%s?B?%s?=" % (charset, base64.b64encode(data).decode("ascii"))


BODY_UTF8 = (
    "您好：\n"
    "我公司想咨询厂房用地规划许可的办理进度。\n"
    "公司名称：天津某某科技有限公司\n"
    "统一社会信用代码：91120116MA07K3RD93\n"
    "联系电话：138 1234 5678\n"
    "\n"
    "张先生\n"
)


def plain_utf8():
    m = EmailMessage()
    m["From"] = "张先生 <Zhang.San@Example.CN>"
    m["To"] = "service@zone.example.gov.cn"
    m["Subject"] = "厂房用地规划许可进度咨询"
    m["Date"] = DATE
    m["Message-ID"] = "<plain-utf8-0001@example.cn>"
    m.set_content(BODY_UTF8, charset="utf-8", cte="8bit")
    write("plain_utf8", m)


def gb2312_gbk():
    # Labelled gb2312 but holding GBK-only characters (镕, 喆), as Foxmail and Outlook send.
    subject = "关于朱镕基路厂房的咨询（李喆）".encode("gbk")
    name = "李喆".encode("gbk")
    body = "您好，我是李喆，想咨询朱镕基路厂房的租赁政策。\n电话：022-66290000\n".encode("gbk")
    head = crlf(
        "From: %s <lizhe@example.cn>\n"
        "To: service@zone.example.gov.cn\n"
        "Subject: %s\n"
        "Date: %s\n"
        "Message-ID: <gb2312-gbk-0001@example.cn>\n"
        "MIME-Version: 1.0\n"
        "Content-Type: text/plain; charset=\"gb2312\"\n"
        "Content-Transfer-Encoding: 8bit\n"
        "\n" % (b_word("gb2312", name), b_word("GB2312", subject), DATE)
    )
    write("gb2312_gbk", head + body.replace(b"\n", b"\r\n"))


def gb18030_four_byte():
    text = "生僻字测试：𠀀 与 䶮。\n"
    m = MIMEText("", "plain", "utf-8")
    del m["Content-Transfer-Encoding"]
    m.set_payload(base64.encodebytes(text.encode("gb18030")).decode("ascii"))
    m.replace_header("Content-Type", 'text/plain; charset="GB18030"')
    m["Content-Transfer-Encoding"] = "base64"
    m["From"] = addr("王先生", "wang@example.cn")
    m["Subject"] = Header("生僻字𠀀䶮", "gb18030").encode()
    m["Date"] = DATE
    m["Message-ID"] = "<gb18030-0001@example.cn>"
    write("gb18030_four_byte", m)


def big5():
    text = "臺灣廠商詢問投資優惠。\n"
    m = MIMEText("", "plain")
    del m["Content-Transfer-Encoding"]
    import quopri
    m.set_payload(quopri.encodestring(text.encode("big5")).decode("ascii"))
    m.replace_header("Content-Type", 'text/plain; charset="big5"')
    m["Content-Transfer-Encoding"] = "quoted-printable"
    m["From"] = "=?big5?Q?" + "".join("=%02X" % b for b in "陳先生".encode("big5")) + "?= <chen@example.com.tw>"
    m["Subject"] = "=?BIG5?B?" + base64.b64encode("投資優惠詢問".encode("big5")).decode() + "?="
    m["Date"] = "Thu, 26 Feb 2026 10:00:00 +0800 (CST)"
    m["Message-ID"] = "<big5-0001@example.com.tw>"
    write("big5", m)


def base64_body():
    text = "这是一封 base64 编码的邮件。\n第二行。\n" * 3
    encoded = base64.encodebytes(text.encode("utf-8")).decode("ascii")
    head = crlf(
        "From: test@example.cn\n"
        "Subject: base64\n"
        "Date: 26 Feb 2026 01:13:05 GMT\n"
        "Message-ID: <base64-0001@example.cn>\n"
        "MIME-Version: 1.0\n"
        "Content-Type: text/plain; charset=UTF-8\n"
        "Content-Transfer-Encoding: base64\n\n"
    )
    write("base64_body", head + crlf(encoded.rstrip("=\n") + "\n"))  # padding dropped, as some senders do


def quoted_printable_body():
    # Soft line breaks, lower-case hex, an invalid escape kept as written.
    body = (
        "=E8=AF=B7=E9=97=AE=e5=8e=82=e6=88=BF=E7=9A=84=E7=A7=9F=E9=87=91=E6=98=AF=E5=A4=9A=E5=B0=91=EF=BC=9F =\n"
        "=E8=B0=A2=E8=B0=A2=E3=80=82\n"
        "50% off =ZZ stays\n"
    )
    head = crlf(
        "From: \"Qian, Si\" <qian@example.cn>\n"
        "Subject: =?utf-8?q?=E7=A7=9F=E9=87=91_=E5=92=A8=E8=AF=A2?=\n"
        "Date: Thu, 26 Feb 2026 09:13:05 +0800\n"
        "Message-ID: <qp-0001@example.cn>\n"
        "MIME-Version: 1.0\n"
        "Content-Type: text/plain; charset=utf-8\n"
        "Content-Transfer-Encoding: quoted-printable\n\n"
    )
    write("quoted_printable_body", head + crlf(body))


def folded_subject():
    # One subject in three encoded words over folded lines; the bytes of 请 are split between
    # the first two words, and the charset label's case varies.
    raw = "厂房用地规划许可申请进度".encode("utf-8")
    cut = raw.index("请".encode("utf-8")) + 1
    words = [b_word("UTF-8", raw[:cut]), b_word("utf-8", raw[cut:33]), b_word("Utf-8", raw[33:])]
    head = crlf(
        "From: =?UTF-8?Q?=E8=B5=B5=E5=A5=B3=E5=A3=AB?= <zhao@example.cn>\n"
        "Subject: %s\n %s\n\t%s\n"
        "Date: Thu, 26 Feb 2026 09:13:05 +0800\n"
        "Message-ID: <folded-0001@example.cn>\n"
        "MIME-Version: 1.0\n"
        "Content-Type: text/plain; charset=utf-8\n\n" % tuple(words)
    )
    write("folded_subject", head + "请尽快回复。\n".encode("utf-8").replace(b"\n", b"\r\n"))


HTML = """<!DOCTYPE html><html><head><title>忽略</title><style>p { color: red; }</style>
<script>alert("x")</script></head>
<body><div>您好：</div><p>我们的<b>厂房</b>在&nbsp;滨海新区&amp;开发区。</p>
<p>联系电话：<a href="tel:13912345678">139&nbsp;1234&nbsp;5678</a><br>谢谢&#xFF01;</p>
<!-- a comment --><ul><li>第一</li><li>第二</li></ul></body></html>
"""


def html_only():
    m = EmailMessage()
    m["From"] = "孙先生 <sun@example.cn>"
    m["Subject"] = "HTML 邮件"
    m["Date"] = DATE
    m["Message-ID"] = "<html-0001@example.cn>"
    m.set_content(HTML, subtype="html", charset="utf-8", cte="base64")
    write("html_only", m)


def alternative():
    m = MIMEMultipart("alternative", boundary="----=_alt_0001")
    m["From"] = addr("周女士", "zhou@example.cn")
    m["Subject"] = Header("用地咨询", "utf-8").encode()
    m["Date"] = DATE
    m["Message-ID"] = "<alternative-0001@example.cn>"
    plain = MIMEText("", "plain", "utf-8")
    del plain["Content-Transfer-Encoding"]
    # format=flowed, DelSp=yes: the space before each soft break is the sender's, not the text's.
    plain.set_payload(base64.encodebytes("纯文本版本：请问用地 \n指标如何申请？\n".encode("utf-8")).decode())
    plain.replace_header("Content-Type", 'text/plain; charset="utf-8"; format=flowed; delsp=yes')
    plain["Content-Transfer-Encoding"] = "base64"
    m.attach(plain)
    m.attach(MIMEText("<p>HTML 版本：请问用地指标如何申请？</p>", "html", "utf-8"))
    write("alternative", m)


PDF = b"%PDF-1.4\n% fixture\n" + bytes(range(256)) * 4
PNG = b"\x89PNG\r\n\x1a\n" + bytes(200)


def attachments():
    m = MIMEMultipart("mixed", boundary="mixed-boundary-0001")
    m["From"] = addr("吴先生", "wu@example.cn")
    m["Subject"] = h("申请材料")
    m["Date"] = DATE
    m["Message-ID"] = "<attachments-0001@example.cn>"
    m.attach(MIMEText("申请表和现场照片见附件。\n", "plain", "utf-8"))
    pdf = MIMEApplication(PDF, "pdf")
    pdf["Content-Disposition"] = "attachment; filename*=UTF-8''%E7%94%B3%E8%AF%B7%E8%A1%A8.pdf"
    m.attach(pdf)
    png = MIMEImage(PNG, "png")
    png.replace_header("Content-Type", 'image/png; name="=?UTF-8?B?' + base64.b64encode("现场照片.png".encode()).decode() + '?="')
    png["Content-Disposition"] = 'attachment; filename="=?UTF-8?B?' + base64.b64encode("现场照片.png".encode()).decode() + '?="'
    m.attach(png)
    # RFC 2231 continuations in GBK: 营业执照副本.txt split over two sections.
    text = MIMEText("营业执照", "plain", "utf-8")
    gbk = "营业执照副本".encode("gbk")
    encoded = "".join("%%%02X" % b for b in gbk)
    text["Content-Disposition"] = "attachment;\n filename*0*=gbk'zh-cn'%s;\n filename*1*=%s;\n filename*2=.txt" % (encoded[:18], encoded[18:])
    m.attach(text)
    m.attach(MIMEText("\n附：补充说明在此。\n", "plain", "utf-8"))
    write("attachments", m)


def auto_reply():
    m = EmailMessage()
    m["From"] = "张先生 <zhang.san@example.cn>"
    m["Subject"] = "自动回复: 关于您的诉求"
    m["Date"] = DATE
    m["Message-ID"] = "<auto-0001@example.cn>"
    m["Auto-Submitted"] = "auto-replied"
    m.set_content("我正在休假，2月28日返回。\n", charset="utf-8")
    write("auto_reply", m)


def bounce():
    # Written out: Python's generator cannot flatten a message/delivery-status part built by hand.
    original = EmailMessage()
    original["From"] = "service@zone.example.gov.cn"
    original["To"] = "nobody@example.cn"
    original["Subject"] = "[案件 0a1b2c3d4e5f] 已受理"
    original["Message-ID"] = "<ack-0002@zone.example.gov.cn>"
    original.set_content("已受理。\n", charset="utf-8")
    head = crlf(
        "Return-Path: <>\n"
        "From: Mail Delivery System <MAILER-DAEMON@mx.zone.example.gov.cn>\n"
        "To: service@zone.example.gov.cn\n"
        "Subject: Undelivered Mail Returned to Sender\n"
        "Date: %s\n"
        "Message-ID: <bounce-0001@mx.zone.example.gov.cn>\n"
        "MIME-Version: 1.0\n"
        "Content-Type: multipart/report; report-type=delivery-status;\n"
        "\tboundary=\"bounce-0001\"\n"
        "\n"
        "This is a MIME-encapsulated message.\n"
        "\n"
        "--bounce-0001\n"
        "Content-Description: Notification\n"
        "Content-Type: text/plain; charset=us-ascii\n"
        "\n"
        "This is the mail system at host mx.zone.example.gov.cn.\n"
        "\n"
        "I'm sorry to have to inform you that your message could not be delivered.\n"
        "\n"
        "--bounce-0001\n"
        "Content-Description: Delivery report\n"
        "Content-Type: message/delivery-status\n"
        "\n"
        "Reporting-MTA: dns; mx.zone.example.gov.cn\n"
        "\n"
        "Final-Recipient: rfc822; nobody@example.cn\n"
        "Action: failed\n"
        "Status: 5.1.1\n"
        "\n"
        "--bounce-0001\n"
        "Content-Description: Undelivered Message\n"
        "Content-Type: message/rfc822\n"
        "\n" % DATE
    )
    tail = crlf("\n--bounce-0001--\n")
    write("bounce", head + original.as_bytes(policy=POLICY) + tail)


def reply_outlook():
    body = (
        "补充一下：厂房面积约 3000 平方米。\n"
        "手机：+86 139 8765 4321\n"
        "\n"
        "发件人: 区政务服务中心 <service@zone.example.gov.cn>\n"
        "发送时间: 2026年2月26日 10:02\n"
        "收件人: 张先生 <zhang.san@example.cn>\n"
        "主题: 厂房用地规划许可进度咨询\n"
        "\n"
        "张先生您好，请补充厂房面积。联系电话 022-66290000。\n"
        "> 更早的引用\n"
    )
    m = EmailMessage()
    m["From"] = "张先生 <zhang.san@example.cn>"
    m["Subject"] = "Re: 厂房用地规划许可进度咨询"
    m["Date"] = "Thu, 26 Feb 2026 11:30:00 +0800"
    m["Message-ID"] = "<reply-0001@example.cn>"
    m["In-Reply-To"] = "<ack-0001@zone.example.gov.cn>"
    m["References"] = "<plain-utf8-0001@example.cn> <ack-0001@zone.example.gov.cn>"
    m.set_content(body, charset="utf-8", cte="quoted-printable")
    write("reply_outlook", m)


def case_token():
    m = EmailMessage()
    m["From"] = "张先生 <zhang.san@example.cn>"
    m["Subject"] = "回复：【案件 0A1B2C3D4E5F】厂房用地规划许可进度咨询"
    m["Date"] = DATE
    m["Message-ID"] = "<token-0001@example.cn>"
    m.set_content(
        "收到，谢谢。\n\n在 2026年2月26日 10:02，区政务服务中心 <service@zone.example.gov.cn> 写道：\n已受理您的诉求。\n",
        charset="utf-8",
    )
    write("case_token", m)


def nested():
    """mixed[alternative[plain, related[html, inline png]], forwarded message, a second inline text]."""
    m = MIMEMultipart("mixed", boundary="=_outer")
    m["From"] = addr("郑先生", "zheng@example.cn")
    m["Subject"] = h("转发：关于厂房的通知")
    m["Date"] = "Thu, 26 Feb 26 09:13 +0800"  # two-digit year, no seconds: obsolete but seen
    m["Message-ID"] = "<nested-0001@example.cn>"
    alternative = MIMEMultipart("alternative", boundary="=_outer_alt")  # starts with the outer boundary
    alternative.attach(MIMEText("正文在这里。\n", "plain", "utf-8"))
    related = MIMEMultipart("related", boundary="=_related")
    related.attach(MIMEText('<p>正文在这里。<img src="cid:logo"></p>', "html", "utf-8"))
    logo = MIMEImage(PNG, "png")
    logo["Content-ID"] = "<logo>"
    logo["Content-Disposition"] = "inline"
    related.attach(logo)
    alternative.attach(related)
    m.attach(alternative)
    forwarded = EmailMessage()
    forwarded["From"] = "notice@example.gov.cn"
    forwarded["Subject"] = "Notice"
    forwarded.set_content("Forwarded body.\n")
    from email.mime.message import MIMEMessage as Rfc822
    m.attach(Rfc822(forwarded))
    m.attach(MIMEText("第二段。\n", "plain", "utf-8"))
    write("nested", m)


def typical_20k():
    """A typical client message of about 20 KiB: alternative text and HTML, a small PDF, for the benchmark."""
    m = MIMEMultipart("mixed", boundary="bench-mixed")
    m["From"] = addr("张先生", "zhang.san@example.cn")
    m["To"] = "service@zone.example.gov.cn"
    m["Subject"] = Header("厂房用地规划许可进度咨询（补充材料）", "utf-8").encode()
    m["Date"] = DATE
    m["Message-ID"] = "<typical-0001@example.cn>"
    for i in range(8):
        m["Received"] = "from mx%d.example.cn (mx%d.example.cn [192.0.2.%d]) by mx.zone.example.gov.cn with ESMTPS id %08X; %s" % (i, i, i, i, DATE)
    alt = MIMEMultipart("alternative", boundary="bench-alt")
    paragraph = "我公司位于滨海新区，主营精密仪器制造，现就厂房用地规划许可的办理进度咨询如下问题。\n" * 30
    alt.attach(MIMEText(paragraph + "联系电话：138 1234 5678\n", "plain", "utf-8"))
    alt.attach(MIMEText("<html><body>" + "".join("<p>%s</p>" % line for line in paragraph.splitlines()) + "</body></html>", "html", "utf-8"))
    m.attach(alt)
    pdf = MIMEApplication(bytes((i * 7) % 256 for i in range(6000)), "pdf")
    pdf["Content-Disposition"] = "attachment; filename*=UTF-8''%E7%94%B3%E8%AF%B7%E8%A1%A8.pdf"
    m.attach(pdf)
    write("typical_20k", m)


for build in [plain_utf8, gb2312_gbk, gb18030_four_byte, big5, base64_body, quoted_printable_body, folded_subject,
              html_only, alternative, attachments, nested, auto_reply, bounce, reply_outlook, case_token, typical_20k]:
    build()
