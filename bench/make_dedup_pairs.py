#!/usr/bin/env python3
"""Writes bench/dedup_pairs.jsonl: labelled pairs of Chinese enterprise demands for the
deduplication evaluation (DedupEvaluation.run). Deterministic: a fixed seed, no inputs.

Kinds (label in brackets):
  resend      [dup]  the same text sent again (whitespace may differ)
  light_edit  [dup]  a few characters changed, two clauses swapped, punctuation changed,
                     or a greeting added/removed; one or two of these at once
  greeting    [dup]  greetings and closing formulas added around the same demand
  truncation  [dup]  the demand cut at a clause boundary, keeping at least 80 % of it
  template    [not]  same enterprise and the same wording frame, a different subject matter
  unrelated   [not]  two demands on different subjects from different enterprises

Usage: python3 bench/make_dedup_pairs.py > bench/dedup_pairs.jsonl
"""
import re
import json
import random
import sys

rng = random.Random(20240607)

ENTERPRISES = [
    "天津华泰精密机械有限公司", "天津市滨海新区海岳新材料科技有限公司", "天津恒瑞生物医药股份有限公司",
    "天津众联物流有限责任公司", "天津北辰金桥食品有限公司", "天津云帆软件技术有限公司",
    "天津西青宏达包装制品厂", "天津津南绿源环保工程有限公司", "天津东丽博远汽车零部件有限公司",
    "天津武清德信家具有限公司", "天津宝坻新星电子有限公司", "天津静海顺通钢管有限公司",
    "天津中科智联信息技术有限公司", "天津南开创新教育咨询有限公司", "天津河西康泰医疗器械有限公司",
    "天津红桥老字号糕点有限公司", "天津蓟州山野农业开发有限公司", "天津宁河海丰水产有限公司",
]
DISTRICTS = ["滨海新区", "西青区", "津南区", "东丽区", "北辰区", "武清区", "宝坻区", "静海区", "南开区", "河西区"]
BUSINESS = ["精密零部件加工", "新材料研发", "生物医药研发生产", "仓储物流", "食品生产", "软件开发",
            "包装制品生产", "环保工程", "汽车零部件制造", "家具制造", "电子元器件生产", "钢管生产"]

