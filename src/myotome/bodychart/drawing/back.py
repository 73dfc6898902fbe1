"""The back view, drawn for the patient's left side (on the viewer's left, seen from behind).

The neck and back are laid out as clinicians needle them: the paraspinal strips
(multifidus beside the spinous processes, longissimus and iliocostalis lateral to it)
carry the spinal levels; trapezius is split into its three parts around the scapula;
muscles that lie under another one are flagged ``deep`` and drawn with a dashed edge.
"""

from __future__ import annotations

from myotome.bodychart.drawing.body import ARM, BALL, FINGERS, KNUCKLES, LEG_BACK, SOLE_ORIGIN, THUMB, TOE_SPLITS
from myotome.bodychart.drawing.geometry import Point
from myotome.bodychart.drawing.parts import Item, P, Ps, detail, flank, flank_line, muscle, region, strip

A = ARM
L = LEG_BACK

# y of each spinous process on the midline (C7, the vertebra prominens, just above the shoulders);
# the atlas, which has none, by its posterior arch just below the occiput's margin.
OCCIPUT = 100.0
CERVICAL = {"C1": 106.0, **{f"C{i}": 112.0 + (i - 2) * 7.0 for i in range(2, 8)}}
THORACIC = {f"T{i}": 155.0 + (i - 1) * 11.3 for i in range(1, 13)}
LUMBAR = {f"L{i}": 292.0 + (i - 1) * 13.6 for i in range(1, 6)}
VERTEBRAE = {**CERVICAL, **THORACIC, **LUMBAR, "S1": 361.5}


def _levels() -> dict[str, float]:
    """Every vertebra and interspace (assessment format 1.1), top down: C0-C1 (occiput to
    atlas) first, each interspace halfway between its two vertebrae."""
    levels, above = {}, ("C0", OCCIPUT)
    for vertebra, y in VERTEBRAE.items():
        levels[f"{above[0]}-{vertebra}"] = (above[1] + y) / 2
        levels[vertebra] = y
        above = (vertebra, y)
    return levels


LEVELS = _levels()


