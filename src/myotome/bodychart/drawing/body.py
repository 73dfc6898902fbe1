"""The figure: proportions, limb frames and the silhouette, drawn for the viewer's left half.

Proportions follow the usual anthropometric ratios of an adult standing 760 units tall
(crown at y = 20, soles at y = 780): shoulders (acromion) at 0.82 of the height, elbow
0.63, wrist 0.49, fingertips 0.38, greater trochanter 0.52, knee 0.29, ankle 0.04. The
arms hang 13 degrees from the trunk (forearm 19, carrying angle) and the feet stand a
little apart. Front and back share the silhouette except the feet: toes from the front,
the heel from behind.
"""

from __future__ import annotations

from myotome.bodychart.drawing.geometry import Frame, Point, dedupe, interp

MID = 200.0

ARM = Frame(
    stations=((125.0, 175.0), (95.1, 304.6), (58.6, 410.5), (31.2, 485.7)),
    lateral=(
        (0.0, 26.0),
        (0.12, 26.5),
        (0.3, 21.5),
        (0.55, 19.5),
        (0.85, 16.5),
        (1.0, 16.5),
        (1.2, 18.5),
        (1.5, 15.5),
        (1.85, 11.5),
        (2.0, 10.5),
        (2.1, 12.0),
        (2.3, 14.0),
        (2.55, 14.0),
        (2.8, 13.0),
        (3.0, 12.5),
    ),
    medial=(
        (0.0, 20.0),
        (0.3, 19.5),
        (0.55, 18.5),
        (0.85, 16.5),
        (1.0, 18.0),
        (1.2, 17.0),
        (1.5, 14.0),
        (1.85, 10.5),
        (2.0, 10.5),
        (2.2, 13.5),
        (2.5, 14.5),
        (2.6, 14.0),
        (2.8, 13.0),
        (3.0, 12.0),
    ),
)

# Fingers across the hand, lateral (index) to medial (little): (v from, v to, u of the tip).
FINGERS = {
    "index_finger": (-1.0, -0.5, 2.93),
    "middle_finger": (-0.5, 0.0, 3.0),
    "ring_finger": (0.0, 0.5, 2.95),
    "little_finger": (0.5, 1.0, 2.83),
}
KNUCKLES = 2.56  # u where the fingers leave the palm


def _thumb() -> Frame:
    base = ARM.at(2.17, -1.0)
    # Hand axis 20 degrees from vertical; the thumb opens a further 25 degrees laterally.
    tip = (base[0] - 0.707 * 31.0, base[1] + 0.707 * 31.0)
    return Frame(stations=(base, tip), lateral=((0.0, 7.0), (0.5, 6.2), (1.0, 5.4)), medial=((0.0, 6.5), (0.5, 6.0), (1.0, 5.4)), bend=0.05)


THUMB = _thumb()

_LEG_STATIONS = ((158.0, 392.0), (168.0, 563.0), (172.0, 748.0))
_LEG_LATERAL = (
    (0.0, 29.0),
    (0.15, 31.0),
    (0.45, 28.0),
    (0.75, 24.0),
    (0.92, 22.0),
    (1.0, 21.5),
    (1.1, 22.0),
    (1.25, 23.5),
    (1.45, 20.0),
    (1.75, 14.0),
    (1.95, 12.5),
    (2.0, 13.0),
)
_LEG_MEDIAL = (
    (0.0, 40.0),
    (0.12, 37.5),
    (0.45, 30.0),
    (0.75, 24.0),
    (0.9, 22.0),
    (1.0, 22.0),
    (1.12, 23.0),
    (1.25, 24.0),
    (1.45, 20.0),
    (1.75, 13.5),
    (1.95, 12.5),
    (2.0, 13.0),
)

