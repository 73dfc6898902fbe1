"""The front view, drawn for the patient's right side (on the viewer's left).

Muscles are placed where a clinician palpates and needles them; where one lies under
another (brachialis under biceps) it is drawn in the part of its belly that can be
reached, and shapes that really lie deep are flagged ``deep`` (dashed edge).
"""

from __future__ import annotations

from myotome.bodychart.drawing.body import ARM, FINGERS, KNUCKLES, LEG_FRONT, THUMB, TOE_ROOT, TOES
from myotome.bodychart.drawing.geometry import Point, ellipse
from myotome.bodychart.drawing.parts import Item, P, Ps, detail, flank, flank_line, muscle, region, strip

A = ARM
L = LEG_FRONT


def muscles() -> list[Item]:
    return [
        # Head and neck
        muscle("temporalis", Ps((26, 33), (29.5, 37.5), (32, 46), (33, 57), (31, 65), (27.5, 61), (26, 50), (24.5, 40))),
        muscle("masseter", Ps((31.5, 76), (33, 85), (30.5, 93), (26.5, 99.5), (22, 100), (22.5, 90), (24.5, 79))),
        muscle("sternocleidomastoid", Ps((24, 102), (19.5, 102), (13, 121), (3.5, 146), (6, 151.5), (14, 151.5), (18.5, 131), (20, 115))),
        muscle(
            "scalenes",
            Ps((20, 126), (16.5, 136), (14.8, 148.5), (24, 151), (29, 148), (23.5, 139)),
            covers=("scalenus_anterior", "scalenus_medius", "scalenus_posterior"),
        ),
        muscle(
            "upper_trapezius",
            Ps(
                (22.5, 138), (32, 142.5), (45, 147.5), (59, 152.5), (71, 157), (73, 160.5), (60, 157.5), (46, 153.5), (33, 149.5), (26, 145)
            ),
        ),
        # Chest and shoulder
        muscle(
            "pectoralis_major_clavicular_head",
            Ps(
                (1.5, 156.5),
                (20, 156.5),
                (37, 158),
                (52, 161),
                (61, 166),
                (66, 175),
                (68, 183),
                (60, 181),
                (48, 177),
                (32, 173.5),
                (15, 172),
                (1.5, 171.5),
            ),
        ),
        muscle(
            "pectoralis_major_sternocostal_head",
            Ps(
                (1.5, 174.5),
                (16, 175),
                (34, 176.5),
                (50, 180),
                (62, 185),
                (68, 190),
                (67, 199),
                (61, 207),
                (51, 216.5),
                (37, 224.5),
                (20, 228),
                (1.5, 228.5),
            ),
        ),
        muscle(
            "serratus_anterior",
            [P(63.5, 210), P(56, 216), P(51, 229), P(50, 244), P(53.5, 256), flank(256, 0.96), flank(240, 0.97), flank(224, 0.98)],
        ),
        muscle(
            "anterior_deltoid",
            [
                P(57, 160),
                P(67, 161),
                P(76.5, 163),
                A.at(-0.06, -0.4),
                A.at(0.12, -0.48),
                A.at(0.3, -0.5),
                A.at(0.46, -0.55),
                A.at(0.38, -0.15),
                A.at(0.24, 0.25),
                A.at(0.1, 0.52),
                P(63, 169),
            ],
        ),
        muscle(
            "middle_deltoid",
            [
                P(80.5, 163),
                P(88, 164.5),
                P(93.5, 168),
                A.at(0.04, -0.94),
                A.at(0.15, -0.96),
                A.at(0.3, -0.9),
                A.at(0.48, -0.72),
                A.at(0.3, -0.6),
                A.at(0.12, -0.6),
                A.at(-0.04, -0.54),
            ],
        ),
        # Arm and forearm (v < 0 is the radial, lateral side)
        muscle(
            "biceps_brachii",
            A.shape(
                [
                    (0.3, -0.2),
                    (0.42, -0.46),
                    (0.58, -0.56),
                    (0.74, -0.5),
                    (0.87, -0.3),
                    (0.98, -0.06),
                    (0.98, 0.08),
                    (0.87, 0.32),
                    (0.7, 0.55),
                    (0.5, 0.6),
                    (0.36, 0.5),
                    (0.28, 0.2),
                ]
            ),
        ),
        muscle(
            "brachialis",
            A.shape([(0.58, 0.72), (0.74, 0.66), (0.88, 0.5), (0.97, 0.32), (1.0, 0.55), (0.92, 0.84), (0.78, 0.96), (0.6, 0.96)]),
        ),
        muscle(
            "brachioradialis",
            A.shape(
                [
                    (0.7, -0.6),
                    (0.86, -0.5),
                    (1.05, -0.4),
                    (1.3, -0.42),
                    (1.55, -0.5),
                    (1.78, -0.66),
                    (1.92, -0.8),
                    (1.84, -0.97),
                    (1.55, -0.98),
                    (1.3, -0.98),
                    (1.05, -0.98),
                    (0.85, -0.98),
                    (0.72, -0.9),
                ]
            ),
        ),
        muscle("pronator_teres", strip(A, [(1.02, 0.8), (1.12, 0.45), (1.24, 0.05), (1.36, -0.24)], [0.14, 0.2, 0.2, 0.1])),
        muscle(
            "flexor_carpi_radialis",
            A.shape(
                [
                    (1.1, 0.7),
                    (1.2, 0.62),
                    (1.34, 0.28),
                    (1.5, 0.02),
                    (1.7, -0.18),
                    (1.86, -0.3),
                    (1.95, -0.36),
                    (1.95, -0.52),
                    (1.78, -0.46),
                    (1.58, -0.34),
                    (1.42, -0.16),
                    (1.3, 0.14),
                ]
            ),
        ),
        muscle(
            "flexor_digitorum_superficialis",
            A.shape(
                [
                    (1.3, 0.36),
                    (1.42, 0.22),
                    (1.56, 0.06),
                    (1.74, -0.08),
                    (1.9, -0.2),
                    (1.96, -0.22),
                    (1.96, 0.56),
                    (1.8, 0.58),
                    (1.6, 0.58),
                    (1.4, 0.58),
                ]
            ),
        ),
        muscle(
            "flexor_carpi_ulnaris",
            A.shape(
                [(1.03, 0.97), (1.06, 0.8), (1.2, 0.76), (1.45, 0.68), (1.7, 0.66), (1.96, 0.66), (1.97, 0.97), (1.7, 0.98), (1.4, 0.98)]
            ),
        ),
        muscle(
            "abductor_pollicis_brevis",
            [
                A.at(2.06, -0.9),
                A.at(2.14, -0.55),
                A.at(2.3, -0.62),
                A.at(2.36, -0.85),
                THUMB.at(0.45, 0.5),
                THUMB.at(0.45, -0.5),
                THUMB.at(0.15, -0.75),
            ],
        ),
        muscle(
            "abductor_digiti_minimi_hand",
            A.shape([(2.1, 0.62), (2.22, 0.56), (2.4, 0.56), (2.52, 0.62), (2.52, 0.96), (2.3, 0.97), (2.1, 0.96)]),
        ),
        # Trunk
        muscle(
            "rectus_abdominis",
            Ps((1.5, 234), (12, 234.5), (21, 237), (25, 246), (25.5, 280), (25, 318), (22, 352), (15, 384), (8, 400), (1.5, 404)),
            sharp=(0, 9),
        ),
        muscle(
            "external_oblique",
            [
                P(28.5, 246),
                P(29, 280),
                P(28.5, 318),
                P(25.5, 345),
                P(40, 348),
                P(50, 349),
                *flank_line(338, 286, 0.96),
                flank(265, 0.97),
                P(60, 256),
                P(45, 249),
            ],
        ),
        # Hip and thigh (v < 0 lateral)
        muscle(
            "iliopsoas",
            [P(36.5, 371.5), P(27, 381), L.at(-0.02, 0.38), L.at(0.12, 0.32), L.at(0.2, 0.18), L.at(0.06, 0.02), L.at(-0.08, -0.08)],
            covers=("iliacus", "psoas_major"),
        ),
        muscle(
            "tensor_fasciae_latae",
            [
                P(55, 355),
                L.at(-0.2, -0.52),
                L.at(-0.08, -0.84),
                L.at(0.12, -0.93),
                L.at(0.3, -0.92),
                L.at(0.32, -0.74),
                L.at(0.14, -0.58),
                L.at(-0.04, -0.42),
                P(50.5, 357.5),
            ],
        ),
        muscle(
            "sartorius",
            strip(
                L,
                [(-0.22, -0.32), (-0.06, -0.2), (0.12, 0.04), (0.3, 0.3), (0.5, 0.6), (0.7, 0.88), (0.9, 0.92), (1.06, 0.74)],
                [0.07, 0.12, 0.13, 0.13, 0.12, 0.09, 0.07, 0.06],
            ),
        ),
        muscle(
            "rectus_femoris",
            L.shape(
                [
                    (0.02, -0.4),
                    (0.12, -0.58),
                    (0.3, -0.58),
                    (0.5, -0.48),
                    (0.7, -0.3),
                    (0.84, -0.14),
                    (0.88, 0.02),
                    (0.84, 0.16),
                    (0.68, 0.3),
                    (0.46, 0.36),
                    (0.28, 0.14),
                    (0.12, -0.15),
                ]
            ),
        ),
        muscle(
            "vastus_lateralis",
            L.shape(
                [
                    (0.35, -0.95),
                    (0.35, -0.7),
                    (0.52, -0.58),
                    (0.72, -0.4),
                    (0.86, -0.24),
                    (0.94, -0.18),
                    (0.98, -0.4),
                    (0.94, -0.75),
                    (0.8, -0.96),
                    (0.6, -0.97),
                ]
            ),
        ),
        muscle(
            "vastus_medialis",
            L.shape(
                [
                    (0.56, 0.46),
                    (0.66, 0.62),
                    (0.78, 0.76),
                    (0.9, 0.78),
                    (0.98, 0.66),
                    (1.0, 0.4),
                    (0.95, 0.18),
                    (0.88, 0.14),
                    (0.78, 0.24),
                    (0.66, 0.36),
                ]
            ),
        ),
        muscle("adductor_longus", L.shape([(0.14, 0.48), (0.16, 0.84), (0.3, 0.84), (0.42, 0.8), (0.46, 0.7), (0.36, 0.52), (0.22, 0.36)])),
        muscle("gracilis", strip(L, [(0.18, 0.91), (0.36, 0.91), (0.52, 0.92), (0.66, 0.96)], [0.06, 0.06, 0.05, 0.03])),
        # Leg (v < 0 lateral)
        muscle(
            "tibialis_anterior",
            L.shape(
                [
                    (1.1, -0.46),
                    (1.1, -0.06),
                    (1.3, 0.0),
                    (1.55, 0.0),
                    (1.72, 0.04),
                    (1.9, 0.22),
                    (1.95, 0.1),
                    (1.8, -0.18),
                    (1.62, -0.38),
                    (1.38, -0.48),
                ]
            ),
        ),
        muscle(
            "extensor_digitorum_longus",
            L.shape(
                [
                    (1.1, -0.76),
                    (1.12, -0.54),
                    (1.38, -0.54),
                    (1.62, -0.44),
                    (1.8, -0.26),
                    (1.93, -0.14),
                    (1.9, -0.42),
                    (1.74, -0.62),
                    (1.5, -0.76),
                ]
            ),
        ),
        muscle(
            "fibularis_longus",
            L.shape([(1.06, -0.97), (1.08, -0.82), (1.3, -0.82), (1.5, -0.8), (1.68, -0.8), (1.8, -0.98), (1.5, -0.98), (1.25, -0.97)]),
        ),
        muscle(
            "gastrocnemius_medial_head",
            L.shape([(1.08, 0.66), (1.25, 0.62), (1.42, 0.64), (1.55, 0.78), (1.52, 0.98), (1.3, 0.98), (1.1, 0.97)]),
        ),
        muscle("soleus", L.shape([(1.5, 0.64), (1.6, 0.7), (1.7, 0.72), (1.8, 0.82), (1.82, 0.98), (1.62, 0.98), (1.56, 0.98)])),
    ]


