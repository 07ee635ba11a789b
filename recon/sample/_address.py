"""Ways of writing one flat's address.

Canonical: 古美路1255弄12号302室 (urban), 九星村3组45号 (rural). Field
sheets use other spellings for a share of rows; the system keeps the
standard form with 上海市闵行区 in front. In a village the 村, the town
(七宝镇), the 号 and the digits of the 组 are all optional in practice:
联明1组120号 and 七宝镇联明村一组120号 are one home.
"""

from __future__ import annotations

import numpy as np

from recon.sample._pools import DISTRICT_PREFIXES
from recon.sample._text import DIGITWISE, FULLWIDTH, obj, positional, translate

# variant label -> weight, among the rows written in another spelling
URBAN_VARIANTS = {
    "addr_dash": 0.20,  # 古美路1255弄12-302
    "addr_floor": 0.15,  # 古美路1255弄12号3楼302
    "addr_prefix": 0.25,  # 上海市闵行区古美路1255弄12号302室
    "addr_cn_num": 0.08,  # 古美路一二五五弄十二号三〇二室
    "addr_fullwidth": 0.10,  # 古美路１２５５弄１２号３０２室
    "addr_building_word": 0.15,  # 古美路1255弄12幢302室 / 12栋 / 12号楼
    "addr_no_road": 0.07,  # 1255弄12号302室
}
RURAL_VARIANTS = {
    "addr_prefix": 0.20,  # 上海市闵行区九星村3组45号
    "addr_cn_num": 0.15,  # 九星村三组45号
    "addr_fullwidth": 0.10,  # 九星村３组４５号
    "addr_no_hao": 0.10,  # 九星村3组45
    "addr_no_cun": 0.15,  # 九星3组45号
    "addr_town": 0.10,  # 七宝镇九星村3组45号
    "addr_optional": 0.20,  # 闵行区七宝镇九星一组45 (town, 村, numerals, 号 each optional)
}
RURAL_TOWN = "七宝镇"  # the town the village belongs to


def _pick(n: int, variants: dict[str, float], rng: np.random.Generator) -> np.ndarray:
    labels = obj(list(variants))
    p = np.array(list(variants.values()))
    return rng.choice(labels, size=n, p=p / p.sum())


def _prefixes(parts: dict[str, np.ndarray], n: int, rng: np.random.Generator) -> np.ndarray:
    """The district prefix of the ``addr_prefix`` variant.

    Flats of the street: 上海市闵行区 or 闵行区. Addresses in another district
    (``parts["district"]``, e.g. 徐汇区), whose usual form already names the
    city and district: the district alone.
    """
    if "district" in parts:
        return obj(parts["district"]).copy()
    return rng.choice(obj(DISTRICT_PREFIXES), size=n, p=[0.8, 0.2])


def _urban(parts: dict[str, np.ndarray], label: str, rng: np.random.Generator) -> np.ndarray:
    road, lane, number, room = parts["road"], parts["lane"], parts["number"], parts["room"]
    head = road + lane + "弄"
    canonical = head + number + "号" + room + "室"
    n = len(road)
    if label == "addr_dash":
        return head + number + "-" + room
    if label == "addr_floor":
        floor = obj([r[:-2] for r in room.tolist()])
        return head + number + "号" + floor + "楼" + room
    if label == "addr_prefix":
        return _prefixes(parts, n, rng) + canonical
    if label == "addr_cn_num":
        return (
            road
            + translate(lane, DIGITWISE)
            + "弄"
            + positional(number)
            + "号"
            + translate(room, DIGITWISE)
            + "室"
        )
    if label == "addr_fullwidth":
        return translate(canonical, FULLWIDTH)
    if label == "addr_building_word":
        word = rng.choice(obj(["幢", "栋", "号楼"]), size=n)
        return head + number + word + room + "室"
    if label == "addr_no_road":
        return lane + "弄" + number + "号" + room + "室"
    raise ValueError(label)


def _rural(parts: dict[str, np.ndarray], label: str, rng: np.random.Generator) -> np.ndarray:
    village, group, number = parts["village"], parts["group"], parts["number"]
    canonical = village + group + "组" + number + "号"
    n = len(village)
    if label == "addr_prefix":
        return _prefixes(parts, n, rng) + canonical
    if label == "addr_cn_num":
        return village + positional(group) + "组" + number + "号"
    if label == "addr_fullwidth":
        return translate(canonical, FULLWIDTH)
    if label == "addr_no_hao":
        return village + group + "组" + number
    if label == "addr_no_cun":
        return _stem(village) + group + "组" + number + "号"
    if label == "addr_town":
        return RURAL_TOWN + canonical
    if label == "addr_optional":
        # each optional piece drawn on its own; at least one differs from the canonical
        pieces = rng.random((5, n)) < 0.5
        pieces[:, ~pieces.any(axis=0)] = True
        town = np.where(pieces[0], RURAL_TOWN, "")
        head = np.where(pieces[1], _prefixes(parts, n, rng), "") + town
        name = np.where(pieces[2], _stem(village), village)
        grp = np.where(pieces[3], positional(group), group)
        hao = np.where(pieces[4], "", "号")
        return obj(head + name + grp + "组" + number + hao)
    raise ValueError(label)


def _stem(village: np.ndarray) -> np.ndarray:
    """九星村 -> 九星: the village without its 村."""
    return obj([v.removesuffix("村") for v in village.tolist()])


def respell(
    parts: dict[str, np.ndarray],
    rural: np.ndarray,
    rng: np.random.Generator,
    urban_variants: dict[str, float] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Other spellings of the given flats: (texts, variant labels).

    ``parts`` holds ``road``, ``lane``, ``number``, ``room``, ``village`` and
    ``group``; with a ``district`` key too (addresses outside the street) the
    ``addr_prefix`` variant writes that district instead of 闵行区.
    ``urban_variants`` replaces :data:`URBAN_VARIANTS` (labels and weights).
    """
    n = len(rural)
    texts = obj([""] * n)
    labels = obj([""] * n)
    for is_rural, variants, render in (
        (False, urban_variants or URBAN_VARIANTS, _urban),
        (True, RURAL_VARIANTS, _rural),
    ):
        where = np.flatnonzero(rural == is_rural)
        if not len(where):
            continue
        chosen = _pick(len(where), variants, rng)
        labels[where] = chosen
        for label in variants:
            sub = where[chosen == label]
            if len(sub):
                texts[sub] = render({k: v[sub] for k, v in parts.items()}, label, rng)
    return texts, labels