# Front: the foot seen from in front, toes turned slightly out.
LEG_FRONT = Frame(
    stations=(*_LEG_STATIONS, (168.0, 787.0)),
    lateral=(*_LEG_LATERAL, (2.3, 15.5), (2.7, 20.0), (3.0, 19.0)),
    medial=(*_LEG_MEDIAL, (2.3, 13.5), (2.7, 15.0), (3.0, 15.0)),
)
# Back: the heel seen from behind.
LEG_BACK = Frame(
    stations=(*_LEG_STATIONS, (172.0, 781.0)),
    lateral=(*_LEG_LATERAL, (2.35, 14.5), (2.75, 13.0), (3.0, 9.0)),
    medial=(*_LEG_MEDIAL, (2.35, 14.0), (2.75, 12.5), (3.0, 9.0)),
)

# Toes across the foot, lateral (little) to medial (big): (v from, v to, u of the tip).
TOES = {
    "little_toe": (-1.0, -0.64, 2.84),
    "toe4": (-0.64, -0.3, 2.91),
    "toe3": (-0.3, 0.04, 2.97),
    "toe2": (0.04, 0.38, 3.01),
    "big_toe": (0.38, 1.0, 3.03),
}
TOE_ROOT = 2.8

# Trunk half-width below the armpit, (y, half-width); x = MID - half-width.
TRUNK = (
    (206.0, 64.5),
    (225.0, 66.0),
    (250.0, 64.0),
    (280.0, 58.0),
    (305.0, 54.0),
    (320.0, 53.5),
    (335.0, 55.0),
    (350.0, 60.0),
    (370.0, 66.0),
    (392.0, 70.5),
)


def trunk_x(y: float, v: float = 1.0) -> float:
    """x at fraction ``v`` of the trunk's half-width at height ``y`` (v=1: the flank)."""
    return MID - v * interp(TRUNK, y)


HEAD = [
    (200.0, 20.0),
    (188.0, 21.5),
    (178.0, 26.0),
    (170.5, 34.0),
    (166.5, 45.0),
    (165.5, 57.0),
    (163.0, 60.5),
    (160.5, 65.0),
    (160.0, 73.0),
    (162.0, 81.5),
    (165.5, 86.5),
    (168.5, 93.0),
    (172.5, 100.0),
    (177.5, 106.0),
]
NECK = [(179.5, 112.0), (180.0, 121.0), (179.5, 130.0)]
SHOULDER = [(175.0, 137.0), (163.0, 142.5), (149.0, 148.0), (136.0, 152.5), (125.0, 156.5), (115.0, 160.5), (106.5, 165.5)]
CROTCH = (MID, 415.5)
ARMPIT_U = 0.27


def _fingertips() -> list[Point]:
    """Across the finger tips from the index (lateral) to the little finger (medial)."""
    pts: list[Point] = []
    items = list(FINGERS.values())
    for i, (v0, v1, tip) in enumerate(items):
        pad = 0.12 * (v1 - v0)
        pts += [
            ARM.at(tip - 0.05, v0 + pad * 0.4),
            ARM.at(tip - 0.005, v0 + 0.3 * (v1 - v0)),
            ARM.at(tip - 0.005, v0 + 0.7 * (v1 - v0)),
            ARM.at(tip - 0.05, v1 - pad * 0.4),
        ]
        if i + 1 < len(items):
            notch = min(tip, items[i + 1][2]) - 0.1
            pts.append(ARM.at(notch, v1))
    return pts


def _thumb_outline() -> list[Point]:
    """Out along the thumb's proximal edge, round the tip, back along its web side."""
    return [
        *THUMB.edge(-1.0, 0.12, 0.93, 0.1),
        THUMB.at(0.99, -0.55),
        THUMB.at(1.01, 0.0),
        THUMB.at(0.99, 0.55),
        *THUMB.edge(1.0, 0.93, 0.55, 0.1),
    ]