# Each topic: problem sentences (two or three are used) and asks (one is used).
TOPICS = {
    "land": (["我公司于{y}年通过挂牌取得{n}亩工业用地", "土地出让合同约定的交地时间已过去{m}个月",
              "地块内仍有{k}处电杆和一条排水沟没有迁移", "由于无法开工，设备已在仓库闲置", "我们多次联系园区管委会未得到明确答复"],
             ["希望协调尽快完成场地平整和交地", "请明确交地时间并协调相关部门迁改管线"]),
    "permit": (["我公司于{mo}月{d}日通过政务服务网提交了排污许可证变更申请", "材料包括环评批复和监测报告共{k}份",
                "系统显示已受理但一直处于审核中", "期间补正过一次材料", "新生产线因此无法投入试运行，每天损失约{n}万元"],
               ["请帮助查询审批进度并加快办理", "希望明确还需要补充哪些材料以及办结时间"]),
    "talent": (["我公司今年引进了{k}名硕士研究生和{k2}名博士", "按照人才新政可以申请落户和安家补贴",
                "提交申请后已超过{m}个月没有结果", "人社窗口说需要等待区里统一审核", "几位员工因为户口问题无法给孩子办理入学"],
               ["请协调加快人才落户审核", "希望告知补贴发放的具体时间和流程"]),
    "finance": (["受订单回款周期影响，公司流动资金紧张", "我们向银行申请了{n}万元的科技型企业贷款",
                 "银行要求提供担保，但公司厂房是租赁的", "听说区里有政策性担保和贴息政策", "原材料采购款下月{d}日到期"],
                ["希望帮助对接担保机构和贴息政策", "请协调合作银行加快放款"]),
    "tax": (["我公司{y}年度研发费用加计扣除申报时系统提示数据异常", "研发项目共{k}个，均已在科技部门备案",
             "税务专管员要求补充立项材料", "我们补充后仍然无法通过", "因此多缴纳企业所得税约{n}万元"],
            ["请税务部门帮助核实并办理退税", "希望安排专人辅导加计扣除申报"]),
    "utility": (["公司所在的{road}路段近一个月频繁停电", "最长一次停电持续{k}个小时",
                 "生产线突然断电导致一批产品报废", "供电所说是线路老化需要改造", "我们申请的双回路供电至今没有批复"],
                ["请协调供电部门尽快改造线路", "希望明确双回路供电的办理时间"]),
    "water": (["园区自来水管网压力不足", "每天上午{k}点到{k2}点车间基本没有水",
               "锅炉和清洗工序无法正常运行", "已经向水务公司报修{m}次", "维修人员来看过后没有下文"],
              ["请协调水务部门解决供水压力问题", "希望尽快完成管网改造"]),
    "ip": (["我公司的注册商标被一家外地企业仿冒", "对方在电商平台销售同款包装的产品",
            "已经发现侵权链接{k}个", "给我们造成了约{n}万元的损失", "向平台投诉后对方换个店铺继续销售"],
           ["请市场监管部门协助调查处理", "希望提供知识产权维权援助"]),
    "labor": (["我公司是劳动密集型企业，一线员工约{k}人", "今年春节后返岗率只有六成左右",
               "多次在招聘网站发布岗位效果不好", "听说人社部门会组织专场招聘会", "另外想了解稳岗补贴的申领条件"],
              ["希望帮助对接用工渠道", "请告知稳岗返还的申请流程"]),
    "planning": (["我公司计划在现有厂区内新建一栋{k}层的研发楼", "规划条件中的容积率限制为{r}",
                  "按现在的规划指标无法满足研发需要", "已经向规划部门提交了调整申请", "设计单位的方案已经修改了{m}次"],
                 ["请规划部门尽快给出是否可以调整的意见", "希望组织一次现场协调会"]),
    "policy": (["我们看到市里发布了支持专精特新企业发展的若干措施", "不清楚我公司是否符合申报条件",
                "公司去年营业收入约{n}万元，研发投入占比{k}%", "拥有发明专利{k2}项", "区工信局的电话一直打不通"],
               ["请帮助解读政策并指导申报", "希望告知申报截止时间和所需材料"]),
    "env": (["公司周边有一家企业夜间排放刺鼻气味", "我们的员工多次反映头晕恶心",
             "气味一般在晚上{k}点以后最明显", "已经拨打过环保热线{m}次", "担心影响我们的食品生产资质"],
            ["请生态环境部门尽快到现场检查", "希望查明污染源并依法处理"]),
}
ROADS = ["津塘公路", "京福公路", "海泰大道", "宏源道", "微山路", "津围公路", "华苑路"]

ITEMS = ["排污许可证变更", "食品经营许可证延续", "建设工程规划许可证", "危险化学品经营许可证换证",
         "消防验收备案", "高新技术企业认定", "医疗器械生产许可证", "道路运输经营许可证", "取水许可证", "施工许可证"]
FRAMES = [
    "我公司{e}于{date}通过政务服务网申请办理{item}，材料已全部提交，至今未办结，请帮助查询办理进度。",
    "{e}反映：{date}向区行政审批局提交了{item}的申请，窗口已受理，但超过承诺时限仍未出结果，希望尽快办结。",
    "关于{item}办理进度的咨询：{e}的{item}申请已于{date}受理，目前系统显示审核中，请告知预计办结时间。",
]

GREETINGS = ["您好！", "尊敬的领导：", "领导好，", "你好，", "尊敬的各位领导，您好！"]
CLOSINGS = ["请尽快处理，谢谢！", "谢谢！", "麻烦了，辛苦了！", "此致敬礼！", "非常感谢！", "请尽快处理为盼。"]


REMINDERS = ["此前已通过热线反映过，至今没有回音。", "这是第二次提交该诉求。", "请相关部门予以重视。",
             "上周已在网站上留言，未见答复，现再次提交。", "因事情紧急，再次来信。"]


