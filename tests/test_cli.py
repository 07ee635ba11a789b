"""The command line through typer's CliRunner: exit code, stdout and stderr apart.

typer (0.29) ships its own ``typer.testing.CliRunner``: ``result.stdout`` and
``result.stderr`` are always captured separately (``result.output`` is both,
interleaved); there is no ``mix_stderr`` switch any more.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest
import typer
from rich.console import Console
from typer.testing import CliRunner

import recon
import recon.cli
from recon.cli import app

VALID = "310112199001011233"
VALID_X = "11010519491231002X"
OLD15 = "310112900101123"
COMMANDS = sorted(typer.main.get_command(app).commands)
ENGLISH = ("Usage", "Options", "Arguments", "Commands", "Show this message", "Error", "Try ")
PARTS = ("road", "lane", "number", "building", "unit", "floor", "room", "village", "group")


@pytest.fixture(autouse=True)
def wide_consoles(monkeypatch):
    """Pin recon's consoles to 120 columns.

    ``recon.console`` builds its rich consoles at import, and a COLUMNS set
    in the environment then fixes their width for good; CliRunner's env
    cannot change it afterwards. Fresh consoles still write to the streams
    CliRunner captures (sys.stdout / sys.stderr at print time).
    """
    monkeypatch.setattr(recon.cli, "out", Console(width=120, highlight=False))
    monkeypatch.setattr(recon.cli, "err", Console(width=120, highlight=False, stderr=True))


def invoke(*args):
    return CliRunner().invoke(app, [str(a) for a in args], env={"COLUMNS": "120"})


def flat(text):
    return "".join(text.split())


def json_lines(stdout):
    return [json.loads(line) for line in stdout.splitlines() if line.strip()]


def test_runner_keeps_stderr_apart():
    result = invoke("inspect", "没有这个文件夹")
    assert result.exit_code == 1
    assert "找不到" in result.stderr
    assert "找不到" not in result.stdout
    assert "找不到" in result.output  # output = both streams


def test_version():
    result = invoke("--version")
    assert result.exit_code == 0
    assert result.stdout.strip() == f"recon {recon.__version__}"
    assert result.stderr == ""


# --- recon id -----------------------------------------------------------------------------


def test_id_text():
    result = invoke("id", VALID, OLD15)
    assert result.exit_code == 0
    assert result.stderr == ""
    out = result.stdout
    for part in ("规范号码", VALID, "有效", "1990-01-01", "男", "310112", "上海市闵行区"):
        assert part in out
    assert "15位旧号码已升级为18位" in out  # what was repaired


@pytest.mark.parametrize(
    ("description", "text", "id_", "valid", "birth", "sex", "problem"),
    [
        ("clean", VALID, VALID, True, "1990-01-01", "男", ""),
        (
            "apostrophe and lowercase x",
            "'" + VALID_X.lower(),
            VALID_X,
            True,
            "1949-12-31",
            "女",
            "",
        ),
        ("spaces inside", "110105 19491231 002X", VALID_X, True, "1949-12-31", "女", ""),
        ("15-digit old number", OLD15, VALID, True, "1990-01-01", "男", ""),
        ("wrong check character", VALID[:17] + "X", "", False, None, None, "校验位"),
        ("scientific notation from Excel", "3.10112E+17", "", False, None, "", "受损"),
        ("blank", "", "", False, "", "", "未填写身份证号"),
        ("too short", VALID[:16], "", False, "", "", "格式不对"),
    ],
)
def test_id_json(description, text, id_, valid, birth, sex, problem):
    result = invoke("id", "--json", text)
    assert result.exit_code == 0
    assert result.stderr == ""
    (obj,) = json_lines(result.stdout)
    assert {"text", "id", "valid", "birth_date", "sex", "problems"} <= set(obj)
    assert obj["text"] == text
    assert obj["id"] == id_
    assert obj["valid"] is valid
    if birth is not None:
        assert obj["birth_date"] == birth
    assert re.fullmatch(r"(\d{4}-\d{2}-\d{2})?", obj["birth_date"])
    if sex is not None:
        assert obj["sex"] == sex
    assert obj["sex"] in ("男", "女", "")
    assert isinstance(obj["problems"], list)
    if problem:
        assert any(problem in p for p in obj["problems"])
    else:
        assert obj["problems"] == []
    assert all(re.search(r"[\u4e00-\u9fff]", p) for p in obj["problems"])


def test_id_json_one_line_per_text_in_input_order():
    texts = [OLD15, "", VALID_X.lower(), VALID, "abc"]
    result = invoke("id", "--json", *texts)
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert len(lines) == len(texts)
    assert [json.loads(line)["text"] for line in lines] == texts
    assert [json.loads(line)["valid"] for line in lines] == [True, False, True, True, False]


# --- recon address -------------------------------------------------------------------------


def test_address_text():
    result = invoke("address", "上海市闵行区古美路一二五五弄十二号三〇二室")
    assert result.exit_code == 0
    assert result.stderr == ""
    out = flat(result.stdout)
    for part in ("房屋键", "古美路1255弄12号302室", "弄1255", "号12", "室302"):
        assert part in out


@pytest.mark.parametrize(
    ("description", "text", "parts"),
    [
        (
            "lane address",
            "古美路1255弄12号302室",
            {"road": "古美路", "lane": "1255", "number": "12", "floor": "3", "room": "302"},
        ),
        (
            "Chinese numerals",
            "古美路一千二百五十五弄十二号三零二室",
            {"road": "古美路", "lane": "1255", "number": "12", "floor": "3", "room": "302"},
        ),
        (
            "building and unit without a lane",
            "古美路100号5幢2单元301室",
            {
                "road": "古美路",
                "number": "100",
                "building": "5",
                "unit": "2",
                "floor": "3",
                "room": "301",
            },
        ),
        (
            "rural village and group",
            "七宝镇九星村三组45号",
            {"village": "九星村", "group": "3", "number": "45"},
        ),
    ],
)
def test_address_json_parts(description, text, parts):
    result = invoke("address", "--json", text)
    assert result.exit_code == 0
    assert result.stderr == ""
    (obj,) = json_lines(result.stdout)
    assert obj["text"] == text
    assert obj["house_key"]
    assert {k: obj[k] for k in PARTS if k in obj} == parts  # absent parts left out
    for k in ("lane", "number", "building", "unit", "floor", "room", "group"):
        if k in obj:
            assert obj[k].isascii() and obj[k].isdigit()


@pytest.mark.parametrize(
    ("description", "left", "right"),
    [
        ("district prefix", "古美路1255弄12号302室", "上海市闵行区古美路1255弄12号302室"),
        ("dash form", "古美路1255弄12号302室", "古美路1255弄12-302"),
        ("floor written out", "古美路1255弄12号302室", "古美路1255弄12号3楼302"),
        ("digit-by-digit numerals", "古美路1255弄12号302室", "古美路一二五五弄十二号三〇二室"),
        ("full-width digits", "古美路1255弄12号302室", "古美路１２５５弄１２号３０２室"),
        ("幢 for 号 under a lane", "古美路1255弄12号302室", "古美路1255弄12幢302室"),
        ("room gives the floor", "平阳路258弄5号6楼601室", "平阳路258弄5-601"),
        ("village numerals", "九星村3组45号", "上海市闵行区七宝镇九星村三组45号"),
    ],
)
def test_address_same_flat_same_key(description, left, right):
    result = invoke("address", "--json", left, right)
    assert result.exit_code == 0
    a, b = json_lines(result.stdout)
    assert (a["text"], b["text"]) == (left, right)
    assert a["house_key"] == b["house_key"] != ""


@pytest.mark.parametrize(
    ("description", "left", "right"),
    [
        ("another room", "古美路1255弄12号302室", "古美路1255弄12号303室"),
        ("another number", "古美路1255弄12号302室", "古美路1255弄13号302室"),
        ("another lane", "古美路1255弄12号302室", "古美路1256弄12号302室"),
        ("another road", "古美路1255弄12号302室", "古美西路1255弄12号302室"),
        ("another building", "古美路100号5幢301室", "古美路100号6幢301室"),
        ("another unit", "古美路100号5幢2单元301室", "古美路100号5幢3单元301室"),
        ("another group", "九星村3组45号", "九星村4组45号"),
        ("the building, not the flat", "古美路1255弄12号302室", "古美路1255弄12号"),
    ],
)
def test_address_different_flats_different_keys(description, left, right):
    result = invoke("address", "--json", left, right)
    assert result.exit_code == 0
    a, b = json_lines(result.stdout)
    assert a["house_key"] != b["house_key"]


# --- help ----------------------------------------------------------------------------------


@pytest.mark.parametrize("command", [None, *COMMANDS])
def test_help_is_chinese(command):
    args = ["--help"] if command is None else [command, "--help"]
    result = invoke(*args)
    assert result.exit_code == 0
    assert result.stderr == ""
    out = result.stdout
    usage = "用法：recon" + ("" if command is None else f" {command}")
    assert usage in out
    assert "显示本帮助并退出" in out
    assert "选项" in out
    for word in ENGLISH:
        assert word not in out, word
    assert len(re.findall(r"[\u4e00-\u9fff]", out)) > 20


def test_root_help_lists_every_command():
    result = invoke("--help")
    for command in COMMANDS:
        assert re.search(rf"│ {command}\s+[\u4e00-\u9fff]", result.stdout), command


def test_no_arguments_shows_the_help():
    result = invoke()
    assert result.exit_code in (0, 2)
    assert "用法：recon" in result.stdout
    assert "Usage" not in result.output


@pytest.mark.parametrize("command", [None, "id", "generate"])
def test_help_has_no_english_placeholders(command):
    args = ["--help"] if command is None else [command, "--help"]
    out = invoke(*args).stdout
    placeholders = re.findall(r"\bCOMMAND\b|\bARGS\b|<[a-z]+(?:\[[A-Za-z]+\])?>", out)
    assert placeholders == []


# --- wrong usage ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("description", "args", "message"),
    [
        ("missing argument", ["id"], "缺少参数 号码"),
        ("missing argument of inspect", ["inspect"], "缺少参数 文件或文件夹"),
        ("unknown option", ["id", "--bogus", VALID], "没有这个选项：--bogus"),
        ("unknown option before the command", ["--bogus", "id", VALID], "没有这个选项：--bogus"),
        ("unknown command", ["核对"], "没有这个命令：核对"),
        ("mistyped command", ["mach"], "没有这个命令：mach（您是不是想写：'match'）"),
        ("flag given a value", ["id", "--json=yes", VALID], "选项 --json 后面不用写值"),
        ("pdf flag given a value", ["worklist", "x", "--pdf=x"], "选项 --pdf 后面不用写值"),
        ("below the minimum", ["sample", "x", "--houses", "0"], "不能小于 1"),
        ("above the maximum", ["audit", "x", "--months", "99"], "不能大于 24"),
        ("missing option value at the end", ["match", "a", "-s", "b", "-o"], "选项 -o 需要一个值"),
        pytest.param(
            "extra argument",
            ["generate", "a", "b"],
            "多余的参数",
        ),
        (
            "option without its value",
            ["inspect", "x.csv", "--mapping"],
            "选项 --mapping 需要一个值",
        ),
        pytest.param(
            "missing required option",
            ["match", "field.xlsx", "--out", "out"],
            "缺少选项",
        ),
        pytest.param(
            "not an integer",
            ["generate", "--committees", "八", "out"],
            "不是整数",
        ),
    ],
)
def test_wrong_usage_exits_2_with_a_chinese_message(description, args, message):
    result = invoke(*args)
    assert result.exit_code == 2
    assert result.stdout == ""
    err = result.stderr
    assert message in err
    assert "用法错误" in err
    assert not re.search(r"[A-Za-z]{3,} [a-z]{2,} [a-z]{2,}", err), err  # no English sentence
    assert "Traceback" not in result.output
    # no English word at all, but the command line's own words
    allowed = {"recon", *re.findall(r"[A-Za-z]+", " ".join(args) + message)}
    words = re.findall(r"[A-Za-z]{2,}", re.sub(r"--?[A-Za-z][-A-Za-z]*", "", err))
    assert set(words) <= allowed, err


# --- errors ----------------------------------------------------------------------------------


def test_inspect_missing_path_exits_1_without_traceback(tmp_path):
    missing = tmp_path / "不存在的文件夹"
    result = invoke("inspect", missing)
    assert result.exit_code == 1
    err = flat(result.stderr)
    assert "错误：" in err
    assert "找不到" in err
    assert "不存在的文件夹" in err
    assert "Traceback" not in result.output
    assert "合计" not in result.stdout


def test_inspect_bad_mapping_file_lists_every_problem(tmp_path):
    data = tmp_path / "采集表.csv"
    data.write_text(f"姓名,身份证号\n张三,{VALID}\n", encoding="utf-8")
    mapping = tmp_path / "映射.toml"
    mapping.write_text('[columns]\n"证件" = "idnumber"\n[fields.adress]\nsynonyms = []\n', "utf-8")
    result = invoke("inspect", data, "--mapping", mapping)
    assert result.exit_code == 1
    err = flat(result.stderr)
    assert "映射.toml" in err
    assert "2处错误" in err
    assert "「adress」" in err and "「idnumber」" in err
    assert "Traceback" not in result.output


def test_inspect_one_csv(tmp_path):
    data = tmp_path / "gbk_export.csv"
    data.write_bytes(
        f"姓名,公民身份号码,暂住地址\r\n张三,{VALID},平阳路258弄5号102室\r\n".encode("gbk")
    )
    result = invoke("inspect", "--system", data)
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert "gbk_export.csv" in out
    assert "gb18030" in out
    assert "暂住地址" in out and "现居住地址" in out  # header and what it was taken for


# --- recon generate -------------------------------------------------------------------------


def test_generate_writes_field_system_and_truth(tmp_path):
    folder = tmp_path / "样例"
    result = invoke("generate", folder, "--committees", 2, "--residents", 20, "--seed", 3)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""  # messages go to stderr
    assert "示例数据已写入" in result.stderr
    field = sorted(p.name for p in (folder / "现场采集表").iterdir())
    system = sorted(p.name for p in (folder / "系统导出").iterdir())
    assert len(field) == 2 and all(n.endswith((".xlsx", ".xls")) for n in field)
    assert system == ["暂住人口导出.csv"]
    truth = (folder / "答案" / "truth.csv").read_text(encoding="utf-8-sig").splitlines()
    assert truth[0].startswith("side,file,sheet,row")
    assert len(truth) > 20
    # the same seed again, over its own earlier output: the same files
    before = (folder / "系统导出" / "暂住人口导出.csv").read_bytes()
    again = invoke("generate", folder, "--committees", 2, "--residents", 20, "--seed", 3)
    assert again.exit_code == 0
    assert (folder / "系统导出" / "暂住人口导出.csv").read_bytes() == before


def test_generate_refuses_a_folder_with_other_files(tmp_path):
    folder = tmp_path / "我的文件"
    folder.mkdir()
    (folder / "采集表.xlsx").write_bytes(b"keep me")
    result = invoke("generate", folder, "--committees", 2, "--residents", 20)
    assert result.exit_code == 2
    assert "不是空的" in flat(result.stderr)
    assert (folder / "采集表.xlsx").read_bytes() == b"keep me"
    assert "Traceback" not in result.output


# the `recon` script's entry point, in a process of its own: it ends with the
# command's exit code and everything written (main() freezes the collector
# before the interpreter tears down)
ENTRY_CASES = [
    ("the version", ["--version"], 0, recon.__version__, ""),
    ("a folder that is not there", ["inspect", "没有这个文件夹"], 1, "", "找不到"),
    ("the demo folder", ["demo", "{tmp}"], 0, "", ""),
]


@pytest.mark.parametrize(
    ("description", "args", "code", "in_stdout", "in_stderr"),
    ENTRY_CASES,
    ids=[c[0] for c in ENTRY_CASES],
)
def test_the_entry_point_exits_with_its_code_and_output(
    description, args, code, in_stdout, in_stderr, tmp_path
):
    folder = tmp_path / "演示"
    argv = [a.format(tmp=folder) for a in args]
    env = {**os.environ, "PYTHONIOENCODING": "utf-8", "COLUMNS": "120"}
    done = subprocess.run(
        [sys.executable, "-m", "recon.cli", *argv], capture_output=True, env=env, timeout=300
    )
    stdout = done.stdout.decode("utf-8")
    stderr = done.stderr.decode("utf-8")
    assert done.returncode == code, stderr[-2000:]
    assert in_stdout in stdout
    assert in_stderr in flat(stderr)
    if args[0] == "demo":  # every file of the demo's match is there and whole
        summaries = list(folder.rglob("summary.json"))
        assert summaries
        for path in summaries:
            assert json.loads(path.read_text(encoding="utf-8"))["tool"] == "recon"
        assert all(p.stat().st_size > 0 for p in folder.rglob("*.pdf"))
