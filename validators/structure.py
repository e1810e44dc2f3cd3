"""The generic message-structure walker: segment tables in, segment groups and faults out.

A message type is described as data: an ordered tuple of segments and segment groups, each with
its status (M/C) and maximum repeats, a group's first segment being its trigger (DESIGN.md: rules
are data). ``walk`` reads the segments between UNH and UNT against such a table, the way an
EDIFACT receiver must: greedily, one segment at a time, closing groups when a segment can only
belong further out. It returns the group instances it built (for the typed models) and each fault
as plain facts with the position of the segment where it was seen, for CONTRL:

- a mandatory segment or group that never came (0085 13),
- a segment that fits nowhere from where the reader stands (15), told apart from a tag the table
  does not know at all,
- a segment or group repeated more often than allowed (35 / 36).

After an unexpected segment the reader stays where it was, so one stray segment costs one fault,
not a cascade. PAXLST and PNRGOV tables are both walked by this code.
"""

from __future__ import annotations

import functools
from typing import NamedTuple

import msgspec

from validators.edifact.tokenizer import Segment


class Seg(NamedTuple):
    tag: str
    status: str  # "M" or "C"
    repeat: int
    name: str = ""


class Group(NamedTuple):
    name: str  # e.g. "SG4"
    status: str
    repeat: int
    children: tuple[Seg | Group, ...]  # children[0] is the trigger segment (M 1)
    title: str = ""

    @property
    def trigger(self) -> str:
        return self.children[0].tag


class MessageTable(NamedTuple):
    """A message's body between UNH and UNT, as a root group that occurs exactly once."""

    message: str  # e.g. "PAXLST"
    profile: str  # what the table follows, e.g. "WCO/IATA/ICAO API guidelines, D05B"
    body: tuple[Seg | Group, ...]

    def root(self) -> Group:
        return Group(f"{self.message} message", "M", 1, self.body)

    def tags(self) -> frozenset[str]:
        found: set[str] = set()

        def visit(children: tuple[Seg | Group, ...]) -> None:
            for child in children:
                if isinstance(child, Group):
                    visit(child.children)
                else:
                    found.add(child.tag)

        visit(self.body)
        return frozenset(found)


def seg(tag: str, status: str, repeat: int, name: str = "") -> Seg:
    return Seg(tag, status, repeat, name)


def group(name: str, status: str, repeat: int, *children: Seg | Group, title: str = "") -> Group:
    if not children or not isinstance(children[0], Seg) or children[0].status != "M" or children[0].repeat != 1:
        raise ValueError(f"{name}: a group starts with its trigger segment, status M, repeat 1")
    return Group(name, status, repeat, children, title)


class Node(msgspec.Struct, gc=False, eq=False):
    """One occurrence of a segment group (or the message itself) with what it holds, in order.

    A msgspec struct, as segments are (one is made per group read, a thousand per list); nodes form
    a tree, never a cycle, so the garbage collector need not track them."""

    rule: Group
    segments: list[Segment] = msgspec.field(default_factory=list)
    groups: list[Node] = msgspec.field(default_factory=list)

    def first(self, tag: str) -> Segment | None:
        for segment in self.segments:  # a plain loop: models call this for every group they read
            if segment.tag == tag:
                return segment
        return None

    def all(self, tag: str) -> list[Segment]:
        return [s for s in self.segments if s.tag == tag]

    def children(self, name: str) -> list[Node]:
        return [g for g in self.groups if g.rule.name == name]


class Fault(NamedTuple):
    """A structure fault as facts; the caller turns it into a finding."""

    code: str  # MSG-SEGMENT-MISSING, MSG-GROUP-MISSING, MSG-SEGMENT-UNEXPECTED, MSG-SEGMENT-UNKNOWN, MSG-*-REPEAT
    segment: Segment  # where it was seen (for a missing one: the last segment read before the gap)
    params: dict[str, str]


