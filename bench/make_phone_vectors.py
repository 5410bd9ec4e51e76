#!/usr/bin/env python3
"""Writes bench/phone_vectors.tsv: phone-number test vectors for requester.phone normalisation
(SPEC §2: "phone — normalised to E.164, +86…"), with Google's libphonenumber as the ORACLE through
its Python port.

    pip install phonenumbers==8.12.57      # same metadata generation as Debian's libphonenumber 8.12.57
    python3 bench/make_phone_vectors.py > bench/phone_vectors.tsv

Deterministic: a fixed seed, no inputs; 5 000 distinct inputs. The script refuses to run with any
other phonenumbers version (the expected answers depend on the metadata).

Columns (tab-separated, header line first):
    input      what a person typed (never contains a tab or a newline)
    e164       phonenumbers.format_number(n, E164) when phonenumbers.is_valid_number(n), else empty
    extension  the extension digits (ASCII) when the number is valid and has one, else empty
    valid      true | false
    shape      which generator the input came from, so that disagreements can be grouped

ORACLE RULES (an implementation under test must reproduce these answers):
  1. Chinese extension markers. libphonenumber does not know 转 / 分机, so first: if the input ends
     with `转NNNN` or `分机NNNN` (regex  ^(.*?)\\s*(?:转|分机)\\s*([0-9０-９]+)\\s*$ ), the digits are the
     extension (full-width digits folded to ASCII) and only the part before the marker is parsed
     below. `ext.`, `ext`, `x`, `#`, `;ext=` are left in the text: phonenumbers handles those itself
     (and reports numobj.extension). A dash before extension digits (`010-63816362-8001`) is NOT an
     extension marker for libphonenumber; whatever it answers is the answer.
  2. Bare local number. If the (remaining) text, after removing spaces (also U+3000), dashes
     (- － ‐ – —) and parentheses (( ) （ )), and folding full-width digits to ASCII, is 7 or 8 digits
     not starting with 0 or 1, it is a local number in the zone's default area code: parse
     "022" + those digits with region "CN". (So 88839428 → +862288839428; a 7-digit 6629000 becomes
     0226629000, which is not a valid Tianjin number → invalid.)
  3. Everything else is given exactly as typed (after rule 1) to phonenumbers.parse(text, "CN").
  3a. Carrier "IP dialling" prefix (SPEC/issue 15: `17951 0755 36719734` must normalise; the CN
     metadata of 8.12 does not strip these carrier-selection codes): if rule 3 finds no valid
     number, the digits (after removing the rule-2 separators) start with 17951, 17911, 12593,
     17901, 17909, 17908 or 10193 and at least 10 digits follow it, the digits after the prefix
     are parsed instead.
  3b. Dash extension (issue 15: `-8001` is kept apart from the number): if still no valid number
     and the text ends with `-NNNN` (1–6 digits after a last - or －), the part before the dash is
     judged by rules 2–3a; when that is valid, the digits are its extension.
  4. phonenumbers.NumberParseException → invalid. A parsed number is valid iff
     phonenumbers.is_valid_number(n). For an invalid number both e164 and extension are empty.
  No other cleaning: full-width digits/plus/parentheses, leading labels (电话：), +86 / 0086 / 86
  prefixes are all left to phonenumbers.
"""
import random
import re
import sys

import phonenumbers

EXPECTED_VERSION = "8.12.57"
SEED = 20250522
TOTAL = 5000

# ---------------------------------------------------------------- oracle

EXT_ZH = re.compile(r"^(.*?)\s*(?:转|分机)\s*([0-9０-９]+)\s*$")
STRIP = re.compile(r"[ \u3000\-－‐–—()（）]")
FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")
BARE_LOCAL = re.compile(r"[2-9]\d{6,7}")
DEFAULT_AREA_CODE = "022"
CARRIER_CODES = ["17951", "17911", "12593", "17901", "17909", "17908", "10193"]
EXT_DASH = re.compile(r"^(.*[0-9０-９])\s*[-－]\s*([0-9０-９]{1,6})\s*$")


