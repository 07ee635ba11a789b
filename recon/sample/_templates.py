"""Field-sheet templates: layout, column headers and writing conventions.

Each 居委 uses one template. Headers are synonyms listed in
``recon/rules/headers.toml``; the tests check that they stay so.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Template:
    """How one 居委's workbook looks.

    ``columns`` pairs a field of ``Street.field`` (or ``serial`` /
    ``committee``) with the header written; ``groups`` is the merged group row
    of a two-row header as (label, span) over the columns in order.
    """

    code: str
    columns: tuple[tuple[str, str], ...]
    sex_style: str  # "text" (男/女) or "code" (1/2)
    date_style: str  # see recon.sample._text.styled_dates
    birth_style: str
    title: str = ""  # merged title row; "{c}" is the committee
    info_row: bool = False
    total_row: bool = False
    groups: tuple[tuple[str, int], ...] = ()
    instructions: bool = False
    blank_rows: bool = False
    per_collector: bool = False
    xls: bool = False
    sheet: str = "Sheet1"
    numeric_codes: bool = False  # sex codes and phone numbers typed as numbers


# fmt: off
TEMPLATES: dict[str, Template] = {
    "T1": Template(
        code="T1",
        columns=(
            ("serial", "序号"), ("name", "姓名"), ("sex", "性别"), ("id_number", "公民身份号码"),
            ("ethnicity", "民族"), ("address", "现居住地址"), ("hukou_address", "户籍地址"),
            ("phone", "联系电话"), ("arrived_on", "来沪日期"), ("collected_on", "采集日期"),
            ("remark", "备注"),
        ),
        sex_style="text", date_style="excel", birth_style="iso",
        title="{c}来沪人员信息采集表", info_row=True, total_row=True, sheet="采集表",
    ),
    "T2": Template(
        code="T2",
        columns=(
            ("serial", "序号"), ("committee", "居委会"), ("name", "姓名"),
            ("id_number", "身份证号"), ("sex", "性别"), ("birth_date", "出生日期"),
            ("address", "居住地址"),
            ("hukou_address", "户籍地址"), ("phone", "手机号码"), ("collector", "采集人"),
            ("collected_on", "采集日期"),
        ),
        sex_style="code", date_style="dots", birth_style="iso",
        instructions=True, sheet="来沪人员登记表", numeric_codes=True,
    ),
    "T3": Template(
        code="T3",
        columns=(
            ("serial", "序号"), ("name", "姓名"), ("sex", "性别"), ("id_number", "身份证号码"),
            ("ethnicity", "民族"), ("address", "暂住地址"), ("hukou_address", "户籍所在地"),
            ("phone", "联系电话"), ("arrived_on", "来沪时间"), ("collected_on", "采集时间"),
            ("collector", "采集员"),
        ),
        sex_style="text", date_style="cn", birth_style="iso",
        groups=(("基本信息", 5), ("居住信息", 4), ("采集情况", 2)), sheet="信息采集",
    ),
    "T4": Template(
        code="T4",
        columns=(
            ("name", "被采集人姓名"), ("id_number", "证件号码"), ("sex", "性别"),
            ("address", "现住址"), ("hukou_address", "原籍"), ("phone", "联系方式"),
            ("collected_on", "调查日期"), ("remark", "备注"),
        ),
        sex_style="code", date_style="compact", birth_style="compact",
        blank_rows=True, sheet="Sheet1", numeric_codes=True,
    ),
    "T5": Template(
        code="T5",
        columns=(
            ("serial", "序号"), ("name", "姓名"), ("id_number", "公民身份号码"), ("sex", "性别"),
            ("birth_date", "出生年月"), ("address", "居住地"), ("hukou_address", "户籍地"),
            ("phone", "电话"), ("collected_on", "填报日期"),
        ),
        sex_style="text", date_style="iso", birth_style="dots",
        per_collector=True,
    ),
    "T6": Template(
        code="T6",
        columns=(
            ("serial", "序号"), ("name", "姓名"), ("sex", "性别"), ("id_number", "身份证号"),
            ("address", "现居住地址"), ("hukou_address", "户口所在地"), ("phone", "联系电话"),
            ("arrived_on", "来沪日期"), ("collected_on", "采集日期"),
        ),
        sex_style="text", date_style="excel", birth_style="iso",
        title="{c}来沪人员登记表", xls=True, sheet="Sheet1",
    ),
}

# Headers of the flat field.csv (benchmark layout).
FLAT_FIELD_COLUMNS = (
    ("committee", "居委"), ("collector", "采集人"), ("name", "姓名"), ("sex", "性别"),
    ("id_number", "公民身份号码"), ("ethnicity", "民族"), ("birth_date", "出生日期"),
    ("phone", "联系电话"), ("address", "现居住地址"), ("hukou_address", "户籍地址"),
    ("arrived_on", "来沪日期"), ("collected_on", "采集日期"), ("remark", "备注"),
)

# The police export, as SPS writes it.
SYSTEM_COLUMNS = (
    ("name", "姓名"), ("sex", "性别"), ("id_number", "公民身份号码"), ("birth_date", "出生日期"),
    ("hukou_address", "户籍地址"), ("address", "暂住地址"), ("committee", "所属居委"),
    ("registered_on", "登记日期"), ("status", "人员状态"), ("cancelled_on", "注销日期"),
    ("phone", "联系电话"), ("record_key", "人员编号"),
)
# The optional second export with pinyin-initial headers.
PINYIN_COLUMNS = (
    ("name", "xm"), ("sex", "xb"), ("id_number", "sfzh"), ("hukou_address", "hjdz"),
    ("address", "dzmc"), ("committee", "jwh"), ("registered_on", "djsj"), ("zxbs", "zxbs"),
    ("cancelled_on", "zxsj"),
)

# 人户分离 sweep sheets (人到机), one template per 居委 in rotation.
SWEEP_TEMPLATES: dict[str, Template] = {
    "R1": Template(
        code="R1",
        columns=(
            ("serial", "序号"), ("name", "姓名"), ("sex", "性别"), ("id_number", "公民身份号码"),
            ("hukou_address", "户籍地址"), ("address", "现居住地址"),
            ("collected_on", "采集日期"), ("remark", "备注"),
        ),
        sex_style="text", date_style="excel", birth_style="iso",
        title="{c}人户分离排查表", info_row=True, total_row=True, sheet="排查表",
    ),
    "R2": Template(
        code="R2",
        columns=(
            ("serial", "序号"), ("name", "姓名"), ("id_number", "身份证号"), ("sex", "性别"),
            ("hukou_address", "户口所在地址"), ("address", "现住址"),
            ("collected_on", "调查日期"), ("remark", "备注"),
        ),
        sex_style="code", date_style="dots", birth_style="iso",
        title="{c}人户分离排查表", sheet="人户分离", numeric_codes=True,
    ),
    "R3": Template(
        code="R3",
        columns=(
            ("serial", "序号"), ("name", "姓名"), ("sex", "性别"), ("id_number", "身份证号码"),
            ("hukou_address", "户口所在地"), ("address", "实际居住地址"),
            ("collected_on", "走访日期"), ("collector", "采集人"), ("remark", "备注"),
        ),
        sex_style="text", date_style="cn", birth_style="iso",
        title="{c}人户分离情况排查表", blank_rows=True, sheet="Sheet1",
    ),
    "R4": Template(
        code="R4",
        columns=(
            ("serial", "序号"), ("name", "姓名"), ("sex", "性别"), ("id_number", "公民身份号码"),
            ("hukou_address", "户籍所在地"), ("address", "居住地址"),
            ("collected_on", "填报日期"), ("remark", "备注"),
        ),
        sex_style="text", date_style="compact", birth_style="iso",
        title="{c}人户分离排查登记表", groups=(("基本信息", 4), ("地址", 2), ("排查情况", 2)),
        sheet="排查登记",
    ),
}

# Headers of the flat sweep.csv (benchmark layout).
FLAT_SWEEP_COLUMNS = (
    ("committee", "居委"), ("collector", "采集人"), ("name", "姓名"), ("sex", "性别"),
    ("id_number", "公民身份号码"), ("hukou_address", "户籍地址"), ("address", "现居住地址"),
    ("collected_on", "采集日期"), ("remark", "备注"),
)

# The police's 人户分离 list (机到人).
LIST_COLUMNS = (
    ("name", "姓名"), ("sex", "性别"), ("id_number", "公民身份号码"),
    ("hukou_address", "户口所在地址"), ("address", "现居住地址"), ("kind", "人户分离类型"),
    ("committee", "所属居委"), ("registered_on", "登记日期"),
)
# fmt: on


def assign_templates(n: int) -> list[str]:
    """Template codes for ``n`` committees: T1..T5 rotating, exactly one T6 (n >= 2)."""
    xls_at = min(5, n - 1) if n >= 2 else -1
    codes = []
    k = 0
    for i in range(n):
        if i == xls_at:
            codes.append("T6")
        else:
            codes.append(f"T{1 + k % 5}")
            k += 1
    return codes