def _band(frame_u0: float, frame_u1: float, v0: float, v1: float) -> list[Point]:
    return A.band(frame_u0, frame_u1, v0, v1)


def regions() -> list[Item]:
    over = 1.18  # past the silhouette: the clip path trims zones to the body's edge
    out: list[Item] = [
        # Head
        region("scalp", [P(0, 12), P(45, 12), P(45, 40), P(0, 37)]),
        region("forehead", [P(0, 37), P(22, 39), P(24, 58), P(12, 60), P(0, 61)]),
        region("temple", [P(22, 39), P(45, 40), P(45, 60), P(33.6, 62), P(24, 58)]),
        region("ear", [P(33.6, 62), P(45, 60), P(45, 88), P(33, 88), P(34.5, 75)]),
        region("cheek", [P(0, 61), P(12, 60), P(24, 58), P(33.6, 62), P(34.5, 75), P(33, 88), P(25, 94), P(10, 96), P(0, 96)]),
        region("jaw", [P(10, 96), P(25, 94), P(33, 88), P(45, 88), P(45, 104), P(19, 112), P(11, 113)]),
        region("chin", [P(0, 96), P(10, 96), P(11, 113), P(0, 120)]),
        # Neck and shoulder girdle
        region("anterior_neck", [P(0, 120), P(11, 113), P(13, 135), P(10, 153), P(0, 153)]),
        region("lateral_neck", [P(11, 113), P(19, 112), P(45, 104), P(40, 131), P(27, 137), P(13, 135)]),
        region("supraclavicular_fossa", [P(13, 135), P(27, 137), P(40, 131), P(42, 153), P(10, 153)]),
        region("top_of_shoulder", [P(40, 131), P(100, 140), P(100, 162), P(72, 160), P(42, 153)]),
        # Chest and abdomen: dermatome bands, T2-T3 under the clavicle down to T12 at the groin
        region("upper_chest", [P(0, 153), P(10, 153), P(42, 153), P(72, 160), A.at(0.0, 0.62), A.at(0.22, 0.9), P(64, 205), P(0, 205)]),
        region("axilla", [P(64, 205), A.at(0.22, 0.9), A.at(0.36, 1.3), flank(225, 0.92), P(56, 215)]),
        region("nipple_line", [P(0, 205), P(64, 205), P(56, 215), flank(225, 0.92), P(54, 246), P(0, 246)]),
        region("lateral_chest", [flank(225, 0.92), flank(225, over), flank(295, over), P(50, 295), P(54, 246)]),
        region("lower_chest", [P(0, 246), P(54, 246), P(51, 266), P(0, 266)]),
        region("upper_abdomen", [P(0, 266), P(51, 266), P(50, 295), P(49, 310), P(0, 310)]),
        region("umbilicus", [P(0, 310), P(49, 310), P(48, 331), P(0, 331)]),
        region("flank", [P(50, 295), flank(295, over), flank(352, over), P(53, 352), P(48, 331), P(49, 310)]),
        region("lower_abdomen", [P(0, 331), P(48, 331), P(53, 352), P(36, 366), P(14, 389), P(0, 392)]),
        region(
            "groin",
            [
                P(0, 392),
                P(14, 389),
                P(36, 366),
                P(53, 352),
                flank(352, over),
                L.at(-0.02, -1.2),
                L.at(0.12, -0.2),
                L.at(0.2, 0.5),
                L.at(0.2, 1.2),
                P(0, 420),
            ],
        ),
        # Upper limb (v < 0 lateral, radial)
        region("lateral_shoulder", [P(100, 140), P(100, 162), A.at(0.02, -0.45), A.at(0.4, -0.4), *A.edge(-over, 0.4, -0.2)]),
        region(
            "anterior_shoulder",
            [P(72, 160), P(100, 162), A.at(0.02, -0.45), A.at(0.4, -0.4), A.at(0.4, 0.25), A.at(0.22, 0.9), A.at(0.0, 0.62)],
        ),
        region("lateral_arm", [A.at(0.4, -0.4), *A.edge(-over, 0.4, 0.9), A.at(0.9, 0.0), A.at(0.4, 0.0)]),
        region("medial_arm", [A.at(0.4, 0.0), A.at(0.4, 0.25), A.at(0.22, 0.9), A.at(0.36, 1.3), *A.edge(over, 0.4, 0.9), A.at(0.9, 0.0)]),
        region("lateral_elbow", _band(0.9, 1.12, -over, -0.3)),
        region("antecubital_fossa", _band(0.9, 1.12, -0.3, 0.35)),
        region("medial_elbow", _band(0.9, 1.12, 0.35, over)),
        region("lateral_forearm", _band(1.12, 1.95, -over, 0.05)),
        region("medial_forearm", _band(1.12, 1.95, 0.05, over)),
        region("wrist", _band(1.95, 2.07, -over, over)),
        region("palm", [*A.edge(-1.0, 2.07, 2.4), *A.edge(-0.5, 2.4, KNUCKLES), *A.edge(over, KNUCKLES, 2.07)]),
        region(
            "thumb", [A.at(2.07, -1.0), *THUMB.edge(-1.6, 0.0, 1.3, 0.2), *THUMB.edge(1.6, 1.3, 0.2, 0.2), A.at(2.4, -0.6), A.at(2.4, -1.0)]
        ),
    ]
    for name, (v0, v1, tip) in FINGERS.items():
        lo = -1.6 if name == "index_finger" else v0
        hi = 1.6 if name == "little_finger" else v1
        base = KNUCKLES if name != "index_finger" else 2.4
        pts = [*A.edge(lo, base, tip + 0.15), *A.edge(hi, tip + 0.15, base)]
        if name == "index_finger":
            pts = [A.at(2.4, -0.6), A.at(KNUCKLES, -0.5), *A.edge(v1, KNUCKLES, tip + 0.15), *A.edge(lo, tip + 0.15, 2.4)]
        out.append(region(name, pts))
    out += [
        # Lower limb (v < 0 lateral)
        region("lateral_hip", [flank(352, over), flank(352, 0.85), L.at(-0.02, -0.55), L.at(0.3, -0.6), *L.edge(-over, 0.3, -0.02)]),
        region(
            "anterior_thigh", [L.at(-0.02, -0.55), L.at(0.12, -0.2), L.at(0.2, 0.5), L.at(0.78, 0.45), L.at(0.78, -0.55), L.at(0.3, -0.6)]
        ),
        region("lateral_thigh", [L.at(0.3, -0.6), L.at(0.78, -0.55), *L.edge(-over, 0.78, 0.3)]),
        region("medial_thigh", [L.at(0.2, 0.5), L.at(0.2, 1.2), *L.edge(over, 0.2, 0.78), L.at(0.78, 0.45)]),
        region("anterior_knee", L.band(0.78, 1.12, -0.5, 0.45)),
        region("lateral_knee", L.band(0.78, 1.12, -over, -0.5)),
        region("medial_knee", L.band(0.78, 1.12, 0.45, over)),
        region("shin", L.band(1.12, 1.86, -0.6, 0.2)),
        region("lateral_leg", L.band(1.12, 1.86, -over, -0.6)),
        region("medial_leg", L.band(1.12, 1.86, 0.2, over)),
        region("lateral_ankle", L.band(1.86, 2.08, -over, -0.45)),
        region("medial_ankle", L.band(1.86, 2.08, 0.35, over)),
        region(
            "dorsum_of_foot",
            [
                L.at(1.86, -0.45),
                L.at(1.86, 0.35),
                L.at(2.08, 0.35),
                L.at(2.2, 0.6),
                L.at(TOE_ROOT, 0.55),
                L.at(TOE_ROOT, -0.55),
                L.at(2.2, -0.6),
                L.at(2.08, -0.45),
            ],
        ),
        region("medial_foot", [L.at(2.08, 0.35), L.at(2.08, over), L.at(TOE_ROOT, over), L.at(TOE_ROOT, 0.55), L.at(2.2, 0.6)]),
        region(
            "lateral_foot",
            [L.at(2.08, -0.45), L.at(2.2, -0.6), L.at(TOE_ROOT, -0.55), L.at(TOE_ROOT, -0.64), L.at(TOE_ROOT, -over), L.at(2.08, -over)],
        ),
        region("big_toe", L.band(TOE_ROOT, 3.2, 0.38, over)),
        region(
            "toes",
            [L.at(TOE_ROOT, -0.64), L.at(TOE_ROOT, -0.55), L.at(TOE_ROOT, 0.55), L.at(TOE_ROOT, 0.38), L.at(3.2, 0.38), L.at(3.2, -0.64)],
        ),
        region("little_toe", L.band(TOE_ROOT, 3.2, -over, -0.64)),
    ]
    return out


