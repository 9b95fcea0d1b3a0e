#!/usr/bin/python3
"""Generates the data of the dictionary benchmark (bench/dict_bench.c): a dictionary of
Chinese entries and a large UTF-8 text that reads like government prose, with some entries
planted in it.  Written from the word list below; nothing is downloaded.  Deterministic.

Usage: gen_dict_data.py --out DIR [--entries 20000] [--mb 50] [--seed 7]
Writes DIR/entries.txt (one entry a line) and DIR/text.txt.
"""

import argparse
import os
import random

# Words and phrases of everyday government writing (工作动态, 通知公告, 政策文件).
WORDS = """
人民政府 办公室 关于 印发 通知 实施方案 工作方案 意见 决定 公告 通报 批复 函 会议纪要
深入贯彻 全面落实 党中央 国务院 决策部署 省委 省政府 市委 市政府 区委 区政府 街道办事处
高质量发展 乡村振兴 营商环境 安全生产 生态环境 保护 治理 体系 能力 现代化 基层 社区
网格化 管理 服务 群众 企业 项目 建设 投资 资金 预算 决算 审计 统计 公开 信息 政务
政策 解读 文件 法规 规章 规范性文件 行政 审批 许可 执法 监督 检查 考核 评估 整改 落实
责任 主体 部门 单位 乡镇 村委会 居委会 党员 干部 人才 教育 医疗 卫生 健康 养老 托育
就业 社会保障 医保 住房 公积金 交通 道路 桥梁 水利 防汛 抗旱 森林 防火 应急 救援 消防
食品 药品 市场 监管 价格 质量 标准 计量 知识产权 科技 创新 数字 政府 平台 数据 共享
开放 便民 利民 惠民 一网通办 最多跑一次 好差评 满意度 投诉 举报 信访 调解 矛盾 纠纷
宣传 培训 学习 教育 主题 活动 开展 组织 召开 部署 推进 推动 加强 加快 提升 完善 健全
优化 强化 压实 确保 切实 持续 不断 进一步 认真 扎实 有效 积极 稳妥 全面 重点 难点
任务 目标 措施 举措 机制 制度 工作 情况 问题 成效 经验 做法 亮点 特色 品牌 示范
年度 季度 月度 上半年 下半年 第一 第二 第三 要求 指出 强调 表示 认为 提出 希望
农业 农村 农民 耕地 粮食 种植 养殖 合作社 集体 经济 产业 园区 招商 引资 企业家
文化 旅游 体育 文明 城市 创建 志愿 服务队 环境 卫生 垃圾 分类 污水 处理 大气 污染
""".split()

CONNECT = ["，", "，", "、", "和", "与", "及", "的", "的", "在", "对", "为", "把"]
ENDS = ["。", "。", "。", "；", "！"]


def sentence(rng):
    n = rng.randint(6, 18)
    parts = []
    for i in range(n):
        parts.append(rng.choice(WORDS))
        if i + 1 < n:
            parts.append(rng.choice(CONNECT))
    if rng.random() < 0.2:
        parts.insert(rng.randrange(len(parts)), "%d年%d月%d日" % (
            rng.randint(2015, 2026), rng.randint(1, 12), rng.randint(1, 28)))
    if rng.random() < 0.1:
        parts.insert(rng.randrange(len(parts)), "%d.%d%%" % (rng.randint(1, 99),
                                                         rng.randint(0, 9)))
    return "".join(parts) + rng.choice(ENDS)


def make_entries(rng, n):
    """Wrong words as a dictionary has them: a word or a pair of words of the prose with
    one character replaced by another, so most entries are close to the text without being
    in it."""
    pool = sorted(set("".join(WORDS)))
    words = set(WORDS)
    entries = []
    seen = set()
    while len(entries) < n:
        base = rng.choice(WORDS)
        if len(base) < 4 and rng.random() < 0.7:
            base += rng.choice(WORDS)
        if len(base) < 2:
            continue
        base = base[:8]
        i = rng.randrange(len(base))
        wrong = base[:i] + rng.choice(pool) + base[i + 1:]
        if wrong == base or wrong in words or wrong in seen:
            continue
        seen.add(wrong)
        entries.append(wrong)
    return entries


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--entries", type=int, default=20000)
    ap.add_argument("--mb", type=float, default=50)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    os.makedirs(args.out, exist_ok=True)

    entries = make_entries(rng, args.entries)
    with open(os.path.join(args.out, "entries.txt"), "w", encoding="utf-8") as f:
        f.write("\n".join(entries) + "\n")

    target = int(args.mb * 1000 * 1000)
    size = 0
    with open(os.path.join(args.out, "text.txt"), "w", encoding="utf-8") as f:
        while size < target:
            # A paragraph a line, as the visible text of a page has them.
            sents = [sentence(rng) for _ in range(rng.randint(2, 6))]
            # About one planted wrong word in every twenty paragraphs.
            if rng.random() < 0.05:
                k = rng.randrange(len(sents))
                s = sents[k]
                j = rng.randrange(len(s))
                sents[k] = s[:j] + rng.choice(entries) + s[j:]
            line = "".join(sents) + "\n"
            f.write(line)
            size += len(line.encode("utf-8"))


if __name__ == "__main__":
    main()
