"""Word pools the sample street is drawn from.

Hand lists are fine here: this is test data. Frequencies are rough but keep
the shape that matters for matching -- a few surnames cover a third of the
population, common given-name characters repeat, so homonyms are frequent.
"""

from __future__ import annotations

import numpy as np


def _weighted(spec: str) -> tuple[np.ndarray, np.ndarray]:
    """Parse "王7.1 李7.0 ..." into (values, probabilities)."""
    values: list[str] = []
    weights: list[float] = []
    for token in spec.split():
        i = len(token.rstrip("0123456789."))
        values.append(token[:i])
        weights.append(float(token[i:]))
    w = np.array(weights, dtype=float)
    return np.array(values, dtype=object), w / w.sum()


def _zipf(chars: str, s: float = 0.8) -> tuple[np.ndarray, np.ndarray]:
    """Distinct characters of ``chars`` with Zipf-like weights by their order."""
    seen = list(dict.fromkeys(chars.replace(" ", "")))
    w = 1.0 / np.arange(1, len(seen) + 1) ** s
    return np.array(seen, dtype=object), w / w.sum()


# Surnames with rough national frequencies in percent; compound and rare ones
# at the end (乾/於 are real surnames that OpenCC's t2s would mangle; 阎/萧/傅
# sit beside their confusable twins 闫/肖/付).
SURNAMES, SURNAME_P = _weighted(
    """
    王7.1 李7.0 张6.7 刘5.4 陈4.5 杨3.1 黄2.2 赵2.0 吴2.0 周1.9 徐1.5 孙1.4 马1.3 朱1.3
    胡1.2 郭1.2 何1.1 高1.1 林1.1 罗1.0 郑1.0 梁0.9 谢0.8 宋0.8 唐0.8 许0.7 韩0.7 冯0.7
    邓0.7 曹0.7 彭0.6 曾0.6 肖0.6 田0.6 董0.5 袁0.5 潘0.5 于0.5 蒋0.5 蔡0.5 余0.5 杜0.5
    叶0.5 程0.5 苏0.4 魏0.4 吕0.4 丁0.4 任0.4 沈0.4 姚0.4 卢0.4 姜0.4 崔0.3 钟0.3 谭0.3
    陆0.3 汪0.3 范0.3 金0.3 石0.3 廖0.3 贾0.3 夏0.3 韦0.3 付0.3 方0.3 白0.2 邹0.2 孟0.2
    熊0.2 秦0.2 邱0.2 江0.2 尹0.2 薛0.2 闫0.2 段0.2 雷0.2 侯0.2 龙0.2 史0.2 陶0.2 黎0.2
    贺0.2 顾0.2 毛0.2 郝0.2 龚0.2 邵0.2 万0.2 钱0.2 严0.2 覃0.1 武0.1 戴0.1 莫0.1 孔0.1
    向0.1 汤0.1 常0.1 温0.1 康0.1 施0.1 文0.1 牛0.1 樊0.1 葛0.1 邢0.1 安0.1 齐0.1 易0.1
    乔0.1 伍0.1 庞0.1 颜0.1 倪0.1 庄0.1 聂0.1 章0.1 鲁0.1 岳0.1 翟0.1 殷0.1 詹0.1 申0.1
    欧0.1 耿0.1 关0.1 兰0.1 焦0.1 俞0.1 左0.1 柳0.1 甘0.1 祝0.1 包0.1 宁0.1 尚0.1 符0.1
    舒0.1 阮0.1 柯0.1 纪0.1 梅0.1 童0.1 凌0.1 毕0.1 单0.1 季0.1 裴0.1 霍0.1 涂0.1 成0.1
    苗0.1 谷0.1 盛0.1 曲0.1 翁0.1 冉0.1 骆0.1 蓝0.1 路0.1 游0.1 辛0.1 靳0.1 管0.1 柴0.1
    鲍0.1 华0.1 喻0.1 祁0.1 蒲0.1 房0.1 滕0.1 屈0.1 饶0.1 解0.1 牟0.1 艾0.1 尤0.1 时0.1
    穆0.1 司0.1 卓0.1 古0.1 吉0.1 缪0.1 简0.1 车0.1 项0.1 连0.1 褚0.1 娄0.1 窦0.1 戚0.1
    岑0.1 景0.1 党0.1 宫0.1 费0.1 卜0.1 冷0.1 晏0.1 席0.1 卫0.1 米0.1 柏0.1 宗0.1 瞿0.1
    桂0.1 全0.1 佟0.1 应0.1 臧0.1 闵0.1 苟0.1 邬0.1 边0.1 卞0.1 姬0.1 师0.1 仇0.1 栾0.1
    隋0.1 商0.1 刁0.1 沙0.1 荣0.1 巫0.1 寇0.1 桑0.1 郎0.1 甄0.1 丛0.1 仲0.1 虞0.1 敖0.1
    巩0.1 佘0.1 池0.1 查0.1 麻0.1 苑0.1 迟0.1 邝0.1 阎0.05 萧0.05 傅0.1 区0.02 朴0.02
    欧阳0.04 司马0.01 上官0.01 诸葛0.01 东方0.005 皇甫0.005 尉迟0.003 令狐0.003 慕容0.003
    於0.01 乾0.005 亓0.005 禤0.003 那0.005 银0.005
    """
)