def _toes() -> list[Point]:
    """Across the toe tips from the little toe (lateral) to the big toe (medial)."""
    pts: list[Point] = []
    items = list(TOES.values())
    for i, (v0, v1, tip) in enumerate(items):
        pts += [
            LEG_FRONT.at(tip - 0.03, v0 + 0.1 * (v1 - v0)),
            LEG_FRONT.at(tip, v0 + 0.5 * (v1 - v0)),
            LEG_FRONT.at(tip - 0.03, v1 - 0.1 * (v1 - v0)),
        ]
        if i + 1 < len(items):
            pts.append(LEG_FRONT.at(min(tip, items[i + 1][2]) - 0.07, v1))
    return pts


def _heel() -> list[Point]:
    return [LEG_BACK.at(2.93, -0.75), LEG_BACK.at(2.99, -0.35), LEG_BACK.at(3.0, 0.0), LEG_BACK.at(2.99, 0.35), LEG_BACK.at(2.93, 0.75)]


def leg(view: str) -> Frame:
    return LEG_FRONT if view == "front" else LEG_BACK


def half_outline(view: str) -> list[Point]:
    """The viewer's left half of the silhouette, from the crown round to the crotch."""
    lf = leg(view)
    pts: list[Point] = [*HEAD, *NECK, *SHOULDER]
    pts += ARM.edge(-1.0, 0.04, 2.04)
    pts += _thumb_outline()
    pts += ARM.edge(-1.0, 2.4, 2.84)
    pts += _fingertips()
    pts += ARM.edge(1.0, 2.72, ARMPIT_U)
    pts += [(trunk_x(y), y) for y in (212.0, 225.0, 240.0, 255.0, 270.0, 285.0, 300.0, 315.0, 330.0, 345.0, 360.0, 375.0)]
    if view == "front":
        pts += lf.edge(-1.0, 0.0, 2.76)
        pts += _toes()
    else:
        pts += lf.edge(-1.0, 0.0, 2.88)
        pts += _heel()
    pts += lf.edge(1.0, 2.88 if view == "back" else 2.84, 0.16)
    pts.append(CROTCH)
    return dedupe(pts)


SOLE_ORIGIN = (62.0, 614.0)  # heel top of the inset, on the viewer's left
BALL = 87.0  # the toes start this far below the heel's top
# The sole in the inset's own units: +x towards the midline (the big toe's side), +y towards the toes.
_SOLE = (
    (-12.0, 16.0),
    (-11.0, 6.0),
    (-6.0, 1.0),
    (1.0, 0.0),
    (7.0, 1.5),
    (11.5, 6.0),
    (13.0, 16.0),  # heel
    (12.5, 28.0),
    (9.0, 42.0),
    (9.5, 56.0),
    (13.5, 70.0),
    (17.5, 80.0),  # medial border and arch
    (19.0, 87.0),
    (19.0, 95.0),
    (16.5, 101.0),
    (12.0, 103.5),
    (8.0, 102.0),
    (6.0, 97.0),
    (5.5, 90.5),  # big toe
    (4.5, 92.0),
    (3.5, 97.0),
    (1.0, 99.5),
    (-1.5, 98.5),
    (-2.5, 94.0),
    (-2.8, 89.5),
    (-3.5, 91.0),
    (-4.5, 95.0),
    (-7.0, 96.5),
    (-9.0, 94.5),
    (-9.4, 89.5),
    (-10.0, 90.0),
    (-11.0, 93.0),
    (-13.3, 93.5),
    (-14.8, 91.0),
    (-15.0, 87.0),
    (-15.6, 86.8),
    (-17.0, 88.5),
    (-19.0, 87.5),
    (-19.8, 84.0),
    (-19.2, 79.0),  # little toe
    (-18.5, 70.0),
    (-17.0, 55.0),
    (-15.5, 40.0),
    (-13.5, 28.0),  # lateral border
)
TOE_SPLITS = (5.0, -15.3)  # x between the big toe and the second, and the fourth and the little toe


def sole_inset() -> list[Point]:
    """The patient's sole seen from below, for the back view (heel up, toes down, big toe medial)."""
    cx, top = SOLE_ORIGIN
    return [(cx + x, top + y) for x, y in _SOLE]