def oracle(text):
    """(e164, extension, valid) by the rules in the module docstring."""
    extension = ""
    m = EXT_ZH.match(text)
    if m:
        text, extension = m.group(1), m.group(2).translate(FULLWIDTH_DIGITS)
    found = judge(text)
    if found is None and not extension:
        m = EXT_DASH.match(text)
        if m:
            head = judge(m.group(1))
            if head is not None:
                return head[0], m.group(2).translate(FULLWIDTH_DIGITS), True
    if found is None:
        return "", "", False
    return found[0], extension or found[1], True


def parse_valid(text):
    try:
        n = phonenumbers.parse(text, "CN")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(n):
        return None
    return phonenumbers.format_number(n, phonenumbers.PhoneNumberFormat.E164), (n.extension or "")


def judge(text):
    """Rules 2, 3 and 3a: (e164, extension) or None."""
    folded = STRIP.sub("", text).translate(FULLWIDTH_DIGITS)
    if BARE_LOCAL.fullmatch(folded):
        return parse_valid(DEFAULT_AREA_CODE + folded)
    found = parse_valid(text)
    if found is None and folded.isdigit():
        prefix = next((p for p in CARRIER_CODES if folded.startswith(p)), None)
        if prefix and len(folded) - len(prefix) >= 10:
            found = parse_valid(folded[len(prefix):])
    return found


# ---------------------------------------------------------------- generators

rng = random.Random(SEED)

MOBILE_PREFIXES = ["130", "131", "132", "133", "134", "135", "136", "137", "138", "139", "145", "147",
                   "150", "151", "152", "153", "155", "156", "157", "158", "159", "162", "165", "166",
                   "167", "170", "171", "172", "173", "175", "176", "177", "178", "180", "181", "182",
                   "183", "184", "185", "186", "187", "188", "189", "190", "191", "192", "193", "195",
                   "196", "197", "198", "199"]
# Prefixes that are not (or not all) assigned mobile ranges; the oracle decides.
ODD_MOBILE_PREFIXES = ["100", "101", "102", "110", "112", "120", "121", "140", "141", "142", "143",
                       "144", "146", "148", "149", "154", "160", "161", "163", "164", "168", "169",
                       "174", "179", "194"]
AREA3 = ["10", "20", "21", "22", "22", "22", "23", "24", "25", "27", "28", "29"]   # 022 more often
AREA4 = ["755", "571", "512", "531", "532", "311", "371", "731", "591", "592", "898", "351",
         "431", "451", "471", "871", "931", "991", "316", "315", "335", "519", "516", "769"]
CARRIERS = ["17951", "12593", "17911", "17909", "10193", "17908"]
SERVICES = ["110", "119", "120", "122", "12345", "12315", "12366", "12333", "12320", "10086", "10010",
            "10000", "95588", "95533", "95566", "96196", "114", "12110", "12123", "95598"]
LABELS = ["电话：", "手机：", "联系电话：", "Tel:", "tel ", "座机", "手机号:", "电话 ", "联系人手机", "T:"]
EXT_EN = [" ext. {e}", " ext.{e}", " ext {e}", "ext.{e}", " x{e}", " x {e}", "#{e}", " #{e}", ";ext={e}",
          " EXT {e}", " Ext.{e}"]


def digits(k, first="0123456789"):
    return rng.choice(first) + "".join(rng.choice("0123456789") for _ in range(k - 1))


def mobile():
    return rng.choice(MOBILE_PREFIXES) + digits(8)


def subscriber(area):
    if len(area) == 2:
        return digits(8, "2345678")
    return digits(rng.choice([8, 8, 8, 7]), "2345678")


def landline():
    area = rng.choice(AREA3 if rng.random() < 0.6 else AREA4)
    return area, subscriber(area)


def group_mobile(m, sep):
    return m[:3] + sep + m[3:7] + sep + m[7:]


def group_sub(s, sep):
    return s[:4] + sep + s[4:] if len(s) == 8 else s[:3] + sep + s[3:]


def fullwidth(text):
    out = []
    for c in text:
        if c.isdigit():
            out.append(chr(ord("０") + int(c)))
        elif c == "+":
            out.append("＋")
        elif c == "-" and rng.random() < 0.5:
            out.append("－")
        elif c == "(":
            out.append("（")
        elif c == ")":
            out.append("）")
        elif c == " " and rng.random() < 0.3:
            out.append("\u3000")
        else:
            out.append(c)
    return "".join(out)


