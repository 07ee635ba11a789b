"""Header sets of real import templates and exports (short facts, with their source).

Each set lists its columns as they appear, left to right, in a compact form:

* ``"姓名*=name"``: the header text, then the field the column holds (a field
  of ``recon/rules/headers.toml``), or nothing after ``=`` when the column
  holds none of ours (``"民族*="`` is kept but not used);
* ``"户籍地/省*=hukou_address"``: a two-row header, the parent (merged over
  its sub-labels in the file) and the sub-label;
* ``"...=address~region"``: ``~kind`` names the kind of values the column
  holds when the header alone does not say it (used to fill the column with
  realistic values, see ``benchmarks/real_headers.py``).

``layout`` says how the source lays the table out: ``title`` (a merged
title row), ``notes`` (a merged row of filling notes above the header),
``info`` (a 填报单位 row with 省/市/区 cells), ``instructions`` (a row of
filling instructions under the header), ``html`` (served as an HTML table
named ``.xls``), ``tab`` (a tab-separated text export), ``xlsx`` otherwise.

``held_out``: sets kept aside and never tuned on (the vocabulary and the
scoring were written from the others; these only measure).

Sources (public repositories, read for their header texts only):

* ``Yanwei-Tim/sichuangrid``, ``webroot/resource/datatemplate/*.xls``: the
  import templates of a grid-management system (网格化服务管理, 天阙): a
  version cell and a title row, a merged row of filling notes, a 填报单位
  row, then a two-row header with 户籍地 merged over 省/市/区县.
* ``WalkerOstarliang/CPS``: a community-policing system (社区警务, 长沙):
  ``WebRoot/down/import/*.xls`` import templates, and JSP pages that serve an
  HTML table as ``.xls`` (``contentType="application/msexcel"``).
* ``ChenXj6/wangGeHua``, ``src/views/home/ActualInfo/common/people.js``: the
  person list of a community grid system (columns of its table and export).
* a public Java source listing the pinyin columns of a police population
  table (``ZJHM, ..., HJXZ, XZZQH, XZZXZ, ..., GMSFHM, XM ...``), and the
  view ``V_LSGL_RK`` of the CPS repository (``RYBH, XM, SFZH, ... XZZXZ``).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class HeaderSet:
    key: str
    source: str
    columns: tuple[str, ...]
    layout: frozenset[str] = field(default_factory=frozenset)
    held_out: bool = False


def _set(key: str, source: str, columns: str, layout: str = "", held_out: bool = False):
    return HeaderSet(
        key, source, tuple(c.strip() for c in columns.split("|")), frozenset(layout.split()),
        held_out,
    )  # fmt: skip


TQ = "Yanwei-Tim/sichuangrid webroot/resource/datatemplate/"
CPS = "WalkerOstarliang/CPS "

# fmt: off
SETS: tuple[HeaderSet, ...] = (
    # --- CPS (community policing, 长沙) ----------------------------------------------
    _set("cps_cyry_import", CPS + "WebRoot/down/import/cyryplcjb.xls",
         "姓名*=name|身份证号码*=id_number|电话号码*=phone|职务*=|入职时间*=~date|离职时间=~date"
         "|居住地派出所*=~police|居住地址*=address|备注=remark"),
    _set("cps_syrk_import", CPS + "WebRoot/down/import/syrkplcjb.xls",
         "姓名*=name|身份证号码*=id_number|电话号码*=phone|居住时间*=~date|居住事由*=~dict"
         "|居住处所*=~dict|与户主关系*=~dict|拟居住期限*=~dict|备注=remark"),
    _set("cps_ldrk_export", CPS + "WebRoot/jsp/lsgl/pages/rk/zzrk/ldrkdcexcel.jsp",
         "序号=serial|姓名=name|公民身份证号=id_number|性别=sex|出生日期=birth_date"
         "|联系电话=phone|户籍地区划=hukou_address~region|户籍地详址=hukou_address"
         "|现住地区划=address~region|现住地详址=address|到达时间=arrived_on|核签时间=~date"
         "|居住事由=~dict|操作单位=~police|操作人=~name|操作时间=~date|拟居住时间=~dict",
         "html"),
    _set("cps_czrk_export", CPS + "WebRoot/jsp/lsgl/pages/rk/czrk/czrkexceldy.jsp",
         "序号=serial|姓名=name|公民身份证号=id_number|户号=~code|与户主关系=~dict|性别=sex"
         "|出生日期=birth_date|联系电话=phone|户籍地区划=hukou_address~region"
         "|户籍地详址=hukou_address|现住地区划=address~region|现住地详址=address|户号=~code"
         "|户口类别=~dict|迁入时间=~date|其它住址省市县区=~region|其他住址详址=~addr"
         "|核实时间=~date",
         "html"),
    _set("cps_jzz_export", CPS + "WebRoot/jsp/lsgl/pages/rk/zzrk/exportMode/jzzdowload_mode.jsp",
         "序号=serial|姓名=name|身份证号码=id_number|性别=sex|现住地址=address"
         "|户籍详址=hukou_address|有效期(年)=~number|打印状态=~dict|打印标志=~dict"
         "|制证时间=~date|居住证标识=~dict|流口标识=~dict",
         "html"),
    _set("cps_zdry_export", CPS + "WebRoot/jsp/lsgl/pages/zdry/zdryDownloadExcelMode.jsp",
         "序号=serial|姓名=name|性别=sex|公民身份证号=id_number|出生日期=birth_date"
         "|联系电话=phone|户籍地详址=hukou_address|现住地详址=address",
         "html"),
    _set("cps_cyry_list", CPS + "WebRoot/jsp/sydw/pages/cyry/cyryimportlistpage.jsp",
         "序号=serial|姓名=name|身份证号码=id_number|电话号码=phone|居住地派出所=~police"
         "|居住地址=address|重点人员标识=~dict",
         "html"),
    _set("cps_rk_view", CPS + "V_LSGL_RK (SQL view, pinyin columns)",
         "RYBH=record_key|XM=name|XMPY=~pinyin|SFZH=id_number|XB=sex|GJ=~dict|MZ=ethnicity"
         "|CSRQ=birth_date|BMCH=~name|BYZK=~dict|YWM=~pinyin|WHCD=~dict|ZJZL=~word|ZJHM=~id"
         "|ZZMM=~dict|HYZK=~dict|SG=~number|XX=~dict|ZZXY=~dict|ZC=~text|LXDH=phone|FWCS=~text"
         "|ZYDM=~code|ZW=~dict|SF=~dict|JG=~region|HJDQH=hukou_address~region"
         "|HJDXZ=hukou_address|XZZQH=~code|XZZQHMC=address~region|XZZXZ=address"
         "|XZZZRQ=~code|RYSX=~code|RYLB=~dict|RZSJ=arrived_on|ZXBS=cancel_flag|ZXSJ=cancelled_on",
         "tab"),
    # --- tianque grid templates -------------------------------------------------------
    _set("tq_floating", TQ + "FLOATINGPOPULATION.xls",
         "姓名*=name|所属网格*=~grid|性别*=sex|出生日期=birth_date|身份证号码*=id_number"
         "|流入原因*=~dict|流入时间*=arrived_on|户籍地/省*=hukou_address|户籍地/市*=hukou_address"
         "|户籍地/区县*=hukou_address|民族*=ethnicity|政治面貌*=~dict|文化程度*=~dict"
         "|婚姻状况*=~dict|预计到期日期*=~date|暂住处所*=~dict|户籍详细地址=hukou_address"
         "|临时居所=~addr|曾用名=~name|工作单位或就读学校=~text|联系电话=phone|联系手机=~phone"
         "|电子邮件=~text|职业=~dict|血型=~dict|宗教信仰=~dict|身高(CM)=~number"
         "|流入来源/省=~region|流入来源/市=~region|流入来源/区县=~region|登记证情况=~dict"
         "|登记证编号=~code|登记日期=registered_on|经济来源=~dict|已居住时限=~dict"
         "|预居住时限=~dict|是否有婚育证明=~dict|备注=remark",
         "title notes info"),
    _set("tq_household", TQ + "HOUSEHOLDSTAFF.xls",
         "姓名*=name|所属网格*=~grid|性别*=sex|出生日期=birth_date|身份证号码*=id_number"
         "|户号*=~code|与户主关系*=~dict|与户主关系备注=~text|户籍地/省*=hukou_address"
         "|户籍地/市*=hukou_address|户籍地/区县*=hukou_address|民族*=ethnicity|政治面貌*=~dict"
         "|文化程度*=~dict|婚姻状况*=~dict|人户状态*=~dict|是否外出*=~dict|外出原因*=~dict"
         "|外出时间*=~date|户籍详址=hukou_address|户籍派出所=~police|临时居所=~addr"
         "|曾用名=~name|工作单位或就读学校=~text|联系电话=phone|联系手机=~phone"
         "|电子邮箱=~text|职业=~dict|血型=~dict|宗教信仰=~dict|身高(CM)=~number"
         "|户口类别=~dict|住宅电话=~phone|家庭称号/五好家庭=~dict|家庭称号/平安家庭=~dict"
         "|外出去向/省=~region|外出去向/市=~region|外出去向/区县=~region|外出详址=~addr"
         "|备注=remark",
         "title notes info"),
    _set("tq_resident", TQ + "RESIDENT.xls",
         "姓名*=name|性别*=sex|身份证号码*=id_number|曾用名=~name|民族*=ethnicity"
         "|片组片格*=~grid|户口类别=~dict|人户状态=~dict|与户主关系=~dict|出生日期=birth_date"
         "|婚姻状况*=~dict|生育状况=~dict|文化程度*=~dict|政治面貌*=~dict"
         "|年收入（万元）=~number|健康状况=~dict|血型=~dict|兵役状况=~dict|宗教信仰=~dict"
         "|职业=~dict|联系电话=phone|联系手机=~phone|是否外出=~dict|是否参加保险=~dict"
         "|低保户=~dict|外出原因=~dict|常住地址=address|其他住址=~addr|工作场所=~text"
         "|备注=remark|户口薄号=~code",
         "title notes info"),
    _set("tq_inhabitant", TQ + "INHABITANT.xls",
         "户号=~code|户主姓名=~name|户主身份证号=~id|住宅电话=~phone|户籍地址=hukou_address"
         "|姓名*=name|性别*=sex|身份证号码*=id_number|所属网格*=~grid|出生日期=birth_date"
         "|户口类别=~dict|与户主关系=~dict|人户状态=~dict|民族*=ethnicity|现居地址=address"
         "|曾用名=~name|身高(cm)=~number|血型=~dict|健康状况=~dict|文化程度*=~dict"
         "|婚姻状况*=~dict|兵役状况=~dict|宗教信仰=~dict|政治面貌*=~dict|职业=~dict"
         "|是否注销=cancel_flag|注销时间=cancelled_on|注销原因=~dict|是否死亡=~dict"
         "|死亡时间=~date|死亡原因=~dict|常住地址=~addr|其它地址=~addr|年收入(万)=~number"
         "|工作处所=~text|是否参加保险=~dict|是否外出=~dict|外出去向=~region|是否军属=~dict"
         "|低保户=~dict|困难状况=~dict|是否侨属=~dict|侨属类别=~dict|手机号码=phone"
         "|人员状态=status|备注=remark",
         "title notes info"),
    _set("tq_elderly", TQ + "ELDERLYPEOPLE.xls",
         "姓名*=name|所属网格*=~grid|性别*=sex|出生日期=birth_date|身份证号码*=id_number"
         "|户籍地/省*=hukou_address|户籍地/市*=hukou_address|户籍地/区县*=hukou_address"
         "|关注程度=~dict|户籍详细地址=hukou_address|现住地址*=address|其他地址=~addr"
         "|曾用名=~name|工作单位=~text|联系电话=phone|联系手机=~phone|电子邮件=~text"
         "|民族*=ethnicity|政治面貌*=~dict|文化程度*=~dict|职业=~dict|婚姻状况*=~dict"
         "|血型=~dict|宗教信仰=~dict|身高(CM)=~number|老年人证号=~code|人员类型=kind"
         "|当前状况=~dict|居住情况=~dict|配偶情况=~dict|经济来源=~dict|参加工作日期=~date"
         "|离退休单位=~text|离退休日期=~date|离退休单位的职务=~dict|退休金(元)=~number"
         "|备注=remark",
         "title notes info"),
    _set("tq_poor", TQ + "POORPEOPLE.xls",
         "姓名*=name|性别*=sex|身份证号码*=id_number|出生日期=birth_date|片组片格*=~grid"
         "|联系电话=phone|救助原因*=~dict|现居地址=address|是否低保户=~dict",
         "title notes info"),
    _set("tq_redcuff", TQ + "REDCUFFTEAM.xls",
         "姓名*=name|身份证号码*=id_number|性别*=sex|出生年月*=birth_date|民族*=ethnicity"
         "|红袖套队伍类型*=~dict|红袖套队伍类别*=~dict|联系电话*=phone|政治面貌*=~dict"
         "|文化程度*=~dict|登记人*=collector|登记时间*=registered_on|职业=~dict"
         "|家庭住址=address|备注=remark",
         "title notes"),
    _set("tq_specialcare", TQ + "SPECIALCAREGROUPS.xls",
         "姓名*=name|身份证号码*=id_number|性别*=sex|出生日期=birth_date|现居地址=address"
         "|联系电话=phone|联系手机=~phone|所属网格*=~grid|优抚证号*=~code|优抚类型=~dict"
         "|劳动能力=~dict|生活能力=~dict|就业情况=~dict|供养情况=~dict|月生活费=~number"
         "|备注=remark",
         "title notes info"),
    _set("tq_member", TQ + "MEMBER.xls",
         "姓名*=name|所在党支部*=~text|性别*=sex|出生日期=birth_date|身份证号码*=id_number"
         "|党内职务=~dict|所属部门=~text|民主评议情况=~dict|户籍地/省=hukou_address"
         "|户籍地/市=hukou_address|户籍地/区县=hukou_address|现居地址=address|学位=~dict"
         "|专业技术职务=~dict|单位、职务或职业=~text|奖惩情况=~text|参加组织生活情况=~text"
         "|联系电话=phone|联系手机=~phone|入党时间=~date|民族=ethnicity|党费交纳至=~date"
         "|文化程度=~dict|进入当前党支部日期=~date|是否困难党员=~dict"
         "|是否建国前老党员=~dict|是否出国出境=~dict",
         "title notes"),
    _set("tq_idleyouth", TQ + "IDLEYOUTH.xls",
         "姓名*=name|所属网格*=~grid|性别*=sex|出生日期=birth_date|身份证号码*=id_number"
         "|人员类型*/闲散青少年=~dict|人员类型*/不良行为的青少年=~dict"
         "|人员类型*/流浪乞讨青少年=~dict|人员类型*/服刑在教人员未成年子女=~dict"
         "|人员类型*/农村留守儿童=~dict|人员类型*/其他=~dict|户籍地/省*=hukou_address"
         "|户籍地/市*=hukou_address|户籍地/区县*=hukou_address|关注程度=~dict"
         "|户籍详址=hukou_address|现住地址*=address|其他地址=~addr|曾用名=~name"
         "|工作单位或就读学校=~text|联系电话=phone|联系手机=~phone|电子邮箱=~text"
         "|民族*=ethnicity|政治面貌*=~dict|文化程度*=~dict|职业=~dict|婚姻状况*=~dict"
         "|血型=~dict|宗教信仰=~dict|身高(CM)=~number|备注=remark",
         "title notes info"),
    _set("tq_handicapped", TQ + "HANDICAPPED.xls",
         "姓名*=name|所属网格*=~grid|性别*=sex|出生日期=birth_date|身份证号码*=id_number"
         "|残疾原因*=~dict|残疾类型*=~dict|户籍地/省*=hukou_address|户籍地/市*=hukou_address"
         "|户籍地/区县*=hukou_address|关注程度=~dict|户籍详细地址=hukou_address"
         "|现住地址*=address|其他地址=~addr|曾用名=~name|工作单位或就读学校=~text"
         "|联系电话=phone|联系手机=~phone|电子邮件=~text|民族*=ethnicity|政治面貌*=~dict"
         "|文化程度*=~dict|职业=~dict|婚姻状况*=~dict|血型=~dict|宗教信仰=~dict"
         "|身高(CM)=~number|残疾时间=~date|残疾等级=~dict|是否持有残疾证=~dict"
         "|残疾证号=~code|技能特长=~text|劳动能力=~dict|监护人=~name|备注=remark",
         "title notes info instructions"),
    _set("tq_rectify", TQ + "RECTIFICATIVEPERSON.xls",
         "姓名*=name|所属网格*=~grid|性别*=sex|出生日期=birth_date|身份证号码*=id_number"
         "|社区矫正开始时间*=~date|社区矫正结束时间*=~date|原判刑期=~dict"
         "|刑法执行类别*=~dict|籍贯/省*=~region|籍贯/市*=~region|籍贯/县*=~region"
         "|户籍详细地址=hukou_address|现住地址*=address|其他地址=~addr|曾用名=~name"
         "|工作单位或就读学校=~text|联系电话=phone|联系手机=~phone|电子邮箱=~text"
         "|民族*=ethnicity|政治面貌*=~dict|文化程度*=~dict|职业=~dict|婚姻状况*=~dict"
         "|血型=~dict|宗教信仰=~dict|身高(CM)=~number|近况描述=~text|备注=remark",
         "title notes info"),
    # --- held out: never tuned on ------------------------------------------------------
    _set("cps_jzrk_export", CPS + "WebRoot/jsp/lsgl/pages/rk/jzrk/jzrkexceldy.jsp",
         "序号=serial|姓名=name|公民身份证号=id_number|性别=sex|出生日期=birth_date"
         "|联系电话=phone|户籍地区划=hukou_address~region|户籍地详址=hukou_address"
         "|现住地区划=address~region|现住地详址=address|寄住时间=~date|寄住原因=~dict"
         "|与户主关系=~dict|核实时间=~date",
         "html", held_out=True),
    _set("cps_ldrk_due", CPS + "WebRoot/jsp/outsite/excelmode/downLoadExcel_ldrkdqtx.jsp",
         "序号=serial|姓名=name|公民身份证号=id_number|性别=sex|出生日期=birth_date"
         "|联系电话=phone|户籍地详址=hukou_address|现住地详址=address|来本地时间=arrived_on"
         "|拟居住时间=~dict|居住事由=~dict|处理期限=~date",
         "html", held_out=True),
    _set("tq_tramp", TQ + "DANGERTRAMPRESIDENT.xls",
         "姓名*=name|性别*=sex|身份证号码*=id_number|片组片格*=~grid|暂住证号=~code"
         "|关注原因*=~dict|登记日期=registered_on|有效日期=~date|民族*=ethnicity"
         "|出生日期=birth_date|别名=~name|常住地址=~addr|文化程度*=~dict|婚姻状况*=~dict"
         "|生育状况=~dict|原户口类型=~dict|籍贯/省=~region|籍贯/市=~region|籍贯/区县=~region"
         "|户藉地详址=hukou_address|暂住事由=~dict|手机号码=phone|暂住处所=~dict"
         "|暂住地址=address|工作单位=~text|工作负责人=~name|现从事职业=~dict"
         "|房主姓名=~name|出租房治安许可号=~code|备注=remark",
         "title notes info", held_out=True),
    _set("tq_attention", TQ + "OTHERATTENTIONPERSONNEL.xls",
         "姓名*=name|性别*=sex|身份证号码*=id_number|出生日期=birth_date|片组片格*=~grid"
         "|关注原因*=~dict|户籍地/省=hukou_address|户籍地/市=hukou_address"
         "|户籍地/县=hukou_address|户籍派出所=~police|户籍详细地址=hukou_address"
         "|现居住地址=address|工作单位或就读学校=~text|联系电话=phone|联系手机=~phone"
         "|备注=remark",
         "title notes", held_out=True),
    _set("tq_party", TQ + "PARTYMEMBERINFO.xls",
         "姓名*=name|所属网格*=~grid|性别*=sex|出生日期=birth_date|身份证号码*=id_number"
         "|所属党支部*=~text|进入党支部时间=~date|党员类型=~dict|入党时间=~date"
         "|户籍地/省*=hukou_address|户籍地/市*=hukou_address|户籍地/县*=hukou_address"
         "|户籍详细地址=hukou_address|现居住地址/现居住地址类型*=~dict"
         "|现居住地址/小区/地址*=address~estate|现居住地址/幢=address~building"
         "|现居住地址/单元=address~unit|现居住地址/室=address~room|其他地址=~addr"
         "|曾用名=~name|联系电话=phone|联系手机=~phone|民族*=ethnicity|文化程度*=~dict"
         "|婚姻状况*=~dict|备注=remark",
         "title notes info", held_out=True),
    _set("wgh_people", "ChenXj6/wangGeHua src/views/home/ActualInfo/common/people.js",
         "街道名称=~region|社区名称=committee|网格名称=~grid|小区名称=address~estate"
         "|楼栋=address~building|单元=address~unit|房间号=address~room|姓名=name"
         "|身份证号=id_number|性别=sex|人员属性=~dict|是否接种疫苗=~dict|简介=~text",
         "", held_out=True),
    _set("police_base_pinyin", "public Java source: pinyin column list of a population table",
         "ZJHM=~id|BMCH=~name|BMCHPY=~pinyin|XB=sex|MZ=ethnicity|CSRQ=birth_date|CSDQ=~region"
         "|CSXZ=~addr|JGDQ=~region|JGXZ=~addr|ZZMM=~dict|WHCD=~dict|HYZK=~dict|LXDH=phone"
         "|HJQH=~code|HJXZ=hukou_address|XZZQH=~code|XZZXZ=address|DJSJ=registered_on"
         "|HJQHMC=hukou_address~region|XZZQHMC=address~region|RYBH=record_key|GMSFHM=id_number"
         "|XM=name|XMPY=~pinyin|CYM=~name|ZJZL=~word",
         "tab", held_out=True),
)
# fmt: on


def parse_column(spec: str) -> tuple[str, str, str, str]:
    """'户籍地/省*=hukou_address~region' -> ('户籍地', '省*', 'hukou_address', 'region')."""
    text, _, rest = spec.partition("=")
    fld, _, kind = rest.partition("~")
    parent, _, sub = (
        text.partition("/") if "/" in text and not text.startswith("/") else (text, "", "")
    )
    return parent, sub, fld, kind


# --- writing a set as a file, with values of each column's kind ----------------------

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董袁潘蒋蔡余杜叶程魏苏"
)
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国志红玉兰文辉晓东海燕雪梅春"
REGIONS = [
    ("湖南省", "长沙市", "芙蓉区", "430102"),
    ("湖南省", "长沙市", "岳麓区", "430104"),
    ("四川省", "成都市", "武侯区", "510107"),
    ("河南省", "信阳市", "浉河区", "411502"),
    ("上海市", "上海市", "闵行区", "310112"),
]
ROADS = ["韭菜园路", "五一大道", "古美路", "人民中路", "解放西路", "麓山南路"]
ESTATES = ["东方花园", "金色家园", "阳光小区", "芙蓉苑", "锦绣华庭"]
DICT_WORDS = ["务工", "经商", "投靠亲友", "学习", "已婚", "未婚", "群众", "高中", "初中", "其他"]


def _check(body: str) -> str:
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return "10X98765432"[sum(int(c) * w for c, w in zip(body, weights, strict=True)) % 11]


def _id(rng: random.Random) -> str:
    region = rng.choice(REGIONS)[3]
    body = f"{region}{rng.randint(1950, 2005)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
    body += f"{rng.randint(0, 999):03d}"
    return body + _check(body)


def _address(rng: random.Random) -> str:
    road, estate, n = rng.choice(ROADS), rng.choice(ESTATES), rng.randint
    style = n(0, 3)
    if style == 0:
        return f"{road}{n(1, 400)}号{n(1, 12)}栋{n(101, 1802)}室"
    if style == 1:
        return f"{road}{n(100, 1500)}弄{n(1, 60)}号{n(101, 602)}室"
    if style == 2:
        return f"{estate}{n(1, 20)}栋{n(1, 4)}单元{n(101, 2402)}"
    return f"七宝镇联明村{n(1, 9)}组{n(1, 200)}号"


def _region(rng: random.Random, sub: str) -> str:
    prov, city, county, _ = rng.choice(REGIONS)
    if sub.startswith("省"):
        return prov
    if sub.startswith("市"):
        return city
    if sub.startswith(("区", "县")):
        return county
    return prov + city + county


def _kind(header: str, sub: str, fld: str, kind: str) -> str:
    """The kind of values a column holds: given, by its field, or by its header."""
    if kind:
        return kind
    by_field = {
        "name": "name", "id_number": "id", "sex": "sex", "address": "addr",
        "hukou_address": "addr", "phone": "phone", "committee": "committee",
        "ethnicity": "ethnic", "status": "status", "cancel_flag": "flag", "serial": "serial",
        "remark": "text", "collector": "name", "kind": "dict", "record_key": "code",
        "birth_date": "date", "registered_on": "date", "arrived_on": "date",
        "cancelled_on": "date", "collected_on": "date",
    }  # fmt: skip
    if fld in by_field:
        return by_field[fld]
    return "dict"


def _value(kind: str, rng: random.Random, row: int, sub: str) -> str:
    if kind == "name":
        return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.randint(1, 2)))
    if kind == "id":
        return _id(rng)
    if kind == "sex":
        return rng.choice("男女")
    if kind == "date":
        y, m, d = rng.randint(1990, 2023), rng.randint(1, 12), rng.randint(1, 28)
        return rng.choice([f"{y}-{m:02d}-{d:02d}", f"{y}.{m:02d}.{d:02d}", f"{y}{m:02d}{d:02d}"])
    if kind == "phone":
        return f"1{rng.choice('3578')}{rng.randint(0, 999999999):09d}"
    if kind == "addr":
        return _address(rng)
    if kind == "region":
        return _region(rng, sub)
    if kind == "police":
        branch = rng.choice(["芙蓉", "岳麓", "天心"])
        return f"长沙市公安局{branch}分局{rng.choice(['韭菜园', '文艺路', '望月湖'])}派出所"
    if kind == "grid":
        return f"{rng.choice(['韭菜园', '文艺路'])}社区第{rng.randint(1, 9)}网格"
    if kind == "committee":
        return f"{rng.choice(['韭菜园', '文艺路', '望月湖'])}社区"
    if kind == "word":
        return "居民身份证"
    if kind == "code":
        return f"{rng.randint(10**9, 10**12)}"
    if kind == "number":
        return str(rng.randint(100, 190))
    if kind == "pinyin":
        return rng.choice(["ZHANG SAN", "LI SI", "WANG WU"])
    if kind == "ethnic":
        return rng.choice(["汉族", "汉族", "回族", "土家族"])
    if kind == "status":
        return rng.choice(["正常", "正常", "注销"])
    if kind == "flag":
        return rng.choice(["0", "0", "1"])
    if kind == "serial":
        return str(row + 1)
    if kind == "estate":
        return rng.choice(ESTATES)
    if kind in ("building", "unit"):
        return str(rng.randint(1, 20))
    if kind == "room":
        return str(rng.randint(101, 2402))
    if kind == "text":
        return rng.choice(["", "长沙市某某科技有限公司", "无", "在家务农"])
    return rng.choice(DICT_WORDS)


@dataclass
class Col:
    parent: str
    sub: str
    field: str
    kind: str


def _columns(hs: HeaderSet) -> list[Col]:
    out = []
    for spec in hs.columns:
        parent, sub, fld, kind = parse_column(spec)
        out.append(Col(parent, sub, fld, _kind(parent, sub, fld, kind)))
    return out


def _data(cols: list[Col], rows: int, seed: int) -> list[list[str]]:
    rng = random.Random(seed)
    return [[_value(c.kind, rng, i, c.sub) for c in cols] for i in range(rows)]


INSTRUCTION = "必填，请按格式填写"


def _write_xlsx(path: Path, hs: HeaderSet, cols: list[Col], data: list[list[str]]) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    width = len(cols)
    top: list[list[object]] = []
    if "title" in hs.layout:
        top.append(["1.0", "人员信息登记表"])
    if "notes" in hs.layout:
        top.append(["", "填写注意事项：\n1.表格中带有*的单元格，为必须填入的数据项目。"])
    if "info" in hs.layout:
        top.append(["填报单位：", "某某省", "省*", "某某市", "市*", "某某区", "市/县/区*"])
    top.append([])
    for row in top:
        ws.append(row)
    head = len(top) + 1
    two_rows = any(c.sub for c in cols)
    ws.append([c.parent for c in cols])
    if two_rows:
        ws.append([c.sub for c in cols])
        j = 0
        while j < width:
            k = j
            while k + 1 < width and cols[k + 1].parent == cols[j].parent and cols[j].sub:
                k += 1
            if cols[j].sub:
                for m in range(j + 1, k + 1):
                    ws.cell(head, m + 1).value = None
                if k > j:
                    ws.merge_cells(
                        start_row=head, start_column=j + 1, end_row=head, end_column=k + 1
                    )
            else:
                ws.merge_cells(
                    start_row=head, start_column=j + 1, end_row=head + 1, end_column=j + 1
                )
            j = k + 1
    if "instructions" in hs.layout:
        ws.append([INSTRUCTION if c.field in ("name", "id_number") else "选填" for c in cols])
    for row in data:
        ws.append(row)
    wb.save(path)


def _write_html(path: Path, cols: list[Col], data: list[list[str]]) -> None:
    from html import escape

    two_rows = any(c.sub for c in cols)
    first, second = [], []
    j = 0
    while j < len(cols):
        k = j
        while k + 1 < len(cols) and cols[k + 1].parent == cols[j].parent and cols[j].sub:
            k += 1
        if cols[j].sub:
            first.append(f'<th colspan="{k - j + 1}">{escape(cols[j].parent)}</th>')
            second.extend(f"<th>{escape(cols[m].sub)}</th>" for m in range(j, k + 1))
        else:
            span = ' rowspan="2"' if two_rows else ""
            first.append(f"<th{span}>{escape(cols[j].parent)}</th>")
        j = k + 1
    rows = ["<tr>" + "".join(first) + "</tr>"]
    if two_rows:
        rows.append("<tr>" + "".join(second) + "</tr>")
    for r in data:
        rows.append("<tr>" + "".join(f"<td>{escape(v)}&nbsp;</td>" for v in r) + "</tr>")
    html = (
        '<html><head><meta http-equiv="Content-Type" content="text/html; charset=GBK">'
        '</head><body><table border="1">' + "\n".join(rows) + "</table></body></html>"
    )
    path.write_bytes(html.encode("gbk"))


def _write_tab(path: Path, cols: list[Col], data: list[list[str]]) -> None:
    lines = ["\t".join(c.parent for c in cols), *("\t".join(r) for r in data)]
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("gb18030"))


def write_set(folder: Path, hs: HeaderSet, rows: int, seed: int = 1) -> tuple[Path, list[Col]]:
    cols = _columns(hs)
    data = _data(cols, rows, seed)
    if "html" in hs.layout:
        path = folder / f"{hs.key}.xls"
        _write_html(path, cols, data)
    elif "tab" in hs.layout:
        path = folder / f"{hs.key}.txt"
        _write_tab(path, cols, data)
    else:
        path = folder / f"{hs.key}.xlsx"
        _write_xlsx(path, hs, cols, data)
    return path, cols