# A clause with one slot and the values it is filled with (second None: two of the list).
SLOTS = [
    ("需要为员工{}办理", ["王磊", "刘洋", "陈静", "杨帆", "赵敏", "黄海涛", "周婷", "吴刚"], None),
    ("此次申请的是{}", ["施工许可证", "排污许可证", "取水许可证", "经营许可证", "卫生许可证"], None),
    ("涉及园区{}号楼", ["三", "五", "七", "九", "十二"], None),
    ("涉及的是{}年的数据", ["上半", "下半"], None),
    ("负责对接的是{}经理", ["张", "李", "孙", "马", "郑"], None),
    ("申报的是{}项目", ["技改", "研发", "人才", "节能", "外贸"], None),
]


def fill(sentence):
    return sentence.format(
        y=rng.choice([2021, 2022, 2023]), n=rng.choice([30, 45, 60, 80, 120, 200, 350, 500]),
        m=rng.randint(2, 8), k=rng.randint(3, 12), k2=rng.randint(1, 5), d=rng.randint(1, 28),
        mo=rng.randint(1, 12), r=rng.choice(["1.0", "1.2", "1.5"]), road=rng.choice(ROADS))


def demand(enterprise, topic, details=None):
    """A demand as clauses (joined with ，and 。), and the details used, so a template pair can reuse
    the frame with a different subject."""
    problems, asks = TOPICS[topic]
    if details is None:
        details = {"district": rng.choice(DISTRICTS), "business": rng.choice(BUSINESS)}
    chosen = sorted(rng.sample(range(len(problems)), rng.randint(3, 4)))
    clauses = [f"我公司是{enterprise}", f"位于{details['district']}", f"主要从事{details['business']}"]
    clauses += [fill(problems[i]) for i in chosen]
    clauses.append(fill(rng.choice(asks)))
    return clauses, details


def join(clauses, comma="，", stop="。"):
    # Sentences end after the introduction and before the ask.
    text = ""
    for i, clause in enumerate(clauses):
        text += clause
        text += stop if i in (2, len(clauses) - 2, len(clauses) - 1) else comma
    return text


SIMILAR = "的了是在和有我们公司这个那对于请问到已经没有"


def change_characters(text, count):
    chars = list(text)
    positions = [i for i, c in enumerate(chars) if "\u4e00" <= c <= "\u9fff"]
    for i in rng.sample(positions, count):
        chars[i] = rng.choice(SIMILAR)
    return "".join(chars)


def light_edit(clauses):
    operations = rng.sample(["characters", "swap", "punctuation", "greeting", "drop_word"], rng.randint(1, 2))
    edited = list(clauses)
    if "swap" in operations:
        i = rng.randint(3, len(edited) - 3)
        edited[i], edited[i + 1] = edited[i + 1], edited[i]
    if "drop_word" in operations:
        i = rng.randint(3, len(edited) - 1)
        edited[i] = edited[i].replace("已经", "").replace("我们", "").replace("一直", "") or edited[i]
    text = join(edited, *(("，", "。") if "punctuation" not in operations else rng.choice([(",", "."), (" ", "！"), ("、", "；")])))
    if "characters" in operations:
        text = change_characters(text, rng.randint(1, 3))
    if "greeting" in operations:
        text = rng.choice(GREETINGS) + text + rng.choice(CLOSINGS)
    return text, "+".join(operations)