def mobile_digits():
    return mobile()


def mobile_spaced():
    return group_mobile(mobile(), rng.choice([" ", " ", "  "]))


def mobile_dashed():
    m = mobile()
    return rng.choice([group_mobile(m, "-"), m[:3] + "-" + m[3:], m[:3] + "-" + m[3:7] + " " + m[7:]])


def mobile_plus86():
    m = mobile()
    return rng.choice(["+86 " + m, "+86" + m, "+86 " + group_mobile(m, " "), "+86-" + group_mobile(m, "-"),
                       "+86-" + m, "+ 86 " + m])


def mobile_0086():
    m = mobile()
    return rng.choice(["0086" + m, "0086 " + m, "0086-" + m, "0086 " + group_mobile(m, " "),
                       "0086-" + group_mobile(m, "-")])


def mobile_86():
    m = mobile()
    return rng.choice(["86" + m, "86 " + m, "86-" + m, "86-" + group_mobile(m, "-"), "86 " + group_mobile(m, " ")])


def mobile_paren86():
    m = mobile()
    return rng.choice(["(+86)" + m, "(+86) " + m, "(86)" + m, "(+86)" + group_mobile(m, "-"),
                       "（+86）" + m, "(0086)" + m])


def mobile_fullwidth():
    return fullwidth(rng.choice([mobile_digits, mobile_spaced, mobile_dashed, mobile_plus86])())


def landline_dash():
    a, s = landline()
    return rng.choice(["0" + a + "-" + s, "0" + a + "-" + group_sub(s, "-"), "0" + a + " - " + s])


def landline_paren():
    a, s = landline()
    return rng.choice(["(0" + a + ")" + s, "(0" + a + ") " + s, "（0" + a + "）" + s,
                       "(0" + a + ")" + group_sub(s, "-"), "(0" + a + ")-" + s])


def landline_spaced():
    a, s = landline()
    return rng.choice(["0" + a + " " + group_sub(s, " "), "0" + a + " " + s, "0" + a + s])


def landline_plus86():
    a, s = landline()
    return rng.choice(["+86 " + a + " " + s, "+86-" + a + "-" + s, "+86" + a + s, "+86 (" + a + ") " + s,
                       "+86 " + a + " " + group_sub(s, " "), "+86 0" + a + " " + s])


def landline_0086():
    a, s = landline()
    return rng.choice(["0086-" + a + "-" + s, "0086 " + a + " " + s, "0086" + a + s, "0086-0" + a + "-" + s])


def landline_86():
    a, s = landline()
    return rng.choice(["86-" + a + "-" + s, "86 " + a + " " + s, "86-0" + a + "-" + s, "86(" + a + ")" + s])


def landline_fullwidth():
    return fullwidth(rng.choice([landline_dash, landline_paren, landline_spaced, landline_plus86])())


def local_bare():
    s = digits(8, "2345678")
    return rng.choice([s, s, group_sub(s, " "), group_sub(s, "-"), "(" + s + ")", fullwidth(s)])


def local_7digit():
    s = digits(7, "2345678")
    return rng.choice([s, s, s[:3] + "-" + s[3:], s[:3] + " " + s[3:]])


def carrier_prefix():
    c = rng.choice(CARRIERS)
    sep = rng.choice([" ", "", "-"])
    if rng.random() < 0.5:
        a, s = landline()
        return c + sep + "0" + a + rng.choice([" ", "", "-"]) + s
    return c + sep + rng.choice([mobile(), group_mobile(mobile(), " ")])


def any_landline_text():
    return rng.choice([landline_dash, landline_paren, landline_spaced, landline_plus86])()


def ext_digits():
    return digits(rng.choice([3, 4, 4, 4, 5, 6]), "123456789")


def ext_dash():
    base = rng.choice([any_landline_text(), digits(8, "2345678")])
    return base + "-" + ext_digits()


def ext_zhuan():
    base = rng.choice([any_landline_text(), any_landline_text(), digits(8, "2345678"), mobile()])
    e = ext_digits()
    text = base + rng.choice(["转", " 转", "转 ", " 转 "]) + e
    return fullwidth(text) if rng.random() < 0.1 else text