class _Plan:
    """A group rule compiled for the walk: for each place the reader can stand at, which child
    every tag would open there and which mandatory children it would pass by on the way.

    ``steps`` answers the usual case in one lookup: from the child the reader stands at, the tags
    that fit this group without passing anything mandatory, each with its ``_Step``."""

    __slots__ = ("ahead", "rest", "rule", "steps", "children")

    def __init__(self, rule: Group, nested: bool) -> None:
        self.rule = rule
        children = rule.children
        mandatory = [i for i, child in enumerate(children) if child.status == "M"]
        ahead: list[dict[str, tuple[int, tuple[int, ...]]]] = []
        for start in range(len(children) + 1):
            table: dict[str, tuple[int, tuple[int, ...]]] = {}
            for index in range(start, len(children)):
                child = children[index]
                tag = child.tag if isinstance(child, Seg) else child.trigger
                if tag not in table:
                    table[tag] = (index, tuple(m for m in mandatory if start <= m < index))
            ahead.append(table)
        self.ahead = tuple(ahead)
        self.rest = tuple(tuple(m for m in mandatory if m >= start) for start in range(len(children) + 1))
        self.children: tuple[_Step, ...] = tuple((index, _Plan(child, True) if isinstance(child, Group) else None, child.repeat)
                                                 for index, child in enumerate(children))
        # standing at a nested group's trigger, the next segment may only match from its second child on
        # (see _first_open); the message itself has no trigger
        self.steps = tuple({tag: self.children[index] for tag, (index, passed) in ahead[1 if nested and at == 0 else at].items()
                            if not passed} for at in range(len(children)))


# A child of a group, as the walk moves to it: its index, its plan when it is a group (else None), its
# repeats. A plain tuple, not a NamedTuple: the walk unpacks one per segment, and only an exact tuple
# unpacks without an iterator.
_Step = tuple[int, "_Plan | None", int]


@functools.cache
def _compile(table: MessageTable) -> _Plan:
    return _Plan(table.root(), False)


@functools.cache
def _known_tags(table: MessageTable) -> frozenset[str]:
    return table.tags()


class _Frame(msgspec.Struct, gc=False):
    node: Node
    plan: _Plan
    index: int  # the child of node.rule the reader stands at
    count: int  # occurrences of that child so far in this instance


def walk(table: MessageTable, header: Segment, body: list[Segment], trailer: Segment) -> tuple[Node, list[Fault]]:
    """Read ``body`` (the segments strictly between UNH ``header`` and UNT ``trailer``) against ``table``.

    A missing segment or group is placed on the last segment read before the gap, as CONTRL's
    0096 wants it (UNH when the gap is at the start); its text names what came instead.
    """
    plan = _compile(table)
    root = Node(plan.rule)
    stack = [_Frame(root, plan, 0, 0)]
    faults: list[Fault] = []
    previous = header
    # The innermost group's state lives in locals while the walk stays in it or opens a group inside
    # it (most segments: a traveller's ATT, DTM, LOC … after its NAD); it is written back to its frame
    # before a group closes or a segment fits nowhere, which the stack of frames then works out.
    frame = stack[-1]
    steps, at, count, append = frame.plan.steps, frame.index, frame.count, frame.node.segments.append
    here = steps[at]
    for segment in body:
        tag = segment.tag
        step = here.get(tag)
        if step is None:
            frame.index, frame.count = at, count
            place = _place(stack, tag)
            if place is None:
                _unexpected(table, stack, segment, faults)
                previous = segment
                continue
            depth, index, skipped = place
            for missing, where in skipped:
                faults.append(_missing(missing, where, previous, segment.tag))
            del stack[depth + 1:]
            frame = stack[depth]
            step = frame.plan.children[index]
            steps, at, count, append = frame.plan.steps, frame.index, frame.count, frame.node.segments.append
        index, sub, repeat = step
        if index != at:
            at, count = index, 1
        else:
            count += 1
        if sub is None:
            append(segment)
            if count == repeat + 1:  # report once, at the first one too many
                faults.append(Fault("MSG-SEGMENT-REPEAT", segment, {
                    "tag": tag, "max": str(repeat), "where": _where(frame.plan.rule)}))
            here = steps[at]
        else:  # a group opens inside the innermost one, and becomes it
            node = Node(sub.rule, [segment])
            frame.node.groups.append(node)
            if count == repeat + 1:
                faults.append(Fault("MSG-GROUP-REPEAT", segment, {
                    "group_name": sub.rule.name, "tag": tag, "max": str(repeat), "title": _title(sub.rule)}))
            frame.index, frame.count = at, count
            frame = _Frame(node, sub, 0, 1)
            stack.append(frame)
            steps, at, count, append = sub.steps, 0, 1, node.segments.append
            here = steps[0]
        previous = segment
    frame.index, frame.count = at, count
    for frame in reversed(stack):
        for missing in _remaining(frame):
            faults.append(_missing(missing, frame.node.rule, previous, trailer.tag))
    return root, faults