def main():
    pairs = []
    topics = list(TOPICS)

    def original():
        enterprise, topic = rng.choice(ENTERPRISES), rng.choice(topics)
        clauses, details = demand(enterprise, topic)
        return enterprise, topic, clauses, details

    for _ in range(50):
        _, _, clauses, _ = original()
        a = join(clauses)
        b = a if rng.random() < 0.6 else "  " + a.replace("。", "。\n") + " "
        pairs.append({"a": a, "b": b, "duplicate": True, "kind": "resend"})
    for _ in range(110):
        _, _, clauses, _ = original()
        b, operations = light_edit(clauses)
        pairs.append({"a": join(clauses), "b": b, "duplicate": True, "kind": "light_edit", "edits": operations})
    for _ in range(40):
        _, _, clauses, _ = original()
        a = join(clauses)
        b = rng.choice(GREETINGS) + a + rng.choice(CLOSINGS)
        if rng.random() < 0.5:
            a, b = rng.choice(GREETINGS) + a, b
        pairs.append({"a": a, "b": b, "duplicate": True, "kind": "greeting"})
    for _ in range(40):
        _, _, clauses, _ = original()
        a = join(clauses)
        keep = len(clauses)
        while keep > 4 and len(join(clauses[: keep - 1])) >= 0.8 * len(a):
            keep -= 1
        b = join(clauses[:keep])
        if b == a:  # the last clause alone is more than a fifth: cut inside it
            b = a[: int(len(a) * 0.85)]
        pairs.append({"a": a, "b": b, "duplicate": True, "kind": "truncation"})
    for _ in range(80):
        enterprise, topic, clauses, details = original()
        other = rng.choice([t for t in topics if t != topic])
        other_clauses, _ = demand(enterprise, other, details)
        a, b = join(clauses), join(other_clauses)
        if rng.random() < 0.5:  # the same greeting and closing frame on both
            greeting, closing = rng.choice(GREETINGS), rng.choice(CLOSINGS)
            a, b = greeting + a + closing, greeting + b + closing
        pairs.append({"a": a, "b": b, "duplicate": False, "kind": "template"})
    # Short formulaic requests: one frame, one enterprise, a different item applied for.
    for _ in range(40):
        enterprise, frame = rng.choice(ENTERPRISES), rng.choice(FRAMES)
        first, second = rng.sample(ITEMS, 2)
        date = f"{rng.randint(1, 12)}月{rng.randint(1, 28)}日"
        pairs.append({"a": frame.format(e=enterprise, item=first, date=date),
                      "b": frame.format(e=enterprise, item=second, date=date), "duplicate": False, "kind": "template"})
    for _ in range(50):
        first, second = rng.sample(ENTERPRISES, 2)
        topic, other = rng.sample(topics, 2)
        pairs.append({"a": join(demand(first, topic)[0]), "b": join(demand(second, other)[0]),
                      "duplicate": False, "kind": "unrelated"})
    # Added after the kinds above, so their pairs stay as they were.
    # A re-send with a reminder sentence before or after (duplicate: the same demand).
    for _ in range(40):
        _, _, clauses, _ = original()
        a = join(clauses)
        reminder = rng.choice(REMINDERS)
        b = reminder + a if rng.random() < 0.5 else a + reminder
        pairs.append({"a": a, "b": b, "duplicate": True, "kind": "reminder"})
    # The same demand with one number changed (a year, an amount, a count): two demands.
    made = 0
    while made < 40:
        _, _, clauses, _ = original()
        numbered = [i for i, clause in enumerate(clauses) if re.search(r"\d", clause)]
        if not numbered:
            continue
        i = rng.choice(numbered)
        match = rng.choice(list(re.finditer(r"\d+(?:\.\d+)?", clauses[i])))
        value = match.group(0)
        other = value
        while other == value:
            other = str(int(float(value)) + rng.choice([1, 2, 3, 5, 10, 100]))
        changed = list(clauses)
        changed[i] = clauses[i][: match.start()] + other + clauses[i][match.end():]
        pairs.append({"a": join(clauses), "b": join(changed), "duplicate": False, "kind": "fact"})
        made += 1
    # One slot of a long demand filled twice: a person, a permit, a building, a half-year.
    for _ in range(40):
        enterprise, topic, clauses, details = original()
        slot, first, second = rng.choice(SLOTS)
        first, second = rng.sample(first, 2) if second is None else (first, second)
        at = rng.randint(3, len(clauses) - 1)
        a = join(clauses[:at] + [slot.format(first)] + clauses[at:])
        b = join(clauses[:at] + [slot.format(second)] + clauses[at:])
        pairs.append({"a": a, "b": b, "duplicate": False, "kind": "fact"})
    for pair in pairs:
        sys.stdout.write(json.dumps(pair, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