def muscles() -> list[Item]:
    return [
        # Neck: paraspinal strips from the midline outwards
        muscle(
            "suboccipitals",
            Ps((11.5, 101), (18.5, 101), (19, 107), (16, 112), (11.5, 112)),
            deep=True,
            covers=(
                "rectus_capitis_posterior_major",
                "rectus_capitis_posterior_minor",
                "obliquus_capitis_superior",
                "obliquus_capitis_inferior",
            ),
        ),
        muscle(
            "semispinalis_capitis",
            Ps((1.2, 100), (10.5, 100), (10.5, 112), (10.8, 130), (10.5, 146), (6.2, 147), (6.2, 130), (6.2, 112), (1.2, 111)),
            deep=True,
            sharp=(2, 6, 7, 8),
        ),
        muscle("multifidus_cervical", Ps((1.2, 112.5), (5.6, 112.5), (5.6, 130), (5.6, 149.5), (1.2, 149.5)), deep=True),
        muscle(
            "splenius_capitis",
            Ps(
                (19.6, 97),
                (24.5, 98),
                (21, 105),
                (17, 111),
                (16.9, 125),
                (16, 138),
                (11.6, 146),
                (11.6, 130),
                (11.6, 113),
                (15, 109),
                (18, 103),
            ),
            deep=True,
        ),
        muscle(
            "levator_scapulae",
            Ps(
                (17.8, 112),
                (19.8, 112),
                (19.9, 122),
                (20.2, 131),
                (23, 141),
                (28, 152),
                (33, 160),
                (31, 165),
                (26, 157),
                (21.5, 147),
                (18.4, 138),
                (17.8, 125),
            ),
        ),
        muscle(
            "upper_trapezius",
            Ps(
                (20.2, 133),
                (24.3, 139),
                (36, 144.3),
                (50, 149.8),
                (63, 154.3),
                (73, 158.2),
                (76, 162.5),
                (64, 161.5),
                (50, 159),
                (38, 155.5),
                (31, 151),
                (25.5, 146),
            ),
        ),
        # Shoulder girdle
        muscle("middle_trapezius", Ps((13.4, 151), (22, 150.5), (28, 154), (36, 160), (33, 170), (31, 178), (13.4, 171))),
        muscle("rhomboid_minor", Ps((13.4, 173), (30.5, 179.5), (31, 186.5), (13.4, 181))),
        muscle("rhomboid_major", Ps((13.4, 183), (31.2, 188.5), (34, 205), (38, 221), (13.4, 209))),
        muscle("lower_trapezius", Ps((13.4, 211), (38.5, 223.5), (31, 236), (22, 252), (14, 262), (13.4, 240)), sharp=(3,)),
        muscle("supraspinatus", Ps((36.5, 163), (48, 162.5), (62, 164.5), (74, 166), (73, 171), (58, 174), (44, 177.5), (35, 178))),
        muscle(
            "infraspinatus",
            Ps((35.5, 182), (50, 179.5), (63, 176.5), (72, 175), (72, 181.5), (62, 188), (50, 198), (42, 210), (38.5, 214), (35, 198)),
        ),
        muscle("teres_minor", Ps((51, 200.5), (63, 190.5), (72, 184.5), (75, 188), (70, 193), (60, 200), (53, 205))),
        muscle(
            "teres_major",
            [P(41, 215.5), P(50, 208), P(60, 202), P(71, 196), A.at(0.16, 0.62), A.at(0.24, 0.78), P(62, 210), P(50, 218), P(42, 222.5)],
        ),
        muscle(
            "posterior_deltoid",
            [
                P(74, 161),
                P(82, 161.5),
                A.at(-0.02, -0.3),
                A.at(0.2, -0.45),
                A.at(0.44, -0.58),
                A.at(0.36, -0.1),
                A.at(0.24, 0.25),
                A.at(0.12, 0.45),
                P(77, 183),
                P(76, 172),
            ],
        ),
        muscle(
            "middle_deltoid",
            [
                P(85, 162.5),
                P(91, 165.5),
                A.at(0.04, -0.94),
                A.at(0.15, -0.96),
                A.at(0.3, -0.9),
                A.at(0.44, -0.66),
                A.at(0.26, -0.52),
                A.at(0.1, -0.45),
                A.at(-0.04, -0.4),
            ],
        ),
        muscle(
            "latissimus_dorsi",
            [
                P(43, 224),
                P(52, 219),
                P(62, 213),
                A.at(0.28, 0.8),
                A.at(0.32, 0.97),
                flank(212, 0.98),
                *flank_line(222, 300, 0.97),
                flank(318, 0.94),
                P(47, 326),
                P(46, 300),
                P(43, 287),
                P(30, 284),
                P(28.5, 270),
                P(22.5, 256),
                P(33, 236),
            ],
        ),
        # Back: paraspinal strips carry the levels
        muscle("multifidus_thoracic", Ps((1.2, 151), (5.8, 151), (5.8, 220), (6.0, 288), (1.2, 288)), deep=True),
        muscle("multifidus_lumbar", Ps((1.2, 290), (6.0, 290), (9.5, 310), (10.5, 340), (9, 372), (4, 384), (1.2, 384)), deep=True),
        muscle(
            "longissimus_thoracis",
            Ps(
                (6.6, 151),
                (12.6, 151),
                (12.8, 210),
                (13, 262),
                (18, 292),
                (19.5, 320),
                (18, 350),
                (13, 362),
                (11.2, 340),
                (10.3, 310),
                (6.8, 289),
                (6.6, 220),
            ),
        ),
        muscle(
            "iliocostalis_lumborum",
            Ps((14.5, 266), (21, 258), (27.5, 280), (29, 310), (28, 340), (23, 352), (19.5, 350), (21, 320), (19.4, 290)),
        ),
        muscle("quadratus_lumborum", Ps((30.5, 287), (44, 289), (45.5, 300), (47, 329), (38, 333), (30.5, 338), (30, 310)), deep=True),
        # Hip
        muscle(
            "gluteus_medius",
            [
                P(31, 345),
                P(44, 337),
                P(52, 333),
                flank(340, 0.95),
                *flank_line(352, 378, 0.97),
                P(60, 386),
                P(50, 373),
                P(42, 362),
                P(34, 354),
            ],
        ),
        muscle(
            "gluteus_maximus",
            [
                P(15, 356),
                P(30, 352),
                P(40, 364),
                P(50, 376),
                P(61, 390),
                flank(392, 0.95),
                L.at(0.05, -0.95),
                L.at(0.22, -0.92),
                L.at(0.3, -0.7),
                L.at(0.27, -0.2),
                L.at(0.22, 0.4),
                L.at(0.17, 0.85),
                P(4, 414),
                P(3.5, 400),
                P(7, 387),
                P(12.5, 372),
            ],
        ),
        muscle("piriformis", [P(10, 379), P(30, 380), P(46, 384), P(60, 390), P(63, 396), P(48, 393), P(30, 389), P(11, 388)], deep=True),
        # Arm and forearm (v < 0 lateral: the thumb side)
        muscle(
            "triceps_brachii",
            A.shape(
                [
                    (0.38, -0.5),
                    (0.46, -0.7),
                    (0.6, -0.82),
                    (0.8, -0.7),
                    (0.92, -0.35),
                    (0.96, 0.0),
                    (0.92, 0.35),
                    (0.8, 0.7),
                    (0.6, 0.86),
                    (0.42, 0.9),
                    (0.3, 0.88),
                    (0.28, 0.35),
                    (0.32, 0.0),
                ]
            ),
        ),
        muscle("anconeus", A.shape([(0.99, -0.5), (1.0, -0.1), (1.06, 0.12), (1.2, -0.04), (1.2, -0.3), (1.1, -0.46)])),
        muscle(
            "extensor_carpi_radialis_longus",
            A.shape([(0.72, -0.68), (0.88, -0.66), (1.04, -0.7), (1.18, -0.76), (1.28, -0.86), (1.24, -0.98), (1.0, -0.98), (0.8, -0.98)]),
        ),
        muscle(
            "extensor_carpi_radialis_brevis",
            A.shape(
                [
                    (1.02, -0.52),
                    (1.16, -0.46),
                    (1.32, -0.44),
                    (1.52, -0.46),
                    (1.7, -0.54),
                    (1.86, -0.66),
                    (1.84, -0.9),
                    (1.7, -0.97),
                    (1.5, -0.97),
                    (1.34, -0.95),
                    (1.3, -0.86),
                    (1.2, -0.8),
                    (1.06, -0.74),
                ]
            ),
        ),
        muscle(
            "extensor_digitorum",
            A.shape(
                [
                    (1.24, 0.08),
                    (1.24, -0.14),
                    (1.34, -0.34),
                    (1.5, -0.38),
                    (1.7, -0.44),
                    (1.88, -0.54),
                    (1.96, -0.46),
                    (1.96, 0.12),
                    (1.8, 0.16),
                    (1.55, 0.16),
                ]
            ),
        ),
        muscle(
            "extensor_carpi_ulnaris",
            A.shape(
                [
                    (1.22, 0.2),
                    (1.4, 0.24),
                    (1.65, 0.26),
                    (1.88, 0.26),
                    (1.96, 0.3),
                    (1.96, 0.6),
                    (1.75, 0.64),
                    (1.5, 0.62),
                    (1.3, 0.56),
                    (1.16, 0.46),
                ]
            ),
        ),
        muscle(
            "flexor_carpi_ulnaris",
            A.shape(
                [(1.06, 0.96), (1.05, 0.64), (1.2, 0.62), (1.45, 0.7), (1.75, 0.72), (1.96, 0.7), (1.97, 0.97), (1.7, 0.98), (1.4, 0.98)]
            ),
        ),
        muscle("supinator", A.shape([(1.1, -0.44), (1.14, -0.24), (1.26, -0.1), (1.36, -0.16), (1.34, -0.36), (1.22, -0.5)]), deep=True),
        muscle(
            "dorsal_interossei_hand",
            [A.at(2.14, -0.75), THUMB.at(0.25, 0.4), THUMB.at(0.5, 0.6), A.at(2.44, -0.9), A.at(2.44, -0.6), A.at(2.26, -0.55)],
        ),
        # Thigh (v < 0 lateral)
        muscle(
            "vastus_lateralis",
            L.shape([(0.32, -0.97), (0.32, -0.78), (0.5, -0.86), (0.7, -0.88), (0.86, -0.82), (0.9, -0.97), (0.7, -0.98), (0.5, -0.98)]),
        ),
        muscle(
            "biceps_femoris_long_head",
            L.shape(
                [
                    (0.3, -0.55),
                    (0.3, -0.1),
                    (0.42, 0.12),
                    (0.55, 0.0),
                    (0.72, -0.2),
                    (0.9, -0.45),
                    (1.03, -0.68),
                    (1.0, -0.82),
                    (0.88, -0.74),
                    (0.7, -0.76),
                    (0.5, -0.74),
                ]
            ),
        ),
        muscle(
            "semitendinosus",
            L.shape(
                [
                    (0.3, 0.0),
                    (0.32, 0.36),
                    (0.5, 0.42),
                    (0.7, 0.42),
                    (0.88, 0.44),
                    (1.0, 0.56),
                    (0.98, 0.38),
                    (0.86, 0.18),
                    (0.7, 0.0),
                    (0.54, 0.1),
                    (0.4, 0.15),
                ]
            ),
        ),
        muscle(
            "semimembranosus",
            L.shape([(0.56, 0.5), (0.7, 0.5), (0.86, 0.54), (0.97, 0.66), (1.0, 0.84), (0.88, 0.86), (0.7, 0.84), (0.58, 0.78)]),
        ),
        muscle(
            "adductor_magnus",
            L.shape([(0.24, 0.52), (0.22, 0.92), (0.4, 0.88), (0.55, 0.8), (0.52, 0.52), (0.4, 0.46)]),
            covers=("adductor_magnus_adductor_part", "adductor_magnus_hamstring_part"),
        ),
        muscle("gracilis", strip(L, [(0.42, 0.94), (0.6, 0.9), (0.8, 0.92), (0.98, 0.94)], [0.04, 0.05, 0.05, 0.04])),
        # Leg
        muscle(
            "gastrocnemius_lateral_head",
            L.shape([(1.06, -0.88), (1.06, -0.1), (1.2, -0.05), (1.4, -0.06), (1.52, -0.15), (1.5, -0.55), (1.35, -0.85), (1.2, -0.95)]),
        ),
        muscle(
            "gastrocnemius_medial_head",
            L.shape([(1.06, 0.1), (1.06, 0.9), (1.22, 0.98), (1.45, 0.92), (1.6, 0.62), (1.58, 0.1), (1.4, 0.05), (1.2, 0.05)]),
        ),
        muscle(
            "soleus",
            L.shape(
                [
                    (1.42, -0.95),
                    (1.52, -0.6),
                    (1.56, -0.1),
                    (1.64, 0.12),
                    (1.64, 0.65),
                    (1.5, 0.95),
                    (1.62, 0.97),
                    (1.75, 0.7),
                    (1.82, 0.35),
                    (1.82, -0.35),
                    (1.72, -0.75),
                    (1.55, -0.98),
                ]
            ),
        ),
        muscle(
            "triceps_surae",
            L.shape([(1.8, -0.28), (1.8, 0.28), (1.9, 0.2), (2.0, 0.24), (2.12, 0.3), (2.12, -0.3), (2.0, -0.24), (1.9, -0.2)]),
            label="Achilles tendon (triceps surae)",
            covers=("gastrocnemius_medial_head", "gastrocnemius_lateral_head", "soleus"),
        ),
    ]