def ext_english():
    base = rng.choice([any_landline_text(), any_landline_text(), "+86 " + mobile(), digits(8, "2345678")])
    return base + rng.choice(EXT_EN).format(e=ext_digits())


def ext_fenji():
    base = rng.choice([any_landline_text(), any_landline_text(), digits(8, "2345678")])
    return base + rng.choice(["分机", " 分机", "分机 ", " 分机 "]) + ext_digits()


def invalid_short_landline():
    a = rng.choice(["10", "21", "22", "20"])
    s = digits(7, "2345678")
    return rng.choice(["0" + a + "-" + s, "(0" + a + ")" + s, "0" + a + " " + s, "+86 " + a + " " + s])


def invalid_mobile_prefix():
    m = rng.choice(ODD_MOBILE_PREFIXES) + digits(8)
    return rng.choice([m, group_mobile(m, " "), "+86 " + m])


def foreign():
    return rng.choice([
        "+852 " + digits(8, "235679"),          # Hong Kong
        "+852 " + digits(5, "1"),                # +852 19971-like: too short
        "+853 " + "6" + digits(7),               # Macau mobile
        "+886 9" + digits(8),                    # Taiwan mobile
        "+886 2 " + digits(8, "2"),              # Taipei
        "+1 " + rng.choice(["212", "415", "202"]) + " " + digits(3, "2345678") + " " + digits(4),
        "+1 555 " + digits(3) + " " + digits(4),
        "+81 3 " + digits(4) + " " + digits(4),  # Tokyo
        "+44 20 " + digits(4) + " " + digits(4), # London
        "+49 30 " + digits(8),                   # Berlin
        "00852 " + digits(8, "2369"),
        "+65 " + digits(8, "689"),               # Singapore
    ])


def wrong_length():
    return rng.choice([
        digits(rng.randint(1, 6), "123456789"),
        "1" + digits(rng.choice([9, 11, 12]), "3589"),         # mobile one digit short / long
        "022-" + digits(rng.choice([5, 6, 9, 10]), "2345678"),
        "010-" + digits(rng.choice([6, 9]), "2345678"),
        digits(rng.randint(13, 20)),
        "+86 " + digits(rng.choice([4, 5, 6, 13, 14]), "123456789"),
        "0" + digits(rng.choice([3, 4, 5]), "123456789"),
        "9" + digits(rng.choice([6, 8, 9]), "0123456789"),
    ])


def letters_in_digits():
    """Letters typed among the digits. NB libphonenumber maps letters to keypad digits when a number has
    3 or more of them (vanity numbers), so some of these come out valid: that is the oracle's answer."""
    m = mobile()
    return rng.choice([
        m[:5] + "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(4)) + m[9:],
        "022-8883-94" + rng.choice(["OO", "Ol", "lO", "AB"]),
        "1" + "".join(rng.choice("OoIl") for _ in range(2)) + m[3:],
        m[:3] + "****" + m[7:],
        m[:3] + "xxxx" + m[7:],
        m + "abc",
    ])


def letters_label():
    """A number behind a Latin-letter label; phonenumbers skips to the first digit."""
    m = mobile()
    return rng.choice(["tel:" + m, "WX:" + m, "Tel." + m, "mobile " + m, "TEL:" + landline_dash()])


def not_a_number():
    return rng.choice(["abc", "none", "无", "暂无", "同上", "N/A", "手机", "tel", "-", "xxxxxxxx",
                       "138xxxx5678", "见附件", "不方便留", "0", "000000", "未知", "NULL", "***", "——", "电话"])


def service_number():
    s = rng.choice(SERVICES)
    return rng.choice([s, s, "022-" + s, "(022)" + s, "+86 " + s, "022" + s])


def service_400():
    return rng.choice(["400-" + digits(3) + "-" + digits(4), "400" + digits(7), "800-" + digits(3) + "-" + digits(4),
                       "4008" + digits(6), "400 " + digits(3) + " " + digits(4)])


def label_prefix():
    body = rng.choice([mobile(), group_mobile(mobile(), " "), landline_dash(), landline_paren(), "+86 " + mobile()])
    return rng.choice(LABELS) + body


