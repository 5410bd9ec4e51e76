#!/usr/bin/env python3
"""Writes the hotline export fixtures the tests drop into a spool directory.

Run from this directory: python3 make_fixtures.py. The files are committed; this script says
how they were made and makes them again when a fixture has to change.
"""

HEADER = ["工单编号", "来电时间", "来电号码", "诉求人", "企业名称", "统一社会信用代码",
          "诉求类型", "诉求标题", "诉求内容", "所属区域", "紧急程度", "承办部门"]
ALIASES = ["工单号", "受理时间", "联系电话", "来电人", "单位名称", "信用代码",
           "问题类型", "标题", "问题描述", "区域", "紧急程度", "回访结果"]
ALIASES2 = ["受理编号", "来电日期", "主叫号码", "联系人", "企业名称", "统一社会信用代码",
            "诉求分类", "诉求标题", "来电内容", "街道", "紧急程度", "备注"]

TOPICS = [("土地", "厂房用地规划许可进度咨询", "我司厂房用地规划许可已提交两个月，请问目前进度如何？"),
          ("人才", "人才公寓申请", "新引进的三名研发人员申请人才公寓，材料已交齐，想了解审核时间。"),
          ("资金", "技改补贴拨付", "去年的技术改造补贴至今未拨付，请协调财政部门尽快处理。"),
          ("环保", "环评批复", "新建涂装车间的环评报告已受理，想确认批复的预计时间。"),
          ("政策", "研发费用加计扣除", "咨询研发费用加计扣除政策在本区的执行口径。")]
DISTRICTS = ["泰达街道", "新城街道", "古林街道"]


def row(n, prefix, when, urgent=False, description=None, name="张先生"):
    category, subject, text = TOPICS[n % len(TOPICS)]
    return [f"{prefix}{n:06d}", when, f"1381234{n % 10000:04d}", name,
            f"天津某某科技有限公司{n}", "91120116MA07K3RD93", category, subject,
            description if description is not None else f"{text}（第{n}号）",
            DISTRICTS[n % 3], "特急" if urgent else "一般", "区营商环境办"]


class Raw(str):
    """A field written as it is, unquoted: Excel's bare ="0123" guard."""


def csv_line(fields, delimiter=","):
    out = []
    for field in fields:
        if not isinstance(field, Raw) and any(c in field for c in (delimiter, '"', "\n", "\r")):
            field = '"' + field.replace('"', '""') + '"'
        out.append(field)
    return delimiter.join(out)


def write(name, lines, encoding, newline="\n", bom=b""):
    with open(name, "wb") as f:
        f.write(bom + newline.join(lines).encode(encoding) + newline.encode(encoding))


# GB18030 as Excel on Chinese Windows saves it: CRLF, ="…" text guards on the work-order
# number (bare) and on one landline (quoted: "=""…"""), a GBK-only character (镕), a quoted description with an embedded
# line break, two trailing empty columns, and a closing summary line.
lines = [csv_line(HEADER + ["", ""])]
for n in range(1, 21):
    fields = row(n, "GB", f"2026/2/{(n % 27) + 1} 9:{n:02d}", urgent=(n % 7 == 0),
                 name="朱镕先生" if n == 3 else "张先生")
    fields[0] = Raw(f'="{fields[0]}"')
    if n == 5:
        fields[2] = '="022-66290000"'
        fields[8] = "第一行说明\n第二行说明，含有\"引号\""
    lines.append(csv_line(fields + ["", ""]))
lines.append(csv_line(["合计：20条"] + [""] * 13))
write("gb18030_excel.csv", lines, "gb18030", newline="\r\n")

# UTF-8 with a BOM, the alias headers, dates written 2026年2月26日 9时13分.
lines = [csv_line(ALIASES)]
for n in range(1, 11):
    lines.append(csv_line(row(n, "U8", f"2026年2月{n + 1}日 9时{n:02d}分")))
write("utf8_bom.csv", lines, "utf-8", bom=b"\xef\xbb\xbf")

# UTF-16 LE with a BOM, tab-separated, the other aliases, dates as Excel serial numbers.
lines = [csv_line(ALIASES2, "\t")]
for n in range(1, 9):
    lines.append(csv_line(row(n, "U16", f"{46079 + n}.38402777778"), "\t"))
write("utf16_tab.tsv", lines, "utf-16-le", bom=b"\xff\xfe")

# 50 rows, 3 of them bad. Row 5's description spans two lines, so data row n (n >= 6) is on
# line n + 2: the bad rows 10, 25 and 40 are on lines 12, 27 and 42.
lines = [csv_line(HEADER)]
for n in range(1, 51):
    fields = row(n, "BR", f"2026-02-26 09:{n % 60:02d}:05")
    if n == 5:
        fields[8] = "两行的\n诉求内容"
    if n == 10:
        fields[1] = "2026-13-45 25:00"      # no such date
    if n == 25:
        fields[8] = ""                      # description is required
    if n == 40:
        fields[0] = ""                      # so is the work-order number
    lines.append(csv_line(fields))
write("bad_rows.csv", lines, "utf-8")

# A header that names none of the required fields: quarantined whole.
write("unknown_header.csv", [csv_line(["编号", "日期", "内容"]), csv_line(["1", "2026-02-26", "你好"])], "utf-8")

# Two daily exports that overlap: day 2 repeats OV000006…OV000010 (OV000008 edited) and adds
# OV000011…OV000015.
lines = [csv_line(HEADER)] + [csv_line(row(n, "OV", "2026-02-26 10:00:00")) for n in range(1, 11)]
write("overlap_day1.csv", lines, "utf-8")
lines = [csv_line(HEADER)]
for n in range(6, 16):
    lines.append(csv_line(row(n, "OV", "2026-02-26 10:00:00",
                              description="补充说明：企业已重新提交材料，请再次核查。" if n == 8 else None)))
write("overlap_day2.csv", lines, "utf-8")