# Given-name characters: single-character names and the last of two.
MALE_CHARS, MALE_P = _zipf(
    "伟强磊军勇杰涛明超刚平辉华建峰鹏斌波浩宇俊志文东海林亮飞龙成国永兵新春德荣晨博鑫凯旭阳"
    "帆健锋江宁彬毅坤鸣洋翔钢昊然晖君铭滔亭骏智雨皓辰嘉朋潮冬琦彪雷庆松柏宏安"
)
FEMALE_CHARS, FEMALE_P = _zipf(
    "芳娜敏静丽艳娟霞燕玲秀英红梅洁琳婷雪倩颖萍兰凤慧佳欣月晶莉莹丹雯琴云美桂瑶媛蕾薇璐露"
    "娇茜怡悦萌虹鹃铃瑛婧侠菁蓉珍莲凤琼惠艺妍"
)
# First character of a two-character given name.
MALE_FIRST, MALE_FIRST_P = _zipf("建志国文海明永晓小春俊家子宏伟振德金天立浩宇嘉思一世新庆学长玉")
FEMALE_FIRST, FEMALE_FIRST_P = _zipf("晓秀丽玉美春小海雅佳欣思红金雪桂淑慧婷梦诗一子紫若艳亚凤晨")

# Very common full names, to make homonyms frequent (surname, given, sex).
POPULAR = [
    ("张", "伟", "男"),
    ("王", "芳", "女"),
    ("李", "娜", "女"),
    ("刘", "洋", "男"),
    ("王", "伟", "男"),
    ("李", "伟", "男"),
    ("张", "敏", "女"),
    ("李", "静", "女"),
    ("王", "静", "女"),
    ("刘", "伟", "男"),
    ("王", "秀英", "女"),
    ("张", "丽", "女"),
    ("李", "强", "男"),
    ("王", "磊", "男"),
    ("李", "军", "男"),
    ("张", "勇", "男"),
    ("刘", "芳", "女"),
    ("王", "丽", "女"),
    ("李", "秀英", "女"),
    ("张", "静", "女"),
    ("陈", "静", "女"),
    ("王", "勇", "男"),
    ("张", "杰", "男"),
    ("刘", "洋", "女"),
    ("陈", "杰", "男"),
    ("王", "艳", "女"),
    ("李", "敏", "女"),
    ("王", "军", "男"),
]
POPULAR_P = 1.0 / np.arange(1, len(POPULAR) + 1) ** 0.6
POPULAR_P = POPULAR_P / POPULAR_P.sum()

# Uyghur-style names written with a middle dot: given · father's given.
MINORITY_MALE = [
    "阿不都",
    "买买提",
    "艾力",
    "热合曼",
    "吐尔逊",
    "阿迪力",
    "伊力哈木",
    "艾尔肯",
    "玉苏甫",
    "麦麦提",
    "阿卜杜拉",
    "库尔班",
    "努尔艾力",
    "艾合买提",
    "吾斯曼",
]
MINORITY_FEMALE = [
    "古丽米拉",
    "阿依古丽",
    "帕提古丽",
    "迪丽拜尔",
    "热依拉",
    "祖丽菲亚",
    "米热古丽",
    "努尔古丽",
    "阿依努尔",
    "热孜宛古丽",
    "再努尔",
]
MINORITY_FATHER = [
    "热合曼",
    "艾力",
    "阿不都",
    "吐尔逊",
    "买买提",
    "玉素甫",
    "肉孜",
    "司马义",
    "依明",
    "卡德尔",
    "沙吾提",
    "阿布拉",
    "托乎提",
    "亚森",
    "喀斯木",
]
MIDDLE_DOT = "·"  # U+00B7, the standard one
DOT_VARIANTS = ["•", "．", ".", "・", "‧", " ", ""]

ETHNICITIES, ETHNICITY_P = _weighted("汉族97.0 回族1.0 土家族0.6 苗族0.4 壮族0.4 满族0.3 彝族0.3")

# Homophone slips made when names are taken down orally (both directions).
_HOMOPHONE_PAIRS = (
    "伟玮 丽莉 娟鹃 军君 明铭 杰洁 峰锋 玲铃 芳方 红虹 燕艳 建健 平萍 英瑛 静婧 霞侠 涛滔 "
    "华桦 林琳 斌彬 晶菁 辉晖 刚钢 东冬 婷亭 俊骏 志智 文雯 宇雨 浩皓 晨辰 佳嘉 鹏朋 超潮"
)
HOMOPHONES: dict[str, str] = {}
for _pair in _HOMOPHONE_PAIRS.split():
    HOMOPHONES[_pair[0]] = _pair[1]
    HOMOPHONES[_pair[1]] = _pair[0]

