"""Chinese for the few English words typer itself prints (help, usage errors).

typer renders help with rich and keeps its panel titles in module constants;
the usage prefix and the help option's text live in its vendored click. Each
patch is guarded: a typer release that moves them only brings back English
words, it never breaks the command line.
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["install"]

_ERRORS = [
    (re.compile(r"^Missing argument '([^']+)'\.?(?: .*)?$"), "缺少参数 {0}"),
    (re.compile(r"^Missing option '([^']+)'(?: / '[^']+')*\.?(?: .*)?$"), "缺少选项 {0}"),
    (
        re.compile(r"^No such option: (\S+?)\.? \((?:Possible options|Did you mean):? (.*?)\??\)$"),
        "没有这个选项：{0}（您是不是想写：{1}）",
    ),
    (re.compile(r"^No such option: (\S+?)\.?(?: Did you mean \S+?\?)?$"), "没有这个选项：{0}"),
    (
        re.compile(r"^No such command '([^']+)'\.? ?Did you mean (.*?)\??$"),
        "没有这个命令：{0}（您是不是想写：{1}）",
    ),
    (re.compile(r"^No such command '([^']+)'\.?$"), "没有这个命令：{0}"),
    (re.compile(r"^Missing command\.?$"), "缺少命令"),
    (re.compile(r"^Missing parameter: (.*)$"), "缺少参数 {0}"),
    (re.compile(r"^Option '([^']+)' does not take a value\.?$"), "选项 {0} 后面不用写值"),
    (re.compile(r"^Option '([^']+)' requires (\d+) arguments\.?$"), "选项 {0} 需要 {1} 个值"),
    (re.compile(r"^Argument '([^']+)' takes (\d+) values\.?$"), "参数 {0} 需要 {1} 个值"),
    (re.compile(r"^Could not open file '([^']+)': (.*)$"), "无法打开文件「{0}」：{1}"),
    (re.compile(r"^Got unexpected extra arguments?(?:\(s\))? \((.*)\)$"), "多余的参数：{0}"),
    (re.compile(r"^Option '([^']+)' requires an argument\.?$"), "选项 {0} 需要一个值"),
    (re.compile(r"^Invalid value for '([^']+)': (.*)$"), "参数 {0} 的值不对：{1}"),
    (re.compile(r"^Invalid value: (.*)$"), "值不对：{0}"),
]

_VALUE_ERRORS = [
    (re.compile(r"^(?:file|path|dir|directory) '(.*)' does not exist\.?$", re.I), "「{0}」不存在"),
    (
        re.compile(r"^(?:file|path|dir|directory) '(.*)' is a file\.?$", re.I),
        "「{0}」是文件，应为文件夹",
    ),
    (
        re.compile(r"^(?:file|path|dir|directory) '(.*)' is a directory\.?$", re.I),
        "「{0}」是文件夹，应为文件",
    ),
    (
        re.compile(r"^(?:file|path|dir|directory) '(.*)' is not readable\.?$", re.I),
        "「{0}」无法读取",
    ),
    (
        re.compile(r"^(?:file|path|dir|directory) '(.*)' is not writable\.?$", re.I),
        "「{0}」无法写入",
    ),
    (re.compile(r"^Value '(.*)' is not a valid (.*)\.$"), "「{0}」不是有效的值"),
    (re.compile(r"^'(.*)' is not one of (.*)\.$"), "「{0}」不在可选值 {1} 中"),
    (re.compile(r"^'(.*)' is not a valid integer\.?$"), "「{0}」不是整数"),
    (re.compile(r"^Input should be a valid integer.*$"), "不是整数，请填阿拉伯数字"),
    (re.compile(r"^Input should be a valid number.*$"), "不是数字，请填阿拉伯数字"),
    (re.compile(r"^Input should be a valid boolean.*$"), "应为「是」或「否」"),
    (re.compile(r"^Input should be a valid (?:date|datetime).*$"), "不是日期，请写成 2026-12-25"),
    (re.compile(r"^(.*) is not in the range (.*)\.$"), "「{0}」不在允许的范围（{1}）内"),
    (re.compile(r"^Input should be less than or equal to (.*)$"), "不能大于 {0}"),
    (re.compile(r"^Input should be greater than or equal to (.*)$"), "不能小于 {0}"),
]

# how typer names value types in help (flags take no value: nothing shown)
_TYPES = {
    "<int>": "<整数>",
    "<int range>": "<整数>",
    "<float>": "<数字>",
    "<path>": "<路径>",
    "<str>": "<文字>",
    "<text>": "<文字>",
    "<list[str]>": "<文字>...",
    "<list[path]>": "<路径>...",
    "<list[Path]>": "<路径>...",
}


def translate_error(message: str) -> str:
    """A click usage-error message in Chinese (unknown ones kept as they are)."""
    for rx, template in _ERRORS:
        m = rx.match(message)
        if m:
            groups = [_translate_value(g or "") for g in m.groups()]
            return template.format(*groups)
    return message


def _translate_value(text: str) -> str:
    for rx, template in _VALUE_ERRORS:
        m = rx.match(text)
        if m:
            return template.format(*m.groups())
    return text


def install() -> None:
    try:
        from typer import rich_utils as ru

        ru.ARGUMENTS_PANEL_TITLE = "参数"
        ru.OPTIONS_PANEL_TITLE = "选项"
        ru.COMMANDS_PANEL_TITLE = "命令"
        ru.ERRORS_PANEL_TITLE = "用法错误"
        ru.ABORTED_TEXT = "已中止。"
        ru.RICH_HELP = "请运行 [blue]'{command_path} {help_option}'[/] 查看用法。"
        ru.REQUIRED_LONG_STRING = "[必填]"
        ru.DEFAULT_STRING = "[默认：{}]"
        ru.DEPRECATED_STRING = "（已弃用）"
    except (ImportError, AttributeError):
        pass
    try:
        from typer._click import formatting as cf

        original_write_usage = cf.HelpFormatter.write_usage

        def write_usage(self: Any, prog: str, args: str = "", prefix: str | None = None) -> None:
            original_write_usage(self, prog, args, "用法：" if prefix is None else prefix)

        cf.HelpFormatter.write_usage = write_usage  # type: ignore[method-assign]

    except (ImportError, AttributeError):
        pass
    try:
        from typer import rich_utils as ru

        original_error = ru.rich_format_error

        def rich_format_error(self: Any) -> None:
            message = translate_error(self.format_message())
            self.format_message = lambda: message
            original_error(self)

        ru.rich_format_error = rich_format_error
    except (ImportError, AttributeError):
        pass
    try:
        from typer import core as tc

        for cls in (tc.TyperOption, tc.TyperArgument):
            original_type = cls.display_type_rich

            def display_type_rich(self: Any, ctx: Any, _orig: Any = original_type) -> str | None:
                if getattr(self, "is_flag", False) or getattr(self, "is_bool_flag", False):
                    return None
                shown = _orig(self, ctx)
                return _TYPES.get(shown, shown) if shown is not None else None

            cls.display_type_rich = display_type_rich  # type: ignore[method-assign]
    except (ImportError, AttributeError):
        pass
    try:
        from typer._click import core as cc

        original_help = cc.Command.get_help_option

        def get_help_option(self: Any, ctx: Any) -> Any:
            opt = original_help(self, ctx)
            if opt is not None:
                opt.help = "显示本帮助并退出"
            return opt

        cc.Command.get_help_option = get_help_option  # type: ignore[method-assign]
    except (ImportError, AttributeError):
        pass
