"""The CONTRL message's own segment table (ISO 9735 / UN CONTRL, STANDARDS.md §4.1), as data.

With it, every CONTRL is read like any other message: the ones carriers send us, and above all
the ones we write, whose structure the tests then check (UCM of bare messages, SG1, before any
UCF group, SG3). The layout is the same in syntax versions 3 and 4.
"""

from __future__ import annotations

from validators.structure import MessageTable, group, seg

CONTRL = MessageTable("CONTRL", "ISO 9735 syntax and service report message", (
    seg("UCI", "M", 1, "interchange response"),
    group("SG1", "C", 999999,
          seg("UCM", "M", 1, "message response"),
          group("SG2", "C", 999,
                seg("UCS", "M", 1, "segment error indication"),
                seg("UCD", "C", 99, "data element error indication"),
                title="segment errors"),
          title="message response"),
    group("SG3", "C", 999999,
          seg("UCF", "M", 1, "group response"),
          group("SG4", "C", 999999,
                seg("UCM", "M", 1, "message response"),
                group("SG5", "C", 999,
                      seg("UCS", "M", 1, "segment error indication"),
                      seg("UCD", "C", 99, "data element error indication"),
                      title="segment errors"),
                title="message response"),
          title="group response"),
))