# Roads of Minhang (闵行区), where the sample street lies.
ROADS = [
    "古美路",
    "平阳路",
    "顾戴路",
    "莲花南路",
    "七莘路",
    "万源路",
    "虹梅南路",
    "古龙路",
    "平南路",
    "龙茗路",
    "梅陇路",
    "银都路",
    "虹莘路",
    "漕宝路",
    "吴中路",
    "沪闵路",
    "莘朱路",
    "莘松路",
    "春申路",
    "都市路",
    "东兰路",
    "平吉路",
    "古美西路",
    "航新路",
    "莲花路",
    "报春路",
    "老沪闵路",
    "景联路",
    "名都路",
    "红松路",
    "金汇路",
    "水清路",
    "沁春路",
    "银春路",
    "剑川路",
    "江川路",
    "东川路",
    "华宁路",
    "碧江路",
    "鹤庆路",
]
COMMITTEE_STEMS = [
    "古美",
    "平阳",
    "平南",
    "平吉",
    "古龙",
    "万源",
    "东兰",
    "梅陇",
    "龙柏",
    "航华",
    "莲花",
    "华一",
    "名都",
    "新梅",
    "田园",
    "春申",
    "莘城",
    "碧江",
    "银都",
    "金汇",
]
ORDINALS = "一二三四五六七八九十"
VILLAGE = "九星村"
DISTRICT_PREFIXES = ["上海市闵行区", "闵行区"]

# Hukou address pieces (town, village, road stems).
TOWNS = [
    "城关",
    "新集",
    "三河",
    "高桥",
    "白沙",
    "张店",
    "王庄",
    "李集",
    "双河",
    "黄岗",
    "青山",
    "石桥",
    "龙山",
    "马店",
    "杨湾",
    "孙庄",
    "金桥",
    "大兴",
    "永安",
    "太平",
    "东林",
    "西湖",
    "南岗",
    "北关",
    "柳林",
    "桃园",
    "河口",
    "新河",
    "十里",
    "清水",
    "白马",
    "长安",
    "兴隆",
    "朱集",
    "刘集",
    "陈店",
    "古城",
    "关庙",
    "花园",
    "石门",
]
TOWN_SUFFIX = ["镇", "镇", "镇", "乡"]
VILLAGES = [
    "前进",
    "红星",
    "光明",
    "新华",
    "胜利",
    "和平",
    "联合",
    "张湾",
    "刘庄",
    "大李",
    "小王",
    "东岳",
    "西河",
    "陈楼",
    "赵庄",
    "周集",
    "双桥",
    "杨柳",
    "马庄",
    "黄庄",
    "高台",
    "南湖",
    "新民",
    "建设",
    "团结",
    "东风",
    "五一",
    "向阳",
    "红旗",
    "长岗",
    "吴湾",
    "孙楼",
    "后营",
    "前营",
    "八里",
    "中心",
    "民主",
    "幸福",
    "丰收",
    "金星",
]
HOMETOWN_ROADS = [
    "人民路",
    "解放路",
    "建设路",
    "中山路",
    "新华路",
    "胜利路",
    "长江路",
    "黄河路",
    "文化路",
    "和平路",
    "光明路",
    "工农路",
    "团结路",
    "东风路",
    "青年路",
]

# Collectors (居委 staff, 协管员): local names.
COLLECTORS = [
    "张建华",
    "李秀英",
    "王美华",
    "陈国强",
    "徐丽萍",
    "顾敏",
    "陆春燕",
    "沈伟",
    "朱琴",
    "周建国",
    "吴海燕",
    "金晓红",
    "钱玉芳",
    "孙卫东",
    "黄雪梅",
    "蒋小兰",
    "杨志刚",
    "俞红",
    "施文娟",
    "姚建平",
    "汤美玲",
    "倪国华",
    "龚丽",
    "潘金花",
    "严小妹",
    "卫东",
    "曹秀芳",
    "盛建军",
]

REMARKS = ["房东", "租客", "新来沪", "待补证件", "电话未接", "合租", "群租已整改", "夫妻同住"]
MISSING_ID = ["", "", "无", "无", "暂无", "/"]
INACTIVE_WORDS, INACTIVE_P = _weighted("注销80 已注销12 迁出8")

INSTRUCTIONS = [
    "填表说明",
    "1. 本表由居委会采集人员逐户上门填写，一人一行，不得漏户漏人。",
    "2. 身份证号请填写18位，单元格格式请设为“文本”，不要使用科学计数法。",
    "3. 性别填写代码：1=男，2=女。",
    "4. 居住地址填写到门牌号和室号，如“古美路1255弄12号302室”。",
    "5. 采集日期格式：2023.05.01。",
    "6. 无身份证的，请在备注中说明原因。",
    "7. 填好后交街道人口办，联系电话 64XXXXXX。",
]
