"""The user-facing text of `study`, `stats`, `decks` and `code`, in English and Chinese.

Each key maps to format strings with named fields (`str.format`), one per language; `t(key, lang, **fields)`
picks one. Keys are grouped by command. Strings may hold rich markup; technical identifiers (card and deck
ids, commands such as `llmprep study --new 5`, JSON keys and values) stay as they are in both languages.
Exceptions (usage errors and the like) are not in here: they stay English.
"""

from __future__ import annotations

LANGUAGES = ("en", "zh")

MESSAGES: dict[str, dict[str, str]] = {
    # ---- shared: ratings, intervals, weekdays, yes/no ---------------------------------------------------
    "rating.1": {"en": "Again", "zh": "重来"},
    "rating.2": {"en": "Hard", "zh": "困难"},
    "rating.3": {"en": "Good", "zh": "良好"},
    "rating.4": {"en": "Easy", "zh": "简单"},
    "interval.s": {"en": "{n}s", "zh": "{n}秒"},
    "interval.m": {"en": "{n}m", "zh": "{n}分钟"},
    "interval.h": {"en": "{n}h", "zh": "{n}小时"},
    "interval.d": {"en": "{n}d", "zh": "{n}天"},
    "interval.mo": {"en": "{n}mo", "zh": "{n}个月"},
    "interval.y": {"en": "{n}y", "zh": "{n}年"},
    "weekday.0": {"en": "Mon", "zh": "周一"},
    "weekday.1": {"en": "Tue", "zh": "周二"},
    "weekday.2": {"en": "Wed", "zh": "周三"},
    "weekday.3": {"en": "Thu", "zh": "周四"},
    "weekday.4": {"en": "Fri", "zh": "周五"},
    "weekday.5": {"en": "Sat", "zh": "周六"},
    "weekday.6": {"en": "Sun", "zh": "周日"},
    "common.yes": {"en": "yes", "zh": "是"},
    "common.no": {"en": "no", "zh": "否"},
    "common.warning": {"en": "warning:", "zh": "警告："},
    # ---- study: the card screens (render.py) ------------------------------------------------------------
    "render.status": {
        "en": "[blue]new {new}[/] · [red]learning {learning}[/] · [green]due {due}[/]   [dim]{time}[/]",
        "zh": "[blue]新卡 {new}[/] · [red]学习中 {learning}[/] · [green]待复习 {due}[/]   [dim]{time}[/]",
    },
    "render.cram_label": {"en": "cram", "zh": "突击复习"},
    "render.reveal_prompt": {
        "en": "[dim]Enter/Space: show answer · b bury · s suspend · e edit · q quit[/]",
        "zh": "[dim]回车/空格：显示答案 · b 搁置 · s 暂停 · e 编辑 · q 退出[/]",
    },
    "render.pitfall": {"en": "Common pitfall", "zh": "常见误区"},
    "render.sources": {"en": "sources: ", "zh": "出处："},
    "render.button_interval": {"en": " ({interval})", "zh": "（{interval}）"},
    "render.key_undo": {"en": "u undo", "zh": "u 撤销"},
    "render.key_quit": {"en": "q quit", "zh": "q 退出"},
    "render.keys_after_answer": {
        "en": "Space Good · b bury · s suspend · e edit · q quit",
        "zh": "空格 良好 · b 搁置 · s 暂停 · e 编辑 · q 退出",
    },
    "render.summary_title": {"en": "Session", "zh": "本次学习"},
    "render.summary_title_cram": {
        "en": "Session (cram: schedule untouched)",
        "zh": "本次学习（突击复习：排期未变）",
    },
    "render.summary_seen": {"en": "cards seen", "zh": "学过的卡片"},
    "render.summary_ratings": {"en": "ratings", "zh": "评分"},
    "render.summary_time": {"en": "time", "zh": "用时"},
    "render.summary_minutes": {"en": "{minutes} min", "zh": "{minutes} 分钟"},
    "render.summary_due_tomorrow": {"en": "due by end of tomorrow", "zh": "明天结束前到期"},
    "render.summary_leeches": {"en": "new leeches", "zh": "新增难记卡"},
    # ---- study: the drill (study.py) --------------------------------------------------------------------
    "study.interrupted": {
        "en": "[dim]interrupted — every rating shown as recorded is saved[/]",
        "zh": "[dim]已中断：显示为已记录的评分都已保存[/]",
    },
    "study.all_done_undo": {
        "en": "[green]Nothing more is due. Well done.[/] [dim](u: undo the last action · Enter: finish)[/]",
        "zh": "[green]没有更多到期的卡片了，干得好。[/][dim]（u：撤销上一步 · 回车：结束）[/]",
    },
    "study.rate_help": {
        "en": "[dim]press 1-4 to rate (Space: Good), u undo, s suspend, b bury, e edit, q quit[/]",
        "zh": "[dim]按 1-4 评分（空格：良好），u 撤销，s 暂停，b 搁置，e 编辑，q 退出[/]",
    },
    "study.cram_rate_help": {
        "en": "[dim]press 1-4 to rate, u to undo, q to quit[/]",
        "zh": "[dim]按 1-4 评分，u 撤销，q 退出[/]",
    },
    "study.interval_updated": {
        "en": "[dim]the answer was open for {open}: interval updated[/]",
        "zh": "[dim]答案已显示 {open}：间隔已按评分时刻更新[/]",
    },
    "study.recorded": {
        "en": "[dim]recorded {rating} · next in {interval}[/]",
        "zh": "[dim]已记录：{rating} · 下次复习：{interval}后[/]",
    },
    "study.leech": {
        "en": "[bold yellow]{card} is a leech (Again {lapses} times) and is now suspended.[/] Rewrite the card in "
        "your own words, then `llmprep decks unsuspend {card}`.",
        "zh": "[bold yellow]{card} 是难记卡（已选“重来” {lapses} 次），现已暂停。[/]用自己的话重写这张卡片，"
        "然后运行 `llmprep decks unsuspend {card}`。",
    },
    "study.suspended": {
        "en": "[yellow]suspended {card}[/] [dim](u: undo)[/]",
        "zh": "[yellow]已暂停 {card}[/][dim]（u：撤销）[/]",
    },
    "study.buried": {
        "en": "[yellow]buried {card} until tomorrow[/] [dim](u: undo)[/]",
        "zh": "[yellow]已搁置 {card}，明天再出现[/][dim]（u：撤销）[/]",
    },
    "study.coding_prompt": {
        "en": "A coding card: [bold]c[/] writes it now in your editor (graded as by `llmprep code {grader}`). "
        "[dim](Enter: skip until tomorrow · s: suspend · q: quit)[/]",
        "zh": "编程题：按 [bold]c[/] 现在就在编辑器里写（评分同 `llmprep code {grader}`）。"
        "[dim]（回车：跳过，明天再来 · s：暂停 · q：退出）[/]",
    },
    "study.skipped": {
        "en": "[dim]skipped {card} until tomorrow[/]",
        "zh": "[dim]已跳过 {card}，明天再来[/]",
    },
    "study.builtin_card": {
        "en": "[dim]built-in card, defined at {where} (copy it into your own deck to change it)[/]",
        "zh": "[dim]内置卡片，定义在 {where}（复制到你自己的卡组里再修改）[/]",
    },
    "study.no_editor": {
        "en": "[yellow]no editor could be started; the card is at {where}[/]",
        "zh": "[yellow]无法启动编辑器；卡片在 {where}[/]",
    },
    "study.edited": {
        "en": "[dim]saved {where}: the new text shows from the next session[/]",
        "zh": "[dim]已保存 {where}：新内容下次学习时生效[/]",
    },
    "study.done_today": {"en": "Done for today.", "zh": "今天的学习完成了。"},
    "study.nothing_due": {"en": "Nothing is due now.", "zh": "现在没有到期的卡片。"},
    "study.next_due": {
        "en": " The next card is due in {interval} ({when}); {tomorrow} by the end of tomorrow.",
        "zh": "下一张卡片 {interval}后到期（{when}）；明天结束前共 {tomorrow} 张。",
    },
    "study.new_waiting": {
        "en": "  {count} new cards are waiting: [bold]{command}[/]",
        "zh": "  还有 {count} 张新卡片：[bold]{command}[/]",
    },
    "study.cram_hint": {
        "en": "  review ahead without changing the schedule: [bold]{command}[/]",
        "zh": "  提前复习（不改变排期）：[bold]{command}[/]",
    },
    "study.undid_rating": {
        "en": "[yellow]undid {rating} on {card}[/]",
        "zh": "[yellow]已撤销 {card} 的评分：{rating}[/]",
    },
    "study.undid_suspend": {"en": "[yellow]undid suspend of {card}[/]", "zh": "[yellow]已撤销暂停：{card}[/]"},
    "study.undid_bury": {"en": "[yellow]undid bury of {card}[/]", "zh": "[yellow]已撤销搁置：{card}[/]"},
    "study.cram_finished": {"en": "[green]Cram queue finished.[/]", "zh": "[green]突击复习队列已完成。[/]"},
    # ---- typed answers (cli/typed.py: study --type, interview) -------------------------------------------
    "typed.prompt": {
        "en": "[dim]type your answer; an empty line (or Ctrl-D) ends it · `e` alone: write it in your editor · "
        "`q` alone: quit[/]",
        "zh": "[dim]输入你的回答；空行（或 Ctrl-D）结束 · 单独一行 `e`：在编辑器里写 · 单独一行 `q`：退出[/]",
    },
    "typed.from_editor": {
        "en": "[dim]answer from the editor: {chars} characters[/]",
        "zh": "[dim]编辑器中的回答：{chars} 个字符[/]",
    },
    "typed.checklist": {"en": "key points: {hit} of {total} made", "zh": "要点：答到 {hit}/{total}"},
    "typed.hit": {"en": "  [green]✓ hit[/]    {point}", "zh": "  [green]✓ 答到[/]  {point}"},
    "typed.missed": {"en": "  [red]✗ missed[/] {point}", "zh": "  [red]✗ 漏掉[/]  {point}"},
    "typed.suggested": {
        "en": "suggested: [bold]{rating}[/] ({seconds}s) — Enter accepts it, 1-4 rate otherwise",
        "zh": "建议评分：[bold]{rating}[/]（{seconds} 秒）· 回车接受，按 1-4 自行评分",
    },
    # ---- interview --------------------------------------------------------------------------------------
    "interview.stage.warm-up": {"en": "warm-up", "zh": "热身"},
    "interview.stage.follow-up": {"en": "follow-up", "zh": "追问"},
    "interview.stage.coding": {"en": "coding", "zh": "编程"},
    "interview.left": {"en": "round: {left} left of {total}", "zh": "本轮：剩余 {left}（共 {total}）"},
    "interview.over": {"en": "round: {over} over {total}", "zh": "本轮：超时 {over}（共 {total}）"},
    "interview.q_left": {"en": "Q{n}/{of} {stage}: {left} left", "zh": "第 {n}/{of} 题（{stage}）：剩余 {left}"},
    "interview.q_over": {"en": "Q{n}/{of} {stage}: {over} over", "zh": "第 {n}/{of} 题（{stage}）：超时 {over}"},
    "interview.rate_prompt": {
        "en": "[dim]Enter: take the suggested rating · 1-4 rate otherwise (Space: Good) · q: end the interview[/]",
        "zh": "[dim]回车：采用建议评分 · 按 1-4 自行评分（空格：良好）· q：结束面试[/]",
    },
    "interview.recorded": {"en": "[dim]rated {rating}[/]", "zh": "[dim]已评为{rating}[/]"},
    "interview.interrupted": {
        "en": "[dim]interrupted — every answer rated so far is saved; the report covers what was answered[/]",
        "zh": "[dim]已中断：已评分的回答都已保存；报告只包含已回答的题目[/]",
    },
    "interview.report_title": {"en": "Interview report", "zh": "面试报告"},
    "interview.col_n": {"en": "#", "zh": "#"},
    "interview.col_stage": {"en": "stage", "zh": "环节"},
    "interview.col_card": {"en": "card", "zh": "卡片"},
    "interview.col_time": {"en": "time/budget", "zh": "用时/预算"},
    "interview.col_result": {"en": "result", "zh": "结果"},
    "interview.col_id": {"en": "id", "zh": "编号"},
    "interview.col_date": {"en": "date", "zh": "日期"},
    "interview.col_minutes": {"en": "min", "zh": "分钟"},
    "interview.col_answered": {"en": "answered", "zh": "已答"},
    "interview.col_score": {"en": "score", "zh": "得分"},
    "interview.col_work_on": {"en": "work on", "zh": "待加强"},
    "interview.points": {"en": "{hit}/{total} points", "zh": "要点 {hit}/{total}"},
    "interview.not_graded": {"en": "not graded", "zh": "未评分"},
    "interview.missed": {"en": "  [red]missed[/] (#{n}): {point}", "zh": "  [red]漏掉[/]（第 {n} 题）：{point}"},
    "interview.score": {
        "en": "[bold]score {score}[/] / 100 · {answered} of {planned} questions answered · {elapsed} of {minutes} min",
        "zh": "[bold]得分 {score}[/] / 100 · 回答了 {planned} 题中的 {answered} 题 · 用时 {elapsed}（共 {minutes} 分钟）",
    },
    "interview.work_on": {"en": "work on next: {topics}", "zh": "接下来加强：{topics}"},
    "interview.saved": {
        "en": "[dim]saved as interview {id} (`llmprep interview --history`); same questions: --seed {seed}[/]",
        "zh": "[dim]已保存为第 {id} 次面试（`llmprep interview --history`）；同一组题目：--seed {seed}[/]",
    },
    "interview.no_history": {
        "en": "No interviews yet: start one with [bold]llmprep interview[/].",
        "zh": "还没有模拟面试记录：用 [bold]llmprep interview[/] 开始一次。",
    },
    "interview.history_title": {"en": "Past interviews", "zh": "历次模拟面试"},
    # ---- code -------------------------------------------------------------------------------------------
    "code.status.pass": {"en": "pass", "zh": "通过"},
    "code.status.fail": {"en": "fail", "zh": "未通过"},
    "code.status.error": {"en": "error", "zh": "出错"},
    "code.status.timeout": {"en": "timeout", "zh": "超时"},
    "code.status.memory": {"en": "memory", "zh": "内存超限"},
    "code.status.crash": {"en": "crash", "zh": "崩溃"},
    "code.status.banned": {"en": "banned", "zh": "违禁"},
    "code.difficulty.easy": {"en": "easy", "zh": "简单"},
    "code.difficulty.medium": {"en": "medium", "zh": "中等"},
    "code.difficulty.hard": {"en": "hard", "zh": "困难"},
    "code.checking": {"en": "checking {check} ...", "zh": "正在检查 {check} ..."},
    "code.rated": {"en": "rated {rating} · next due in {interval}", "zh": "已评为{rating} · {interval}后到期"},
    "code.report_title": {"en": "{card} on {device} ({dtype})", "zh": "{card}（{device}，{dtype}）"},
    "code.col_check": {"en": "check", "zh": "检查项"},
    "code.col_verdict": {"en": "verdict", "zh": "结果"},
    "code.col_details": {"en": "details", "zh": "详情"},
    "code.hint": {"en": "hint: {hint}", "zh": "提示：{hint}"},
    "code.collapsed_checks": {"en": "{names} ({count} checks)", "zh": "{names}（{count} 项）"},
    "code.all_pass": {"en": "[green]all checks pass[/]", "zh": "[green]全部检查通过[/]"},
    "code.some_pass": {"en": "[red]{passed}/{total} pass[/]", "zh": "[red]通过 {passed}/{total}[/]"},
    "code.summary": {
        "en": "{mark} in {seconds}s · seed {seed} (replay with --seed)",
        "zh": "{mark}，用时 {seconds} 秒 · 随机种子 {seed}（用 --seed 复现）",
    },
    "code.sandbox_basic": {
        "en": "[yellow]sandbox: basic[/] — {note}: the submission ran with limits and an audit hook but could read "
        "your files (README: grading)",
        "zh": "[yellow]沙箱：basic[/]：{note}。提交的代码在资源限制和审计钩子下运行，但能读取你的文件"
        "（见 README 的 grading 一节）",
    },
    "code.sandbox_note_default": {"en": "namespaces unavailable", "zh": "无法使用命名空间"},
    "code.loop_prompt": {
        "en": "[dim]e: edit again · h: next hint · g: give up and see the reference solution · q: quit[/]",
        "zh": "[dim]e：再改一次 · h：下一条提示 · g：放弃并查看参考答案 · q：退出[/]",
    },
    "study.rated_elsewhere": {
        "en": "[yellow]{card} was just rated in another session; it is shown again from its new state[/]",
        "zh": "[yellow]{card} 刚在另一个会话中评过分；按它的新状态再显示一次[/]",
    },
    "code.hint_level": {"en": "hint {level}/{of} for {check}: {hint}", "zh": "{check} 的提示 {level}/{of}：{hint}"},
    "code.no_more_hints": {
        "en": "[dim]no more hints for the failing checks; g shows the reference solution[/]",
        "zh": "[dim]未通过的检查项已没有更多提示；按 g 查看参考答案[/]",
    },
    "code.elapsed": {"en": "[dim]time: {elapsed}[/]", "zh": "[dim]用时：{elapsed}[/]"},
    "code.time_left": {"en": "[dim]time left: {left} of {budget}[/]", "zh": "[dim]剩余时间：{left}（共 {budget}）[/]"},
    "code.time_over": {
        "en": "[yellow]over time by {over} (budget {budget})[/]",
        "zh": "[yellow]超时 {over}（预算 {budget}）[/]",
    },
    "code.after_pass_prompt": {
        "en": "[dim]r: your code beside the reference, and what interviewers ask next · Enter: done[/]",
        "zh": "[dim]r：对照参考答案，并看面试官接下来会问什么 · 回车：结束[/]",
    },
    "code.yours": {"en": "yours", "zh": "你的代码"},
    "code.reference": {"en": "reference", "zh": "参考答案"},
    "code.follow_up": {"en": "what interviewers ask next", "zh": "面试官接下来会问"},
    "code.gave_up": {
        "en": "[dim]rated Again: the card comes back soon[/]",
        "zh": "[dim]已评为重来：这张卡片很快会再出现[/]",
    },
    "code.list_title": {"en": "Coding cards", "zh": "编程题"},
    "code.col_card": {"en": "card", "zh": "题目"},
    "code.col_title": {"en": "title", "zh": "标题"},
    "code.col_difficulty": {"en": "difficulty", "zh": "难度"},
    "code.col_last_verdict": {"en": "last verdict", "zh": "上次结果"},
    "code.col_due": {"en": "due", "zh": "到期"},
    "code.due_new": {"en": "new", "zh": "未学"},
    # ---- stats ------------------------------------------------------------------------------------------
    "stats.empty": {
        "en": "Nothing yet: no reviews or coding attempts so far.\n"
        "Start with [bold]llmprep study[/] (or [bold]llmprep code mha[/]) and come back tomorrow.",
        "zh": "还没有数据：目前没有复习记录，也没有做过编程题。\n"
        "先运行 [bold]llmprep study[/]（或 [bold]llmprep code mha[/]），明天再来看。",
    },
    "stats.chart_written": {"en": "chart written to {path}", "zh": "图表已写入 {path}"},
    "stats.today": {
        "en": "today: {reviewed} reviewed ({new} new) · again {again} · {minutes} min",
        "zh": "今天：复习 {reviewed} 张（新卡 {new} 张）· 重来率 {again} · {minutes} 分钟",
    },
    "stats.streak": {
        "en": "streak: {current} day(s), longest {longest} · {study_days} study days · "
        "{reviews} reviews of {cards} cards",
        "zh": "连续学习：{current} 天，最长 {longest} 天 · 共学习 {study_days} 天 · {cards} 张卡片共复习 {reviews} 次",
    },
    "stats.forecast_title": {"en": "Due in the next 30 days", "zh": "未来 30 天到期"},
    "stats.heatmap_title": {"en": "Reviews, last {weeks} weeks", "zh": "复习记录（近 {weeks} 周）"},
    "stats.heatmap_legend": {
        "en": "· none  {few} few  {most} most ({peak}/day)",
        "zh": "· 无  {few} 少  {most} 多（最多 {peak} 次/天）",
    },
    "stats.retention_title": {
        "en": "True retention (reviews passed; mature = interval ≥ 21 days)",
        "zh": "真实保持率（复习通过的比例；成熟 = 间隔 ≥ 21 天）",
    },
    "stats.col_period": {"en": "period", "zh": "时段"},
    "stats.col_young": {"en": "young", "zh": "未成熟"},
    "stats.col_mature": {"en": "mature", "zh": "成熟"},
    "stats.col_all": {"en": "all", "zh": "全部"},
    "stats.period.today": {"en": "today", "zh": "今天"},
    "stats.period.week": {"en": "week", "zh": "近 7 天"},
    "stats.period.month": {"en": "month", "zh": "近 30 天"},
    "stats.period.year": {"en": "year", "zh": "近一年"},
    "stats.retention_cell": {"en": "{retention} of {reviews}", "zh": "{retention}（共 {reviews} 次）"},
    "stats.mastery_title.decks": {"en": "Mastery by deck", "zh": "各卡组掌握情况"},
    "stats.mastery_title.tags": {"en": "Mastery by tag", "zh": "各标签掌握情况"},
    "stats.col_deck": {"en": "deck", "zh": "卡组"},
    "stats.col_tag": {"en": "tag", "zh": "标签"},
    "stats.col_cards": {"en": "cards", "zh": "卡片"},
    "stats.col_new": {"en": "new", "zh": "新卡"},
    "stats.col_learn": {"en": "learn", "zh": "学习中"},
    "stats.col_susp": {"en": "susp", "zh": "已暂停"},
    "stats.col_recall": {"en": "recall now", "zh": "当前记忆率"},
    "stats.weakest_title": {"en": "Weakest cards (study these next)", "zh": "最薄弱的卡片（接下来优先复习）"},
    "stats.col_card": {"en": "card", "zh": "卡片"},
    "stats.col_lapses": {"en": "lapses", "zh": "遗忘次数"},
    "stats.col_leech": {"en": "leech", "zh": "难记卡"},
    "stats.coding_title": {
        "en": "Coding: {attempts} attempts, pass rate {pass_rate}, first-try {first_try}",
        "zh": "编程题：共尝试 {attempts} 次，通过率 {pass_rate}，一次通过率 {first_try}",
    },
    "stats.col_problem": {"en": "card", "zh": "题目"},
    "stats.col_attempts": {"en": "attempts", "zh": "尝试次数"},
    "stats.col_pass_rate": {"en": "pass rate", "zh": "通过率"},
    "stats.col_first_try": {"en": "first try", "zh": "一次通过"},
    "stats.col_days_to_pass": {"en": "days to pass", "zh": "通过用时（天）"},
    "stats.col_last": {"en": "last", "zh": "最近结果"},
    "stats.typed": {
        "en": "Typed answers: {answers} · key points made {all} (last 7 days {week}, last 30 days {month})",
        "zh": "打字作答：{answers} 次 · 要点覆盖率 {all}（近 7 天 {week}，近 30 天 {month}）",
    },
    "stats.interviews": {
        "en": "Mock interviews: {count} · mean score {mean} · latest scores {recent}",
        "zh": "模拟面试：{count} 次 · 平均得分 {mean} · 最近得分 {recent}",
    },
    # ---- decks ------------------------------------------------------------------------------------------
    "decks.title": {"en": "Decks", "zh": "卡组"},
    "decks.col_deck": {"en": "deck", "zh": "卡组"},
    "decks.col_title": {"en": "title", "zh": "标题"},
    "decks.col_cards": {"en": "cards", "zh": "卡片"},
    "decks.col_new": {"en": "new", "zh": "新卡"},
    "decks.col_learning": {"en": "learning", "zh": "学习中"},
    "decks.col_due": {"en": "due", "zh": "待复习"},
    "decks.col_suspended": {"en": "suspended", "zh": "已暂停"},
    "decks.validate_ok": {
        "en": "[green]ok[/]: {files} file(s), {cards} cards",
        "zh": "[green]检查通过[/]：{files} 个文件，{cards} 张卡片",
    },
    "decks.unsuspended": {"en": "unsuspended {count} card(s)", "zh": "已恢复 {count} 张卡片"},
}


def t(key: str, lang: str, **fields: object) -> str:
    """The message `key` in `lang` (English when that language has no text for it), with `fields` filled in."""
    entry = MESSAGES[key]
    return (entry.get(lang) or entry["en"]).format(**fields)


def rating_name(rating: int, lang: str) -> str:
    """Again, Hard, Good, Easy (重来, 困难, 良好, 简单) for ratings 1-4."""
    return t(f"rating.{rating}", lang)
