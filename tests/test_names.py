"""Name normaliser: display form, keys and agreement levels."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from recon.normalize._opencc import simplified_many
from recon.normalize.names import (
    NameAgreement,
    clean_name,
    compare_names,
    name_key,
    normalize_names,
    simplified,
    sound_key,
)


@pytest.mark.parametrize(
    ("description", "text", "display"),
    [
        ("plain", "张伟", "张伟"),
        ("stray space", "张 伟", "张伟"),
        ("leading/trailing spaces", " 王芳　", "王芳"),
        ("full-width space inside", "李\u3000娜", "李娜"),
        ("standard dot", "阿不都·热合曼", "阿不都·热合曼"),
        ("bullet", "阿不都•热合曼", "阿不都·热合曼"),
        ("katakana dot", "阿不都・热合曼", "阿不都·热合曼"),
        ("full stop", "阿不都.热合曼", "阿不都·热合曼"),
        ("full-width full stop", "阿不都．热合曼", "阿不都·热合曼"),
        ("ideographic full stop", "阿不都。热合曼", "阿不都·热合曼"),
        ("space as separator in a minority name", "买买提 艾力", "买买提·艾力"),
        ("doubled dots", "古丽米拉··阿不都", "古丽米拉·阿不都"),
        ("compound surname with space", "欧阳 娜娜", "欧阳娜娜"),
        ("empty", "", ""),
        ("none", None, ""),
    ],
)
def test_clean_name(description, text, display):
    assert clean_name(text) == display, description


@pytest.mark.parametrize(
    ("description", "left", "right", "expected"),
    [
        ("identical", "张伟", "张伟", NameAgreement.EXACT),
        ("stray space", "张 伟", "张伟", NameAgreement.EXACT),
        ("dot variant", "阿不都•热合曼", "阿不都·热合曼", NameAgreement.EXACT),
        ("dot missing", "阿不都热合曼", "阿不都·热合曼", NameAgreement.EXACT),
        ("traditional characters", "張偉", "张伟", NameAgreement.SIMPLIFIED),
        ("traditional given name", "陳靜", "陈静", NameAgreement.SIMPLIFIED),
        ("homophone slip 伟/玮", "张伟", "张玮", NameAgreement.HOMOPHONE),
        ("homophone slip 丽/莉", "王丽", "王莉", NameAgreement.HOMOPHONE),
        ("confusable surname 肖/萧", "肖红", "萧红", NameAgreement.HOMOPHONE),
        ("confusable surname 闫/阎", "闫明", "阎明", NameAgreement.HOMOPHONE),
        ("surname reading 曾 zeng vs 增", "曾强", "增强", NameAgreement.HOMOPHONE),
        ("surname reading 单 shan vs 善", "单明", "善明", NameAgreement.HOMOPHONE),
        ("fuzzy zh/z", "张伟", "臧伟", NameAgreement.HOMOPHONE),
        ("fuzzy sh/s in given name", "王硕", "王索", NameAgreement.HOMOPHONE),
        ("fuzzy n/l", "李娜", "李拉", NameAgreement.HOMOPHONE),
        ("fuzzy -n/-ng", "陈晶", "陈金", NameAgreement.HOMOPHONE),
        ("rare character as ?", "王?明", "王珺明", NameAgreement.UNKNOWN_CHAR),
        ("rare character as box", "王□明", "王珺明", NameAgreement.UNKNOWN_CHAR),
        ("rare character, private use", "王\ue123明", "王珺明", NameAgreement.UNKNOWN_CHAR),
        ("one character off in three", "张晓明", "张晓东", NameAgreement.ONE_CHAR),
        ("homonym vs different person", "张伟", "李伟", NameAgreement.DIFFERENT),
        ("different length", "张伟", "张伟明", NameAgreement.DIFFERENT),
        ("missing", "", "张伟", NameAgreement.MISSING),
        ("only unknown", "??", "张伟", NameAgreement.MISSING),
    ],
)
def test_compare_names(description, left, right, expected):
    a, b = name_key(clean_name(left)), name_key(clean_name(right))
    assert compare_names(a, b) == expected, description
    assert compare_names(b, a) == expected, description + " (symmetric)"


def test_lossy_surnames_keep_the_raw_key():
    # OpenCC turns the surname 乾 into 干 and 於 into 于: the raw key keeps them apart
    assert simplified("乾明") == "干明"
    assert simplified("於丽") == "于丽"
    assert name_key("乾明") != name_key("干明")
    # equal only through the lossy conversion: a weaker level than exact
    assert compare_names(name_key("乾明"), name_key("干明")) == NameAgreement.SIMPLIFIED
    assert compare_names(name_key("乾明"), name_key("乾明")) == NameAgreement.EXACT


def test_normalize_names_column():
    frame = normalize_names(pd.Series(["張偉", "张 伟", "买买提 艾力", ""], index=[5, 6, 7, 8]))
    assert list(frame.index) == [5, 6, 7, 8]
    assert frame["name"].tolist() == ["張偉", "张伟", "买买提·艾力", ""]
    assert frame["name_key"].tolist() == ["張偉", "张伟", "买买提艾力", ""]
    assert frame["name_simp"].tolist() == ["张伟", "张伟", "买买提艾力", ""]


def test_sound_key_groups_homophones():
    assert sound_key("张伟") == sound_key("张玮")
    assert sound_key("王丽") == sound_key("王莉")


han = st.text(
    alphabet=st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5), min_size=1, max_size=4
)
noise = st.sampled_from(["", " ", "·", "•", ".", "\u3000"])


@given(st.text(max_size=12))
def test_clean_name_is_idempotent(text):
    once = clean_name(text)
    assert clean_name(once) == once


@given(han, han)
def test_compare_names_is_symmetric(a, b):
    assert compare_names(name_key(a), name_key(b)) == compare_names(name_key(b), name_key(a))


@given(han, han, noise)
def test_separators_do_not_change_the_key(a, b, sep):
    assert name_key(clean_name(a + sep + b)) == name_key(clean_name(a + b))


def test_han_blocks_are_their_own_display_and_key():
    """The column path takes a name of these characters as its display form
    and key unchanged: NFKC and lower-casing leave each of them alone."""
    for cp in [*range(0x3400, 0x4DC0), *range(0x4E00, 0xA000)]:
        ch = chr(cp)
        assert clean_name(ch) == ch and name_key(ch) == ch, hex(cp)


# traditional and variant characters (some convert in two rounds: 薴 -> 苧 -> 苎)
_TRADITIONAL = "陳靜張偉劉麗鍾乾於薴苧龍齊體臺灣國際發髮後為麵鬱"
names_mixed = st.text(
    alphabet=st.one_of(
        st.sampled_from(_TRADITIONAL + "张伟王芳 ·.•　?□Ab\ue000\n"),
        st.characters(min_codepoint=0x3400, max_codepoint=0x9FFF),
    ),
    max_size=6,
)


@given(st.lists(names_mixed, max_size=30))
def test_normalize_names_is_per_value(texts):
    """The column path gives each value what the scalar functions give it."""
    frame = normalize_names(pd.Series(texts, dtype=object))
    displays = [clean_name(t) for t in texts]
    assert frame["name"].tolist() == displays
    assert frame["name_key"].tolist() == [name_key(d) for d in displays]
    assert frame["name_simp"].tolist() == [simplified(name_key(d)) for d in displays]


@given(st.lists(names_mixed, max_size=30))
def test_simplified_together_is_one_by_one(texts):
    """OpenCC over the texts joined by line breaks converts each as it would alone."""
    assert simplified_many(texts) == [simplified(t) if t else "" for t in texts]


@given(st.lists(names_mixed, max_size=30))
def test_simplified_in_small_batches_is_one_by_one(texts):
    """Batches end anywhere in a column: each still converts as it would alone."""
    import recon.normalize._opencc as opencc

    saved = opencc.BATCH
    opencc.BATCH = 3
    try:
        assert simplified_many(texts) == [simplified(t) if t else "" for t in texts]
    finally:
        opencc.BATCH = saved
