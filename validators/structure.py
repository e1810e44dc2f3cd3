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

from dataclasses import dataclass, field
from typing import NamedTuple

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


@dataclass(slots=True, eq=False)
class Node:
    """One occurrence of a segment group (or the message itself) with what it holds, in order."""

    rule: Group
    segments: list[Segment] = field(default_factory=list)
    groups: list[Node] = field(default_factory=list)

    def first(self, tag: str) -> Segment | None:
        return next((s for s in self.segments if s.tag == tag), None)

    def all(self, tag: str) -> list[Segment]:
        return [s for s in self.segments if s.tag == tag]

    def children(self, name: str) -> list[Node]:
        return [g for g in self.groups if g.rule.name == name]


class Fault(NamedTuple):
    """A structure fault as facts; the caller turns it into a finding."""

    code: str  # MSG-SEGMENT-MISSING, MSG-GROUP-MISSING, MSG-SEGMENT-UNEXPECTED, MSG-SEGMENT-UNKNOWN, MSG-*-REPEAT
    segment: Segment  # where it was seen (for a missing one: the segment that came instead, or UNT)
    params: dict[str, str]


@dataclass(slots=True)
class _Frame:
    node: Node
    index: int  # the child of node.rule the reader stands at
    count: int  # occurrences of that child so far in this instance


def walk(table: MessageTable, body: list[Segment], trailer: Segment) -> tuple[Node, list[Fault]]:
    """Read ``body`` (the segments strictly between UNH and UNT) against ``table``."""
    root = Node(table.root())
    stack = [_Frame(root, 0, 0)]
    faults: list[Fault] = []
    known = table.tags()
    for segment in body:
        place = _place(stack, segment.tag)
        if place is None:
            _unexpected(table, stack, segment, known, faults)
            continue
        depth, index, skipped = place
        for missing, where in skipped:
            faults.append(_missing(missing, where, segment))
        del stack[depth + 1:]
        frame = stack[depth]
        if index != frame.index:
            frame.index, frame.count = index, 0
        frame.count += 1
        child = frame.node.rule.children[index]
        if isinstance(child, Seg):
            frame.node.segments.append(segment)
            if frame.count == child.repeat + 1:  # report once, at the first one too many
                faults.append(Fault("MSG-SEGMENT-REPEAT", segment, {
                    "tag": child.tag, "max": str(child.repeat), "where": _where(frame.node.rule)}))
        else:
            node = Node(child, [segment])
            frame.node.groups.append(node)
            if frame.count == child.repeat + 1:
                faults.append(Fault("MSG-GROUP-REPEAT", segment, {
                    "group_name": child.name, "tag": child.trigger, "max": str(child.repeat), "title": _title(child)}))
            stack.append(_Frame(node, 0, 1))
    for frame in reversed(stack):
        for missing in _remaining(frame):
            faults.append(_missing(missing, frame.node.rule, trailer))
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
        children = frame.node.rule.children
        for index in range(_first_open(frame, depth), len(children)):
            child = children[index]
            count = frame.count if index == frame.index else 0
            trigger = child.tag if isinstance(child, Seg) else child.trigger
            if trigger == tag:
                return depth, index, skipped
            if child.status == "M" and count == 0:
                skipped.append((child, frame.node.rule))
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


def _unexpected(table: MessageTable, stack: list[_Frame], segment: Segment, known: frozenset[str],
                faults: list[Fault]) -> None:
    expected = ", ".join(_expected_tags(stack)) or "UNT"
    if segment.tag in known:
        faults.append(Fault("MSG-SEGMENT-UNEXPECTED", segment, {
            "tag": segment.tag, "where": _where(stack[-1].node.rule), "expected": expected}))
    else:
        faults.append(Fault("MSG-SEGMENT-UNKNOWN", segment, {
            "tag": segment.tag, "message_type": table.message, "profile": table.profile, "expected": expected}))


def _missing(child: Seg | Group, parent: Group, where: Segment) -> Fault:
    if isinstance(child, Seg):
        return Fault("MSG-SEGMENT-MISSING", where, {"tag": child.tag, "name": child.name or child.tag,
                                                    "where": _where(parent), "found": where.tag})
    return Fault("MSG-GROUP-MISSING", where, {"group_name": child.name, "tag": child.trigger, "title": _title(child),
                                              "where": _where(parent), "found": where.tag})


def _where(rule: Group) -> str:
    return f"in {rule.name}" + (f" ({rule.title})" if rule.title else "")


def _title(rule: Group) -> str:
    return f" ({rule.title})" if rule.title else ""