def _place(stack: list[_Frame], tag: str) -> tuple[int, int, list[tuple[Seg | Group, Group]]] | None:
    """Where ``tag`` fits: (depth, child index, the mandatory children passed by on the way).

    Tries the innermost group first, moving forward through its children, then closes it and
    tries the enclosing one, and so on; the message root is never closed. Nothing is changed:
    the caller commits the move only when one is found.
    """
    skipped: list[tuple[Seg | Group, Group]] = []
    for depth in range(len(stack) - 1, -1, -1):
        frame = stack[depth]
        plan = frame.plan
        start = 1 if depth and frame.index == 0 else frame.index
        hit = plan.ahead[start].get(tag)
        passed = plan.rest[start] if hit is None else hit[1]
        for index in passed:
            if not (index == frame.index and frame.count):
                skipped.append((plan.rule.children[index], plan.rule))
        if hit is not None:
            return depth, hit[0], skipped
    return None


def _first_open(frame: _Frame, depth: int) -> int:
    """The first child a segment may still match: a group's trigger opens a new occurrence of the
    group one level up, never a repeat inside the current one."""
    return 1 if depth and frame.index == 0 else frame.index


def _remaining(frame: _Frame) -> list[Seg | Group]:
    children = frame.node.rule.children
    return [child for index, child in enumerate(children[frame.index:], start=frame.index)
            if child.status == "M" and (index != frame.index or frame.count == 0)]


def _expected_tags(stack: list[_Frame]) -> list[str]:
    """Every tag that could come next from where the reader stands, for the 'expected' text."""
    tags: list[str] = []
    for depth in range(len(stack) - 1, -1, -1):
        frame = stack[depth]
        children = frame.node.rule.children
        for index in range(_first_open(frame, depth), len(children)):
            child = children[index]
            tag = child.tag if isinstance(child, Seg) else child.trigger
            count = frame.count if index == frame.index else 0
            if tag not in tags and count < child.repeat:
                tags.append(tag)
            if child.status == "M" and count == 0:
                return tags  # nothing after a missing mandatory child can come first
    return tags


def _unexpected(table: MessageTable, stack: list[_Frame], segment: Segment, faults: list[Fault]) -> None:
    expected = ", ".join(_expected_tags(stack)) or "UNT"
    if segment.tag in _known_tags(table):
        faults.append(Fault("MSG-SEGMENT-UNEXPECTED", segment, {
            "tag": segment.tag, "where": _where(stack[-1].node.rule), "expected": expected}))
    else:
        faults.append(Fault("MSG-SEGMENT-UNKNOWN", segment, {
            "tag": segment.tag, "message_type": table.message, "profile": table.profile, "expected": expected}))


def _missing(child: Seg | Group, parent: Group, after: Segment, found: str) -> Fault:
    if isinstance(child, Seg):
        return Fault("MSG-SEGMENT-MISSING", after, {"tag": child.tag, "name": child.name or child.tag,
                                                    "where": _where(parent), "found": found})
    return Fault("MSG-GROUP-MISSING", after, {"group_name": child.name, "tag": child.trigger, "title": _title(child),
                                              "where": _where(parent), "found": found})


def _where(rule: Group) -> str:
    return f"in {rule.name}" + (f" ({rule.title})" if rule.title else "")


def _title(rule: Group) -> str:
    return f" ({rule.title})" if rule.title else ""
