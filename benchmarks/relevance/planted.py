"""Briefings planted in the relevance corpus: each carries words that occur nowhere else on
the site, each in one place a reader sees (title, tag, meeting, chair, attendees, location,
a heading, a paragraph), so the briefings a query should find are known for certain."""

PLANTED: dict[str, str] = {
    "p01.md": """---
title: 全市中小学校园足球联赛开幕
date: 2025-09-12T09:00:00+08:00
slug: planted-01
tags: [校园安全]
---

9月12日，全市中小学生齐聚体育中心，共同见证本届赛事拉开帷幕。

## 赛事安排

比赛分小学组、初中组和高中组，历时两个月。
""",
    "p02.md": """---
title: 局长办公会研究暑期工作
date: 2025-07-03T09:00:00+08:00
slug: planted-02
tags: [研学旅行]
---

会议听取了暑期安全工作汇报，部署假期各项任务。
""",
    "p03.md": """---
title: 市教育局召开专题会议部署汛期安全
date: 2025-06-20T09:00:00+08:00
slug: planted-03
meeting: 防汛抗旱指挥部会议
---

会议要求各学校做好汛期值班值守，排查校舍隐患。
""",
    "p04.md": """---
title: 市教育局召开党组会议
date: 2025-05-18T09:00:00+08:00
slug: planted-04
chair: 欧阳振华
---

会议学习了有关文件精神，研究了近期重点工作。
""",
    "p05.md": """---
title: 市教育局召开文物保护进校园座谈会
date: 2025-05-10T09:00:00+08:00
slug: planted-05
attendees: [单霁翔, 覃海洋]
---

座谈会围绕文物保护教育进校园交流了意见。
""",
    "p06.md": """---
title: 市教育局赴外地考察职业教育
date: 2025-04-22T09:00:00+08:00
slug: planted-06
location: 乌鲁木齐
---

考察组学习了当地职业院校产教融合的做法。
""",
    "p07.md": """---
title: 市教育局召开数字化工作推进会
date: 2025-04-02T09:00:00+08:00
slug: planted-07
---

会议总结了上一阶段数字化工作。

## 人工智能实验室建设

各区要按计划完成中小学实验室改造任务。
""",
    "p08.md": """---
title: 市教育局签订教育基金合作协议
date: 2025-03-15T09:00:00+08:00
slug: planted-08
---

3月15日，市教育局与重庆银行长沙分行签订合作协议，该分行行长出席签约仪式。

## 下一步工作

双方将共同设立助学基金。
""",
    "p09.md": """---
title: 市教育局召开体育工作会议
date: 2025-03-01T09:00:00+08:00
slug: planted-09
---

会议表彰了获得省级冠军的女生篮球队，要求继续抓好学校体育。
""",
    "p10.md": """---
title: 市教育局接待外地教育考察团
date: 2025-02-18T09:00:00+08:00
slug: planted-10
---

来自蚌埠的考察团参观了我市多所学校。
""",
    "p11.md": """---
title: 市教育局与兄弟城市签订合作备忘录
date: 2025-02-05T09:00:00+08:00
slug: planted-11
---

会议期间，双方与厦门代表团交流了教师培养经验。
""",
    "p12.md": """---
title: Flood drills at riverside kindergartens
date: 2025-01-20T09:00:00+08:00
slug: planted-12
lang: en
---

The bureau ordered flood drills at every riverside kindergarten before the rainy season.

## Lifeguards

Swimming pools used by schools must employ trained lifeguards.
""",
    "p13.md": """---
title: 市教育局接待港澳教育代表团
date: 2025-01-10T09:00:00+08:00
slug: planted-13
---

澳門特別行政區教育及青年發展局代表來訪，雙方交流了青少年交流項目。
""",
    "p14.md": """---
title: 市教育局部署冬季体育工作
date: 2019-12-01T09:00:00+08:00
slug: planted-14
tags: [体教融合]
---

会议要求各校因地制宜开展冰雪运动，增强学生体质。
""",
    "p15.md": """---
title: 市教育局召开绿色学校创建推进会
date: 2024-11-11T09:00:00+08:00
slug: planted-15
---

会议提出，学校要把碳中和理念融入课程和校园管理。
""",
}
