"""Issue 10, the zh interface is zh: with `--lang zh` every prompt, button, label and message of `study`, `stats`,
`decks` and `code` comes from the Chinese side of llmprep.messages; en stays the default and JSON is never
translated."""

from __future__ import annotations

import json
import re
import string
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from llmprep import messages
from llmprep.keys import KeyReader
from tests.test_stats import build, day

START = datetime.fromisoformat("2026-01-05T09:00:00+00:00")
ROOT = Path(__file__).parent.parent
SOLUTION = ROOT / "solutions" / "mha.py"
WRONG = ROOT / "tests" / "mutations" / "mha" / "no_scaling.py"

# English words of the interface (labels, buttons, keys, table headers) that must not show through in zh output
ENGLISH_UI = (
    "Enter",
    "Space",
    "show answer",
    "Again",
    "Hard",
    "Good",
    "Easy",
    "suspend",
    "suspended",
    "bury",
    "buried",
    "undo",
    "undid",
    "quit",
    "edit",
    "press",
    "Session",
    "cram",
    "cards seen",
    "ratings",
    "recorded",
    "next in",
    "Due",
    "learning",
    "new",
    "min",
    "Retention",
    "young",
    "mature",
    "streak",
    "today",
    "Mastery",
    "Weakest",
    "recall",
    "lapses",
    "leech",
    "Coding",
    "attempts",
    "check",
    "checks",
    "verdict",
    "details",
    "pass",
    "fail",
    "rated",
    "seed",
    "hint",
    "sources",
    "pitfall",
    "Nothing",
    "Done",
    "skipped",
    "deck",
    "decks",
    "card",
    "cards",
    "title",
    "difficulty",
    "ok",
    "file",
    "unsuspended",
    "yes",
    "no",
)

CODE_DECK = """\
deck: practice
title: {zh: 练习, en: Practice}
cards:
  - id: practice-softmax
    kind: code
    grader: softmax
    q: {zh: 手写 softmax, en: Write softmax}
    sources: ["Bridle 1990"]
"""


def english_left(text: str, *allowed: str) -> list[str]:
    """The English UI words in `text`, once commands, options and the given identifiers are taken out."""
    text = re.sub(r"llmprep(?: [\w./-]+)*", " ", text)  # commands: `llmprep study --deck demo --cram`
    text = re.sub(r"--[\w-]+", " ", text)  # options named in a message: (用 --seed 复现)
    for identifier in sorted(allowed, key=len, reverse=True):
        text = text.replace(identifier, " ")
    return [word for word in ENGLISH_UI if re.search(rf"(?<![\w-]){re.escape(word)}(?![\w-])", text, re.IGNORECASE)]


def fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


# ---- the catalogue ----------------------------------------------------------------------------------------


def test_every_key_has_english_and_chinese_with_the_same_fields() -> None:
    assert len(messages.MESSAGES) > 100
    for key, entry in messages.MESSAGES.items():
        assert set(entry) == {"en", "zh"}, key
        assert entry["en"].strip() and entry["zh"].strip(), key
        assert fields(entry["en"]) == fields(entry["zh"]), key
        assert entry["zh"].count("\n") == entry["en"].count("\n"), f"{key}: a hard line break of its own"


def test_keys_are_grouped_by_command_and_t_formats_and_falls_back(monkeypatch: pytest.MonkeyPatch) -> None:
    groups = {key.split(".")[0] for key in messages.MESSAGES}
    assert groups >= {"study", "render", "code", "stats", "decks"}
    assert messages.t("study.suspended", "zh", card="demo-one") == "[yellow]已暂停 demo-one[/][dim]（u：撤销）[/]"
    assert [messages.rating_name(r, "zh") for r in (1, 2, 3, 4)] == ["重来", "困难", "良好", "简单"]
    monkeypatch.setitem(messages.MESSAGES, "test.only_en", {"en": "only {x}"})
    assert messages.t("test.only_en", "zh", x=1) == "only 1"


# ---- study ------------------------------------------------------------------------------------------------