SHAPES = [  # (shape, count, generator) — counts add up to TOTAL
    ("mobile_digits", 250, mobile_digits), ("mobile_spaced", 200, mobile_spaced),
    ("mobile_dashed", 200, mobile_dashed), ("mobile_plus86", 250, mobile_plus86),
    ("mobile_0086", 150, mobile_0086), ("mobile_86", 120, mobile_86),
    ("mobile_paren86", 120, mobile_paren86), ("mobile_fullwidth", 160, mobile_fullwidth),
    ("landline_dash", 300, landline_dash), ("landline_paren", 220, landline_paren),
    ("landline_spaced", 200, landline_spaced), ("landline_plus86", 220, landline_plus86),
    ("landline_0086", 160, landline_0086), ("landline_86", 120, landline_86),
    ("landline_fullwidth", 130, landline_fullwidth),
    ("local_bare", 300, local_bare), ("local_7digit", 100, local_7digit),
    ("carrier_prefix", 220, carrier_prefix),
    ("ext_dash", 130, ext_dash), ("ext_zhuan", 200, ext_zhuan), ("ext_english", 200, ext_english),
    ("ext_fenji", 150, ext_fenji),
    ("invalid_short_landline", 100, invalid_short_landline), ("invalid_mobile_prefix", 100, invalid_mobile_prefix),
    ("foreign", 160, foreign), ("wrong_length", 160, wrong_length), ("letters_in_digits", 80, letters_in_digits),
    ("letters_label", 30, letters_label), ("not_a_number", 10, not_a_number),
    ("service_number", 100, service_number), ("service_400", 60, service_400), ("label_prefix", 100, label_prefix),
]

# Hand-picked inputs from the brief, always present (counted inside their shape's quota).
FIXED = [
    ("mobile_spaced", "138 1234 5678"), ("mobile_dashed", "138-1234-5678"), ("mobile_plus86", "+86 138 1234 5678"),
    ("mobile_0086", "0086 13812345678"), ("mobile_86", "86-138-1234-5678"), ("mobile_paren86", "(+86)13812345678"),
    ("mobile_fullwidth", "１３８１２３４５６７８"), ("landline_dash", "010-63816362"),
    ("landline_paren", "(022)88839428"), ("landline_spaced", "022 8883 9428"),
    ("landline_plus86", "+86 10 63816362"), ("landline_0086", "0086-10-63816362"), ("landline_86", "86-22-88839428"),
    ("local_bare", "88839428"), ("local_7digit", "6629000"), ("carrier_prefix", "17951 0755 36719734"),
    ("carrier_prefix", "12593 13812345678"), ("ext_dash", "010-63816362-8001"), ("ext_zhuan", "022-88839428转8001"),
    ("ext_english", "022-88839428 ext. 8001"), ("ext_fenji", "022-88839428分机8001"),
    ("invalid_short_landline", "010-7596480"), ("invalid_mobile_prefix", "14815837318"), ("foreign", "+852 19971"),
    ("service_number", "12345"), ("service_number", "110"),
]


def main():
    if phonenumbers.__version__ != EXPECTED_VERSION:
        sys.exit(f"phonenumbers {phonenumbers.__version__} installed; the vectors need {EXPECTED_VERSION}")
    seen, rows = set(), []
    fixed_by_shape = {}
    for shape, text in FIXED:
        fixed_by_shape.setdefault(shape, []).append(text)
    for shape, count, generate in SHAPES:
        made = 0
        for text in fixed_by_shape.get(shape, []):
            seen.add(text)
            rows.append((text, shape))
            made += 1
        attempts = 0
        while made < count:
            attempts += 1
            if attempts > count * 200:
                sys.exit(f"shape {shape}: cannot make {count} distinct inputs")
            text = generate()
            if text in seen or "\t" in text or "\n" in text or text != text.strip():
                continue
            seen.add(text)
            rows.append((text, shape))
            made += 1
    assert len(rows) == TOTAL, len(rows)
    out = sys.stdout
    out.write("input\te164\textension\tvalid\tshape\n")
    for text, shape in rows:
        e164, extension, valid = oracle(text)
        out.write(f"{text}\t{e164}\t{extension}\t{'true' if valid else 'false'}\t{shape}\n")


if __name__ == "__main__":
    main()