def details() -> list[Item]:
    finger_lines = [
        detail("detail", A.edge(v1, KNUCKLES + 0.02, min(tip, FINGERS[nxt][2]) - 0.1))
        for (name, (v0, v1, tip)), nxt in zip(list(FINGERS.items())[:-1], list(FINGERS)[1:], strict=True)
    ]
    toe_lines = [
        detail("detail", L.edge(v1, TOE_ROOT + 0.02, min(tip, TOES[nxt][2]) - 0.08))
        for (name, (v0, v1, tip)), nxt in zip(list(TOES.items())[:-1], list(TOES)[1:], strict=True)
    ]
    return [
        detail("detail", Ps((27.5, 96), (21, 107), (12, 114.5), (0, 118)), midline=False),
        detail("detail", Ps((6, 153), (20, 153.5), (36, 154.5), (52, 157), (64, 160.5), (72, 162))),  # clavicle
        detail("detail-fill", ellipse(200, 322, 1.6, 2.2, 0, 360, 12), midline=True, closed=True),  # navel
        detail("detail", Ps((10, 388), (22, 377), (36, 366), (50, 354))),  # inguinal ligament
        detail(
            "detail",
            L.shape([(0.93, -0.25), (0.98, -0.3), (1.04, -0.25), (1.06, 0.0), (1.04, 0.2), (0.98, 0.26), (0.93, 0.2), (0.91, 0.0)]),
            closed=True,
        ),  # patella
        *finger_lines,
        *toe_lines,
    ]