def regions() -> list[Item]:
    over = 1.18
    out: list[Item] = [
        region("scalp", [P(0, 12), P(45, 12), P(45, 58), P(0, 52)]),
        region("occiput", [P(0, 52), P(45, 58), P(45, 100), P(0, 100)]),
        region("posterior_neck", [P(0, 100), P(19, 100), P(19, 112), P(20, 131), P(0, 150)]),
        region("lateral_neck", [P(19, 100), P(45, 100), P(45, 104), P(40, 131), P(20, 131), P(19, 112)]),
        region("top_of_shoulder", [P(0, 150), P(20, 131), P(40, 131), P(100, 140), P(100, 162), P(74, 166), P(36, 162), P(28, 156)]),
        region("interscapular", [P(0, 150), P(28, 156), P(36, 162), P(34, 185), P(38, 222), P(0, 222)]),
        region(
            "shoulder_blade", [P(36, 162), P(74, 166), A.at(0.05, 0.35), A.at(0.25, 0.78), P(58, 210), P(48, 222), P(38, 222), P(34, 185)]
        ),
        region(
            "mid_back",
            [
                P(0, 222),
                P(38, 222),
                P(48, 222),
                P(58, 210),
                A.at(0.25, 0.78),
                A.at(0.33, 1.3),
                flank(230, 0.9),
                flank(230, over),
                flank(282, over),
                P(0, 282),
            ],
        ),
        region("low_back", [P(0, 282), P(40, 282), P(42, 342), P(30, 348), P(14, 352), P(0, 352)]),
        region("flank", [P(40, 282), flank(282, over), flank(350, over), P(52, 341), P(42, 342)]),
        region("sacrum", [P(0, 352), P(14, 352), P(12.5, 372), P(7, 387), P(3, 400), P(0, 402)]),
        region(
            "buttock",
            [
                P(14, 352),
                P(30, 348),
                P(42, 342),
                P(52, 341),
                flank(350, over),
                L.at(0.0, -over),
                L.at(0.27, -over),
                L.at(0.27, 1.3),
                (203.0, 420.0),
                P(3, 400),
                P(7, 387),
                P(12.5, 372),
            ],
        ),
        # Upper limb (v < 0 lateral)
        region("lateral_shoulder", [P(100, 140), P(100, 162), A.at(0.02, -0.5), A.at(0.4, -0.5), *A.edge(-over, 0.4, -0.2)]),
        region(
            "posterior_shoulder",
            [P(74, 166), P(100, 162), A.at(0.02, -0.5), A.at(0.4, -0.5), A.at(0.4, 0.45), A.at(0.25, 0.78), A.at(0.05, 0.35)],
        ),
        region("lateral_arm", [A.at(0.4, -0.5), *A.edge(-over, 0.4, 0.9), A.at(0.9, -0.45)]),
        region("posterior_arm", [A.at(0.4, -0.5), A.at(0.9, -0.45), A.at(0.9, 0.5), A.at(0.4, 0.45)]),
        region("medial_arm", [A.at(0.4, 0.45), A.at(0.9, 0.5), *A.edge(over, 0.9, 0.33), A.at(0.25, 0.78)]),
        region("posterior_elbow", A.band(0.9, 1.12, -over, over)),
        region("lateral_forearm", A.band(1.12, 1.95, -over, -0.35)),
        region("posterior_forearm", A.band(1.12, 1.95, -0.35, 0.45)),
        region("medial_forearm", A.band(1.12, 1.95, 0.45, over)),
        region("wrist", A.band(1.95, 2.07, -over, over)),
        region("back_of_hand", [*A.edge(-1.0, 2.07, 2.4), *A.edge(-0.5, 2.4, KNUCKLES), *A.edge(over, KNUCKLES, 2.07)]),
        region(
            "thumb", [A.at(2.07, -1.0), *THUMB.edge(-1.6, 0.0, 1.3, 0.2), *THUMB.edge(1.6, 1.3, 0.2, 0.2), A.at(2.4, -0.6), A.at(2.4, -1.0)]
        ),
    ]
    for name, (v0, v1, tip) in FINGERS.items():
        lo = -1.6 if name == "index_finger" else v0
        hi = 1.6 if name == "little_finger" else v1
        pts = [*A.edge(lo, KNUCKLES, tip + 0.15), *A.edge(hi, tip + 0.15, KNUCKLES)]
        if name == "index_finger":
            pts = [A.at(2.4, -0.6), A.at(KNUCKLES, -0.5), *A.edge(v1, KNUCKLES, tip + 0.15), *A.edge(lo, tip + 0.15, 2.4)]
        out.append(region(name, pts))
    out += [
        # Lower limb (v < 0 lateral)
        region("lateral_thigh", L.band(0.27, 0.9, -over, -0.45)),
        region("posterior_thigh", L.band(0.27, 0.9, -0.45, 0.5)),
        region("medial_thigh", L.band(0.27, 0.9, 0.5, over)),
        region("posterior_knee", L.band(0.9, 1.1, -over, over)),
        region("lateral_leg", L.band(1.1, 1.86, -over, -0.55)),
        region("calf", [*L.edge(-0.55, 1.1, 1.86), L.at(2.2, -0.3), L.at(2.2, 0.3), *L.edge(0.6, 1.86, 1.1)]),
        region("medial_leg", L.band(1.1, 1.86, 0.6, over)),
        region("lateral_ankle", [L.at(1.86, -over), L.at(1.86, -0.55), L.at(2.2, -0.3), L.at(2.2, -over)]),
        region("medial_ankle", [L.at(1.86, 0.6), L.at(1.86, over), L.at(2.2, over), L.at(2.2, 0.3)]),
        region("heel", L.band(2.2, 3.2, -over, over)),
    ]
    out += _sole_regions()
    return out