def test_study_rates_suspends_buries_and_undoes_in_chinese(cli, isolated: Path, demo_decks: Path) -> None:
    # demo-one: reveal, a wrong key, Good; demo-two: suspend; undo; demo-two: bury; undo; quit
    result = cli(
        "--decks", str(demo_decks), "study", "--deck", "demo", "--lang", "zh", input="\nx\n3\n\ns\nu\nb\nu\nq\n"
    )
    assert result.code == 0, result.err
    out = result.out
    for label in (
        "新卡 3 · 学习中 0 · 待复习 0",
        "回车/空格：显示答案",
        "1 重来（1分钟）",
        "2 困难",
        "3 良好（10分钟）",
        "4 简单",
        "b 搁置 · s 暂停 · e 编辑 · q 退出",
        "按 1-4 评分",
        "已记录：良好 · 下次复习：10分钟后",
        "常见误区",
        "出处：Paper 2020, §1",
        "已暂停 demo-two",
        "已撤销暂停：demo-two",
        "已搁置 demo-two，明天再出现",
        "已撤销搁置：demo-two",
        "本次学习",
        "学过的卡片",
        "重来 0  困难 0  良好 1  简单 0",
        "明天结束前到期",
    ):
        assert label in out, label
    assert "问题一" in out and "答案一" in out  # the card text in zh too
    assert english_left(out, "demo-one", "demo-two", "demo-three", "demo", "alpha", "beta", "Paper") == []


def test_english_stays_the_default(cli, isolated: Path, demo_decks: Path) -> None:
    result = cli("--decks", str(demo_decks), "study", "--deck", "demo", input="\n3\nq\n")
    assert "Enter/Space: show answer" in result.out and "recorded Good · next in 10m" in result.out
    assert "显示答案" not in result.out and "本次学习" not in result.out


def test_end_of_day_and_cram_in_chinese(cli, isolated: Path, demo_decks: Path) -> None:
    args = ("--decks", str(demo_decks), "study", "--deck", "demo", "--lang", "zh")
    first = cli(*args, "--new", "1", input="\n4\nq\n")
    assert "已记录：简单 · 下次复习：8天后" in first.out
    later = (START + timedelta(hours=1)).isoformat()
    result = cli(*args, "--new", "0", input="q\n", now=later)
    assert "现在没有到期的卡片。下一张卡片 8天后到期（周二 09:00）；明天结束前共 0 张。" in result.out
    # the commands stay whole (soft wrap) and untranslated
    assert "还有 2 张新卡片：llmprep study --deck demo --new 2" in result.out
    assert "提前复习（不改变排期）：llmprep study --deck demo --cram" in result.out
    assert english_left(result.out) == []
    cram = cli(*args, "--cram", input="\nx\n3\nq\n", now=later)
    for label in (
        "demo · demo-one · 突击复习",
        "1 重来   2 困难   3 良好   4 简单   q 退出",
        "按 1-4 评分，u 撤销，q 退出",
    ):
        assert label in cram.out, label
    assert "本次学习（突击复习：排期未变）" in cram.out
    assert english_left(cram.out, "demo-one", "demo", "alpha", "Paper") == []


def test_all_done_then_finished_day_in_chinese(cli, isolated: Path, demo_decks: Path) -> None:
    result = cli("--decks", str(demo_decks), "study", "--deck", "demo", "--new", "1", "--lang", "zh", input="\n4\n\n")
    assert "没有更多到期的卡片了，干得好。（u：撤销上一步 · 回车：结束）" in result.out
    assert "今天的学习完成了。" in result.out
    assert english_left(result.out, "demo-one", "demo", "alpha", "Paper") == []


def test_leech_message_in_chinese_keeps_the_command_whole(cli, isolated: Path, demo_decks: Path) -> None:
    now, result = START, None
    for _ in range(8):
        args = ("--decks", str(demo_decks), "study", "--tag", "alpha", "--new", "1", "--lang", "zh")
        result = cli(*args, input="\n1\nq\n", now=now.isoformat())
        now += timedelta(minutes=30)
    assert result is not None
    assert "demo-one 是难记卡（已选“重来” 8 次），现已暂停。" in result.out
    assert "然后运行 `llmprep decks unsuspend demo-one`。" in result.out
    assert "新增难记卡" in result.out
    assert english_left(result.out, "demo-one", "demo", "alpha", "Paper") == []