def _sole_regions() -> list[Item]:
    """The plantar surface in the sole inset: the toes below a line across the ball of the foot."""
    (cx, top), (big, little) = SOLE_ORIGIN, TOE_SPLITS
    x0, x1, ball, end = cx - 24, cx + 24, top + BALL, top + 112
    return [
        region("sole", [(x0, top - 4), (x1, top - 4), (x1, ball), (x0, ball)]),
        region("big_toe", [(cx + big, ball), (x1, ball), (x1, end), (cx + big, end)]),
        region("toes", [(cx + little, ball), (cx + big, ball), (cx + big, end), (cx + little, end)]),
        region("little_toe", [(x0, ball), (cx + little, ball), (cx + little, end), (x0, end)]),
    ]


def details() -> list[Item]:
    finger_lines = [
        detail("detail", A.edge(v1, KNUCKLES + 0.02, min(tip, FINGERS[nxt][2]) - 0.1))
        for (name, (v0, v1, tip)), nxt in zip(list(FINGERS.items())[:-1], list(FINGERS)[1:], strict=True)
    ]
    scapula: list[Point] = Ps((33, 166), (34, 185), (38.5, 222), (46, 214), (58, 200), (70, 186), (74, 176))
    return [
        detail("detail", Ps((0, 402), (0, 416)), midline=True, smooth=False),  # gluteal cleft
        detail("detail", Ps((4, 416), (18, 424), (34, 426), (50, 423), (62, 416))),  # gluteal fold
        detail("detail", Ps((34, 180), (48, 177.5), (62, 174), (74, 170.5))),  # spine of the scapula
        detail("detail", scapula),
        *finger_lines,
    ]