def test_coding_card_in_the_drill_in_chinese(cli, isolated: Path, tmp_path: Path) -> None:
    decks = tmp_path / "code-decks"
    decks.mkdir()
    (decks / "practice.yaml").write_text(CODE_DECK, encoding="utf-8")
    result = cli("--decks", str(decks), "study", "--deck", "practice", "--lang", "zh", input="\nq\n")
    assert "编程题：按 c 现在就在编辑器里写（评分同 `llmprep code softmax`）。（回车：跳过，明天再来" in result.out
    assert "已跳过 practice-softmax，明天再来" in result.out
    assert english_left(result.out, "practice-softmax", "practice", "softmax") == []


def test_interrupted_in_chinese(cli, isolated: Path, demo_decks: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupt(self: KeyReader) -> str:
        raise KeyboardInterrupt

    monkeypatch.setattr(KeyReader, "read", interrupt)
    result = cli("--decks", str(demo_decks), "study", "--deck", "demo", "--lang", "zh")
    assert result.code == 130
    assert "已中断：显示为已记录的评分都已保存" in result.out and "本次学习" in result.out


# ---- choosing the language ---------------------------------------------------------------------------------


def test_global_option_config_and_command_option(cli, isolated: Path, demo_decks: Path) -> None:
    zh = cli("--decks", str(demo_decks), "--lang", "zh", "study", "--deck", "demo", input="q\n")
    assert "回车/空格：显示答案" in zh.out
    # a command's own --lang wins over the global one
    en = cli("--decks", str(demo_decks), "--lang", "zh", "study", "--deck", "demo", "--lang", "en", input="q\n")
    assert "Enter/Space: show answer" in en.out
    # without an option: config `lang`
    (isolated / "config.toml").write_text('fuzz = false\nlang = "zh"\n')
    assert "回车/空格：显示答案" in cli("--decks", str(demo_decks), "study", "--deck", "demo", input="q\n").out
    assert "Enter/Space" in cli("--decks", str(demo_decks), "--lang", "en", "study", "--deck", "demo", input="q\n").out


@pytest.mark.parametrize(
    "args", [("--lang", "fr", "decks"), ("study", "--lang", "fr"), ("code", "--lang", "de"), ("--lang", "ZH", "stats")]
)
def test_an_unknown_language_is_a_usage_error(cli, isolated: Path, args: tuple[str, ...]) -> None:
    result = cli(*args, input="q\n")
    assert result.code == 2 and "--lang must be zh or en" in result.err


# ---- decks ------------------------------------------------------------------------------------------------


def test_decks_in_chinese(cli, isolated: Path, demo_decks: Path) -> None:
    listing = cli("--decks", str(demo_decks), "--lang", "zh", "decks")
    assert listing.code == 0, listing.err
    for label in ("卡组", "标题", "卡片", "新卡", "学习中", "待复习", "已暂停", "演示"):
        assert label in listing.out, label
    # the title and header rows; deck titles are deck text (some zh titles hold English terms such as ReLU)
    assert english_left("\n".join(listing.out.splitlines()[:4])) == []
    valid = cli("--decks", str(demo_decks), "--lang", "zh", "decks", "validate")
    assert valid.code == 0 and "检查通过：" in valid.out and "个文件" in valid.out and "张卡片" in valid.out
    assert english_left(valid.out) == []
    cli("--decks", str(demo_decks), "study", "--deck", "demo", input="\ns\nq\n")
    back = cli("--decks", str(demo_decks), "--lang", "zh", "decks", "unsuspend", "demo-one")
    assert back.code == 0 and back.out.strip() == "已恢复 1 张卡片"


def test_decks_in_english_by_default(cli, isolated: Path, demo_decks: Path) -> None:
    assert "Decks" in cli("--decks", str(demo_decks), "decks").out
    assert "ok: " in cli("--decks", str(demo_decks), "decks", "validate").out


# ---- stats ------------------------------------------------------------------------------------------------


def test_stats_in_chinese(cli, isolated: Path, demo_decks: Path) -> None:
    build(cli, isolated, demo_decks)
    result = cli("--decks", str(demo_decks), "--lang", "zh", "stats", now=day(6, 20))
    assert result.code == 0, result.err
    out = result.out
    for label in (
        "今天：复习",
        "连续学习：2 天，最长 3 天",
        "未来 30 天到期",
        "复习记录（近",
        "周一",
        "· 无  ░ 少  █ 多（最多",
        "真实保持率（复习通过的比例；成熟 = 间隔 ≥ 21 天）",
        "时段",
        "未成熟",
        "近 7 天",
        "各卡组掌握情况",
        "各标签掌握情况",
        "当前记忆率",
        "最薄弱的卡片（接下来优先复习）",
        "遗忘次数",
        "编程题：共尝试 2 次，通过率 50%，一次通过率 0%",
        "尝试次数",
        "一次通过",
        "通过",
        "否",
        "是",
    ):
        assert label in out, label
    ids = ("demo-one", "demo-two", "demo-three", "other-a", "other-b", "code-mha", "attention-kv-cache")
    assert english_left(out, *ids, "demo", "other", "alpha", "beta", "gamma") == []


def test_stats_json_is_never_translated(cli, isolated: Path, demo_decks: Path) -> None:
    build(cli, isolated, demo_decks)
    en = json.loads(cli("--decks", str(demo_decks), "stats", "--json", now=day(6, 20)).out)
    zh = json.loads(cli("--decks", str(demo_decks), "--lang", "zh", "stats", "--json", now=day(6, 20)).out)
    assert zh == en and zh["coding"]["cards"][0]["last_verdict"] == "pass"


def test_empty_stats_in_chinese(cli, isolated: Path) -> None:
    result = cli("--lang", "zh", "stats")
    assert result.code == 0
    assert "还没有数据：目前没有复习记录，也没有做过编程题。" in result.out
    assert "llmprep study" in result.out and "llmprep code mha" in result.out
    assert english_left(result.out) == []


# ---- code -------------------------------------------------------------------------------------------------


def test_code_listing_in_chinese(cli, isolated: Path) -> None:
    result = cli("--lang", "zh", "code")
    assert result.code == 0, result.err
    for label in ("编程题", "题目", "标题", "难度", "上次结果", "到期", "中等", "简单", "未学"):
        assert label in result.out, label
    header = "\n".join(result.out.splitlines()[:4])  # titles are card text from card.yaml (English)
    assert english_left(header) == []


def test_code_report_in_chinese(cli, isolated: Path) -> None:
    failed = cli("code", "mha", "--file", str(WRONG), "--device", "cpu", "--lang", "zh")
    assert failed.code == 1
    assert "未通过" in failed.out and "提示：" in failed.out and re.search(r"通过 \d+/11，用时", failed.out)
    result = cli("code", "mha", "--file", str(SOLUTION), "--device", "cpu", "--lang", "zh")
    assert result.code == 0, result.err
    out = result.out
    for label in (
        "mha（cpu，float32）",
        "检查项",
        "结果",
        "详情",
        "通过",
        "全部检查通过，用时",
        "随机种子",
        "（用 --seed 复现）",
    ):
        assert label in out, label
    assert "已评为困难 · 6分钟后到期" in out  # a pass after a failure is Hard
    check_names = [line.split("│")[1].strip() for line in out.splitlines() if line.startswith("│")]
    assert english_left(out, "mha", "cpu", "float32", *check_names) == []
    listing = cli("--lang", "zh", "code")
    assert re.search(r"│ mha +│.*│ 通过 +│ 2026-01-05 │", listing.out)
    # --json keeps its status names
    verdict = json.loads(cli("code", "mha", "--file", str(SOLUTION), "--device", "cpu", "--lang", "zh", "--json").out)
    assert {c["status"] for c in verdict["checks"]} == {"pass"}
